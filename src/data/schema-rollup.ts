/** The rollups' tables: the stats' (080_request_rollup), the spend reports' and the sessions list's (095_spend_rollup). */

/**
 * The request log's model calls summed by hour (080_request_rollup), for GET /admin/v1/stats: one row per
 * hour, key, team and model, written in the transaction that inserts the rows (src/data/stats-rollup.ts).
 * Absent values are '' (so the group is one key on both engines).
 */
export interface RequestRollupTable extends Summed {
  /** The hour's start, unix milliseconds (UTC). */
  hour: number;
  key_id: string;
  key_name: string;
  team_id: string;
  /** The alias, else the model asked for. */
  model: string;
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

/** The tokens and the cost of a request (request_log, ledger), or the sum of those of several. */
export interface UsageColumns {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  /** Integer nano-dollars (1 USD = 1,000,000,000). */
  cost_nanos: number;
}

/**
 * Counts, tokens and cost summed over a rollup row's rows, as the reports sum them: the tokens and cost of the
 * rows let through (refusals count none).
 */
interface Summed extends UsageColumns {
  /** Rows let through. */
  requests: number;
  /** Rows refused. */
  refused: number;
}

/**
 * The ledger summed by hour and by UTC day (095_spend_rollup), for the spend reports
 * (src/data/spend-rollup.ts): one row per bucket, key, team, user, requested model, alias, upstream model and
 * tag set, written in the transaction that inserts the rows. Absent values are ''.
 */
export interface SpendRollupTable extends Summed {
  /** The bucket's width: 3,600,000 (an hour) or 86,400,000 (a UTC day). */
  span_ms: number;
  /** The bucket's start, unix milliseconds. */
  bucket: number;
  key_id: string;
  team_id: string;
  user_label: string;
  requested_model: string;
  alias: string;
  model: string;
  tags: string;
}

/**
 * The request log's session rows summed by hour (095_spend_rollup), for the sessions list
 * (src/data/session-rollup.ts): one row per hour, session, key, key name, team, user and tool, written in the
 * transaction that inserts the rows. Absent values are ''.
 */
export interface SessionRollupTable extends Summed {
  /** The hour's start, unix milliseconds (UTC). */
  hour: number;
  session_id: string;
  key_id: string;
  key_name: string;
  team_id: string;
  user_label: string;
  client_tool: string;
  /** Rows that failed or were refused. */
  errors: number;
  /** The first and the last row's start, unix ms. */
  first_at: number;
  last_at: number;
  /** The latest end of a row (its start plus its latency), unix ms. */
  ended_at: number;
}

/** The rollup tables, as `Database` (schema.ts) names them. */
export interface RollupTables {
  request_rollup: RequestRollupTable;
  request_rollup_errors: RequestRollupErrorsTable;
  request_rollup_latency: RequestRollupLatencyTable;
  spend_rollup: SpendRollupTable;
  session_rollup: SessionRollupTable;
}
