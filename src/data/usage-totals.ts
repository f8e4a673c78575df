import { sql } from "./kysely.js";
import type { LedgerTable } from "./schema.js";

/** The columns the ledger and the request log both carry that reports sum. */
type Summed =
  | "input_tokens"
  | "output_tokens"
  | "cache_read_tokens"
  | "cache_write_tokens"
  | "reasoning_tokens"
  | "cost_nanos";

/**
 * Usage summed over a set of rows (money in integer nano-dollars, summed exactly): `requests` the ones
 * llmux let through, `refused` the ones it refused (a budget, an allow-list, a limit, a key), which never
 * count tokens.
 */
export type UsageTotals = { requests: number; refused: number } & Pick<LedgerTable, Summed>;

const refused = sql<boolean>`outcome = 'refused'`;
/** A column summed over what was let through (rows written before refusals stopped carrying an estimate). */
const served = (column: Summed) =>
  sql<number | string | null>`sum(case when ${refused} then 0 else ${sql.ref(column)} end)`;

/**
 * The select list of every report that sums usage (spend by key, team, model, user or day from the ledger;
 * the request log's stats by time bucket): one spelling of the aggregate, whichever table it runs on.
 */
export function usageSums() {
  return [
    sql<number | string>`sum(case when ${refused} then 0 else 1 end)`.as("requests"),
    sql<number | string>`sum(case when ${refused} then 1 else 0 end)`.as("refused"),
    served("input_tokens").as("input_tokens"),
    served("output_tokens").as("output_tokens"),
    served("cache_read_tokens").as("cache_read_tokens"),
    served("cache_write_tokens").as("cache_write_tokens"),
    served("reasoning_tokens").as("reasoning_tokens"),
    sql<number | string | null>`sum(cost_nanos)`.as("cost_nanos"),
  ] as const;
}

/** A row of `usageSums()` as numbers (PostgreSQL answers sums of bigints as text; an empty sum is null). */
export function totalsOf(r: { [K in keyof UsageTotals]?: number | string | null } | undefined): UsageTotals {
  return {
    requests: Number(r?.requests ?? 0),
    refused: Number(r?.refused ?? 0),
    ...tokensOf(r ?? {}),
    cost_nanos: Number(r?.cost_nanos ?? 0),
  };
}

type TokenColumn = "input_tokens" | "output_tokens" | "cache_read_tokens" | "cache_write_tokens" | "reasoning_tokens";

/** The five token counts of a row or a sum as numbers (stored as bigints: PostgreSQL answers text; none: 0). */
export function tokensOf(r: { [K in TokenColumn]?: number | string | bigint | null }): Record<TokenColumn, number> {
  return {
    input_tokens: Number(r.input_tokens ?? 0),
    output_tokens: Number(r.output_tokens ?? 0),
    cache_read_tokens: Number(r.cache_read_tokens ?? 0),
    cache_write_tokens: Number(r.cache_write_tokens ?? 0),
    reasoning_tokens: Number(r.reasoning_tokens ?? 0),
  };
}
