/** The stats rollup's tables (080_request_rollup); `Database` in schema.ts names them. */

/**
 * The request log's model calls summed by hour (080_request_rollup), for GET /admin/v1/stats: one row per
 * hour, key, team and model, written in the transaction that inserts the rows (src/data/stats-rollup.ts).
 * Absent values are '' (so the group is one key on both engines).
 */
export interface RequestRollupTable {
  /** The hour's start, unix milliseconds (UTC). */
  hour: number;
  key_id: string;
  key_name: string;
  team_id: string;
  /** The alias, else the model asked for. */
  model: string;
  /** Model calls let through. */
  requests: number;
  /** Model calls refused (they never count tokens). */
  refused: number;
  /** Tokens of the calls let through. */
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_nanos: number;
}

/** Failed and refused model calls by hour, key ('' none) and error class ('' none) (080_request_rollup). */
export interface RequestRollupErrorsTable {
  hour: number;
  key_id: string;
  error_class: string;
  n: number;
}

/**
 * The latency and TTFT histograms of the request log's model calls by hour (080_request_rollup): the stats'
 * 10% wide bins (src/data/stats-queries.ts), for every caller (`scope` '*') and per key (`scope` the key id).
 */
export interface RequestRollupLatencyTable {
  scope: string;
  hour: number;
  bin: number;
  /** Rows whose latency falls in the bin. */
  latency: number;
  /** Rows whose time to first token falls in the bin. */
  ttft: number;
}
