/**
 * Fills the request log with synthetic rows fast (one INSERT … SELECT over a generated series per chunk, in
 * the database), for the pruning test and the request-log bench's million-row list. The rows go around the
 * settled writes, so the stats' hourly rollup is then rebuilt from every row, as migration 080 builds it
 * (a store seeded once, before anything else writes to it).
 */
import { sql } from "kysely";
import type { Data } from "../src/data/data.js";
import { backfillRollup } from "../src/data/stats-rollup.js";

export interface SeedOptions {
  rows: number;
  /** Time of the newest row (unix ms); rows go back `stepMs` each. */
  newestAt: number;
  stepMs?: number;
  /** Prefix of the rows' ids (distinct per seeding). */
  prefix?: string;
  /** Spread the rows over this many key ids (`key_seed_0` …). */
  keys?: number;
}

export async function seedRequests(data: Data, o: SeedOptions): Promise<void> {
  const db = await data.db();
  const step = o.stepMs ?? 10;
  const prefix = o.prefix ?? "req_seed_";
  const keys = o.keys ?? 50;
  const chunk = 100_000;
  for (let from = 0; from < o.rows; from += chunk) {
    const count = Math.min(chunk, o.rows - from);
    const series =
      data.engine === "postgres"
        ? sql`select n from generate_series(${sql.lit(from)}::bigint, ${sql.lit(from + count - 1)}::bigint) as g(n)`
        : sql`with recursive s(n) as (select ${sql.lit(from)} union all select n + 1 from s where n < ${sql.lit(from + count - 1)}) select n from s`;
    await sql`
      insert into request_log (id, at, key_id, key_name, team_id, user_label, method, path, client_dialect, client_tool,
        requested_model, alias, provider, deployment, model, stream, status, outcome, error_class, reason, latency_ms,
        ttft_ms, overhead_ms, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
        estimated, cost_nanos, attempts, route, warnings, has_bodies)
      select ${prefix} || cast(n as text), ${sql.lit(o.newestAt)} - n * ${sql.lit(step)}, 'key_seed_' || cast(n % ${sql.lit(keys)} as text),
        'seed-' || cast(n % ${sql.lit(keys)} as text), null, null, 'POST', '/v1/messages', 'anthropic', 'claude-code',
        'claude-sonnet-4-5', 'claude-sonnet-4-5', 'anthropic', null, 'claude-sonnet-4-5', 1,
        case when n % 20 = 0 then 429 else 200 end, case when n % 20 = 0 then 'error' else 'ok' end,
        case when n % 20 = 0 then 'rate_limited' else null end, null,
        100 + (n * 7919) % 5000, 50 + (n * 104729) % 900, null, 1000 + n % 5000, 100 + n % 700, 0, 0, 0,
        0, (n % 997) * 1000, 1, null, null, 0
      from (${series}) as seq`.execute(db);
  }
  for (const table of ["request_rollup", "request_rollup_errors", "request_rollup_latency"] as const)
    await db.deleteFrom(table).execute();
  await backfillRollup(db);
}
