/**
 * The web UI's stats query (GET /admin/v1/stats, src/requestlog/stats.ts) over 1.1 million request-log rows
 * spread over 30 days, before (the rows alone) and after (the hourly rollup, the rows only at the edges),
 * on one engine. Not part of `npm test` or `npm run bench`; it takes minutes:
 *
 *   npx tsc -p bench/tsconfig.json && node .cache/bench-dist/bench/stats-rollup.js sqlite
 *   npx tsc -p bench/tsconfig.json && node .cache/bench-dist/bench/stats-rollup.js postgres [url]
 *
 * (PostgreSQL: a database is created on the server of `url`, default postgres://postgres@127.0.0.1:5432/test,
 * and dropped after.) It prints one JSON object: seeding and back-fill times, and each query's times.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { sql } from "kysely";
import { Data } from "../src/data/data.js";
import { writeSettled } from "../src/data/settled-writes.js";
import { backfillRollup } from "../src/data/stats-rollup.js";
import { type Bucket, requestStats } from "../src/requestlog/stats.js";

const ROWS = Number(process.env.ROWS ?? 1_100_000);
const DAYS = 30;
const DAY = 86_400_000;
const RUNS = Number(process.env.RUNS ?? 3);

/** Rows with the variety of a team's traffic: 50 keys in 5 teams, 6 models, errors, refusals, latencies. */
async function seed(data: Data, newest: number): Promise<void> {
  const db = await data.db();
  const step = Math.floor((DAYS * DAY) / ROWS);
  const chunk = 100_000;
  for (let from = 0; from < ROWS; from += chunk) {
    const count = Math.min(chunk, ROWS - from);
    const series =
      data.engine === "postgres"
        ? sql`select n from generate_series(${sql.lit(from)}::bigint, ${sql.lit(from + count - 1)}::bigint) as g(n)`
        : sql`with recursive s(n) as (select ${sql.lit(from)} union all select n + 1 from s where n < ${sql.lit(from + count - 1)}) select n from s`;
    await sql`
      insert into request_log (id, at, key_id, key_name, team_id, user_label, method, path, kind, client_dialect,
        client_tool, requested_model, alias, provider, deployment, model, stream, status, outcome, error_class,
        reason, latency_ms, ttft_ms, overhead_ms, input_tokens, output_tokens, cache_read_tokens,
        cache_write_tokens, reasoning_tokens, estimated, cost_nanos, attempts, route, warnings, has_bodies)
      select 'req_' || cast(n as text), ${sql.lit(newest)} - n * ${sql.lit(step)},
        'key_' || cast(n % 50 as text), 'key ' || cast(n % 50 as text), 'team_' || cast(n % 5 as text), null,
        'POST', '/v1/messages', 'generate', 'anthropic', 'claude-code',
        'model-' || cast((n * 7) % 6 as text), 'model-' || cast((n * 7) % 6 as text), 'anthropic', null,
        'claude-sonnet-4-5', 1,
        case when n % 53 = 0 then 429 when n % 31 = 0 then 502 else 200 end,
        case when n % 53 = 0 then 'refused' when n % 31 = 0 then 'error' else 'ok' end,
        case when n % 53 = 0 then 'rate_limited' when n % 31 = 0 then 'upstream' else null end, null,
        200 + (n * 7919) % 60000, case when n % 9 = 0 then null else 50 + (n * 104729) % 9000 end, null,
        1000 + n % 5000, 100 + n % 700, n % 3000, n % 50, n % 200, 0, (n % 997) * 1000, 1, null, null, 0
      from (${series}) as seq`.execute(db);
  }
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await run();
  return { ms: Math.round(performance.now() - t), value };
}

async function times(run: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) out.push((await timed(run)).ms);
  return out;
}

