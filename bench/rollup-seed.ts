/**
 * Ledger and request-log rows for the rollup lane (bench/rollup-reports.ts), inserted fast (one INSERT …
 * SELECT over a generated series per chunk, in the database, around the settled writes), then summed into
 * the report rollups by the migration's own back-fill. The rows have a team's variety over 30 days ending
 * now: 50 keys in 5 teams and 10 users, each key using 2 of 6 models (3 upstream models), a project tag per
 * key (a second tag on one row in seven), a session per key every two hours (one row in seven in none), three
 * tools, errors and refusals.
 */
import { sql } from "kysely";
import type { Data } from "../src/data/data.js";
import { backfillFrom } from "../src/data/rollup-sql.js";
import { intoSessionRollup } from "../src/data/session-rollup.js";
import { intoSpendRollup } from "../src/data/spend-rollup.js";

export const SEED_DAYS = 30;
const DAY = 86_400_000;

/** Inserts `rows` ledger rows and as many request-log rows (the same requests), the newest at `newest`. */
export async function seedReportRows(data: Data, rows: number, newest: number): Promise<void> {
  const db = await data.db();
  const step = Math.max(1, Math.floor((SEED_DAYS * DAY) / rows));
  const chunk = 100_000;
  for (let from = 0; from < rows; from += chunk) {
    const last = Math.min(rows, from + chunk) - 1;
    const series =
      data.engine === "postgres"
        ? sql`select n from generate_series(${sql.lit(from)}::bigint, ${sql.lit(last)}::bigint) as g(n)`
        : sql`with recursive s(n) as (select ${sql.lit(from)} union all select n + 1 from s where n < ${sql.lit(last)}) select n from s`;
    // Per row n: its time, key (and the key's team, user, tool, project), model, session and outcome.
    const cols = sql`select n, ${sql.lit(newest)} - n * ${sql.lit(step)} as at, n % 50 as k,
  (n % 50 + (n / 50) % 2) % 6 as m from (${series}) as seq`;
    const session = sql`case when n % 7 = 0 then null
  else 'sess_' || cast(at / 7200000 as text) || '_' || cast(k as text) end`;
    const tags = sql`case when n % 7 = 3 then ',env=ci,project=p' || cast(k % 4 as text) || ','
  else ',project=p' || cast(k % 4 as text) || ',' end`;
    const outcome = sql`case when n % 53 = 0 then 'refused' when n % 31 = 0 then 'error' else 'ok' end`;
    await sql`
      insert into ledger (id, at, key_id, team_id, user_label, requested_model, alias, provider, deployment, model,
        client, status, outcome, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
        reasoning_tokens, cost_nanos, estimated, latency_ms, ttft_ms, tool, session_id, tags)
      select 'req_' || cast(n as text), at, 'key_' || cast(k as text), 'team_' || cast(k % 5 as text),
        'user_' || cast(k % 10 as text), 'model-' || cast(m as text), 'model-' || cast(m as text), 'anthropic', null,
        'upstream-' || cast(m % 3 as text), 'anthropic', 200, ${outcome},
        1000 + n % 5000, 100 + n % 700, n % 3000, n % 50, n % 200, (n % 997) * 1000, 0, 200 + n % 6000, null,
        'claude-code', ${session}, ${tags}
      from (${cols}) as r`.execute(db);
    await sql`
      insert into request_log (id, at, key_id, key_name, team_id, user_label, method, path, kind, client_dialect,
        client_tool, session_id, tags, requested_model, alias, provider, deployment, model, stream, status, outcome,
        error_class, reason, latency_ms, ttft_ms, overhead_ms, input_tokens, output_tokens, cache_read_tokens,
        cache_write_tokens, reasoning_tokens, estimated, cost_nanos, attempts, route, warnings, has_bodies)
      select 'req_' || cast(n as text), at, 'key_' || cast(k as text), 'key ' || cast(k as text),
        'team_' || cast(k % 5 as text), 'user_' || cast(k % 10 as text), 'POST', '/v1/messages', 'generate',
        'anthropic', case k % 3 when 0 then 'claude-code' when 1 then 'codex' else 'cursor' end, ${session}, ${tags},
        'model-' || cast(m as text), 'model-' || cast(m as text), 'anthropic', null, 'upstream-' || cast(m % 3 as text),
        1, case when n % 53 = 0 then 429 when n % 31 = 0 then 502 else 200 end, ${outcome}, null, null,
        200 + (n * 7919) % 60000, 50 + (n * 104729) % 9000, null, 1000 + n % 5000, 100 + n % 700, n % 3000, n % 50,
        n % 200, 0, (n % 997) * 1000, 1, null, null, 0
      from (${cols}) as r`.execute(db);
  }
}

/** Sums the seeded rows into the report rollups, as migration 095 back-fills them; milliseconds taken. */
export async function backfillReportRollups(data: Data): Promise<number> {
  const db = await data.db();
  const t = performance.now();
  await backfillFrom(db, "ledger", [intoSpendRollup()]);
  await backfillFrom(db, "request_log", [intoSessionRollup(data.engine)]);
  return performance.now() - t;
}