async function main(): Promise<void> {
  const engine = process.argv[2] === "postgres" ? "postgres" : "sqlite";
  const require = createRequire(import.meta.url);
  const dir = mkdtempSync(join(tmpdir(), "llmux-stats-bench-"));
  let url: string | undefined;
  let drop = async () => undefined as unknown;
  if (engine === "postgres") {
    const admin = process.argv[3] ?? "postgres://postgres@127.0.0.1:5432/test";
    const name = `llmux_stats_bench_${randomBytes(4).toString("hex")}`;
    const pg = require("pg") as typeof import("pg");
    const onAdmin = async (q: string) => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(q);
      } finally {
        await c.end();
      }
    };
    await onAdmin(`create database ${name}`);
    const u = new URL(admin);
    u.pathname = `/${name}`;
    url = u.toString();
    drop = () => onAdmin(`drop database if exists ${name} with (force)`);
  }
  // The statement timeout is raised: the "before" query runs longer than the gateway's 15 s default.
  const data = new Data({
    path: join(dir, "store.db"),
    url,
    pool: { size: 4, connectTimeoutMs: 5000, statementTimeoutMs: 600_000 },
  });
  try {
    const db = await data.db();
    // The UI's 30-day window: day buckets, ending at the end of today (UTC).
    const to = Math.floor(Date.now() / DAY) * DAY + DAY;
    const seeded = await timed(() => seed(data, Date.now()));
    if (engine === "postgres") await sql`analyze`.execute(db);
    // Seeded behind the settled writes: the rollup is built as the migration builds it (its back-fill).
    const backfill = await timed(() => backfillRollup(db));
    if (engine === "postgres") await sql`analyze`.execute(db);
    const count = async (t: "request_rollup" | "request_rollup_latency") =>
      Number((await db.selectFrom(t).select(sql<number>`count(*)`.as("n")).executeTakeFirstOrThrow()).n);
    const q = (bucket: Bucket, f: { key_id?: string }, span: number, rows: boolean) => () =>
      requestStats(data, { ...f, from: to - span, to }, bucket, rows);
    const day30 = {
      before: await times(q("day", {}, DAYS * DAY, true)),
      after: await times(q("day", {}, DAYS * DAY, false)),
    };
    const key30 = {
      before: await times(q("day", { key_id: "key_7" }, DAYS * DAY, true)),
      after: await times(q("day", { key_id: "key_7" }, DAYS * DAY, false)),
    };
    const hour24 = { before: await times(q("hour", {}, DAY, true)), after: await times(q("hour", {}, DAY, false)) };
    // The same answer both ways (the tests check this on random data; here on the benchmark's).
    const same = isDeepStrictEqual(await q("day", {}, DAYS * DAY, true)(), await q("day", {}, DAYS * DAY, false)());
    // What the rollup adds to each batch the settled writer writes (200 rows, as it batches).
    const template = await db
      .selectFrom("request_log")
      .selectAll()
      .where(
        "id",
        "in",
        Array.from({ length: 200 }, (_, j) => `req_${j}`),
      )
      .execute();
    let seq = 0;
    const rowsOf = () => template.map((r) => ({ ...r, id: `new_${seq}_${r.id}`, at: Date.now() }));
    const withRollup = await times(() => {
      seq++;
      return writeSettled(data, { ledger: [], requestLog: rowsOf(), bodies: [] });
    });
    const without = await times(() => {
      seq++;
      return data.write([{ insert: "request_log", rows: rowsOf() }]);
    });
    console.log(
      JSON.stringify(
        {
          engine,
          rows: ROWS,
          days: DAYS,
          seedSeconds: seeded.ms / 1000,
          backfillSeconds: backfill.ms / 1000,
          rollupRows: await count("request_rollup"),
          latencyBinRows: await count("request_rollup_latency"),
          sameAnswer: same,
          ms: { "30d by day": day30, "30d by day, one key": key30, "24h by hour": hour24 },
          batchOf200WriteMs: { withRollup, without },
        },
        null,
        2,
      ),
    );
  } finally {
    await data.close();
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
