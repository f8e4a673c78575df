/**
 * The rollup lane: the spend reports (by key, team, model, user, UTC day and tag; the spend of every key in
 * its budget window) and the sessions list, timed on 10,000, 100,000 and 1,000,000 ledger and request-log
 * rows (bench/rollup-seed.ts, 30 days up to now), on SQLite and on PostgreSQL (127.0.0.1:5432 or
 * LLMUX_BENCH_PG: a database created and dropped per size). Each report is timed before (every row of its
 * window scanned: bench/reports-before.ts) and after (the rollups, the rows only at the window's part hours),
 * over the web UI's default windows (spend: the last 30 days; sessions: the last 7, and 30). Also: the back-fill of
 * migration 095 at each size, the rollups' row counts, and what the rollups add to a batch of 200 settled
 * rows. `npm run bench -- --rollup-only` runs it alone.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { compileOps, type WriteOp } from "../src/data/batch-write.js";
import { Data } from "../src/data/data.js";
import { openEngine } from "../src/data/engine.js";
import { listSessions } from "../src/data/session-queries.js";
import { usageByTag } from "../src/data/spend-by-tag.js";
import { type SpendGroup, spentBy, usageBy } from "../src/data/spend-queries.js";
import { benchPgUrl } from "./endpoints.js";
import { listSessionsBefore, spentByBefore, usageByBefore, usageByTagBefore } from "./reports-before.js";
import { backfillReportRollups, seedReportRows } from "./rollup-seed.js";
import { summarize } from "./stats.js";

export interface Timing {
  /** Milliseconds per call: median and slowest of the runs. */
  p50: number;
  max: number;
  n: number;
}

export interface RollupReport {
  name: string;
  before: Timing;
  after: Timing;
}

export interface RollupSize {
  rows: number;
  seedSeconds: number;
  /** Migration 095's back-fill of these rows into the rollups. */
  backfillSeconds: number;
  spendRollupRows: number;
  sessionRollupRows: number;
  reports: RollupReport[];
  /** One settled batch of 200 requests (ledger and request-log rows), ms: with the rollups kept, and without. */
  batchOf200: { withRollups: Timing; without: Timing };
}

export interface RollupEngine {
  engine: "sqlite" | "postgres";
  /** Why it was not measured (PostgreSQL not reachable). */
  skipped?: string;
  sizes: RollupSize[];
}

export interface RollupReports {
  engines: RollupEngine[];
}

const DAY = 86_400_000;

function timing(samples: number[]): Timing {
  const s = summarize(samples);
  return { p50: s.p50, max: Math.max(...samples), n: samples.length };
}

async function timed(runs: number, call: () => Promise<unknown>): Promise<Timing> {
  await call();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await call();
    out.push(performance.now() - t);
  }
  return timing(out);
}

/** The reports, before and after, over the UI's default windows ending now. */
function reportsOf(data: Data, now: number) {
  const from = now - 30 * DAY;
  const to = now + 1;
  const keys = Array.from({ length: 50 }, (_, k) => `key_${k}`);
  const sessions = { fromMs: now - 7 * DAY, toMs: to, limit: 100 };
  const out: { name: string; before: () => Promise<unknown>; after: () => Promise<unknown> }[] = [];
  for (const by of ["key", "team", "model", "user", "day"] as SpendGroup[])
    out.push({
      name: `spend by ${by}, 30 days`,
      before: () => usageByBefore(data, by, from, to),
      after: () => usageBy(data, by, from, to),
    });
  out.push({
    name: "spend by tag:project, 30 days",
    before: () => usageByTagBefore(data, "project", from, to),
    after: () => usageByTag(data, "project", from, to),
  });
  out.push({
    name: "spend of 50 keys since 30 days ago (keys list)",
    before: () => spentByBefore(data, "key", keys, from),
    after: () => spentBy(data, "key", keys, from),
  });
  for (const sort of ["cost", "recent"] as const)
    out.push({
      name: `sessions by ${sort}, 7 days`,
      before: () => listSessionsBefore(data, { ...sessions, sort }),
      after: () => listSessions(data, { ...sessions, sort }),
    });
  const month = { ...sessions, fromMs: from, sort: "cost" as const };
  out.push({
    name: "sessions by cost, 30 days",
    before: () => listSessionsBefore(data, month),
    after: () => listSessions(data, month),
  });
  return out;
}

async function pgAdmin(q: string): Promise<void> {
  const pg = createRequire(import.meta.url)("pg") as typeof import("pg");
  const c = new pg.Client({ connectionString: benchPgUrl(), connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    await c.query(q);
  } finally {
    await c.end();
  }
}

/** A fresh database of the engine for one size: its location and how to drop it. */
async function freshStore(engine: "sqlite" | "postgres") {
  const dir = mkdtempSync(join(tmpdir(), "llmux-bench-rollup-"));
  const path = join(dir, "store.db");
  if (engine === "sqlite")
    return { path, url: undefined, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  const name = `llmux_bench_rollup_${randomBytes(4).toString("hex")}`;
  await pgAdmin(`create database ${name}`);
  const u = new URL(benchPgUrl());
  u.pathname = `/${name}`;
  return {
    path,
    url: u.toString(),
    drop: async () => {
      rmSync(dir, { recursive: true, force: true });
      await pgAdmin(`drop database if exists ${name} with (force)`);
    },
  };
}

async function count(data: Data, table: "spend_rollup" | "session_rollup"): Promise<number> {
  const db = await data.db();
  return Number((await db.selectFrom(table).select(sql<number>`count(*)`.as("n")).executeTakeFirstOrThrow()).n);
}

/** One settled batch of 200 requests, written with the rollups (Data.write) and without (the engine alone). */
async function batchCost(data: Data, where: { path: string; url?: string | undefined }, runs: number) {
  const db = await data.db();
  const ids = Array.from({ length: 200 }, (_, j) => `req_${j}`);
  const ledger = await db.selectFrom("ledger").selectAll().where("id", "in", ids).execute();
  const log = await db.selectFrom("request_log").selectAll().where("id", "in", ids).execute();
  let seq = 0;
  const ops = (): WriteOp[] => {
    seq++;
    const at = Date.now();
    return [
      { insert: "ledger", rows: ledger.map((r) => ({ ...r, id: `new_${seq}_${r.id}`, at })) },
      { insert: "request_log", rows: log.map((r) => ({ ...r, id: `new_${seq}_${r.id}`, at })) },
    ];
  };
  const bare = openEngine({ ...where, pool: { size: 2, connectTimeoutMs: 5000, statementTimeoutMs: 600_000 } });
  try {
    const withRollups = await timed(runs, () => data.write(ops()));
    const without = await timed(runs, () => bare.write(compileOps(ops())));
    return { withRollups, without };
  } finally {
    await bare.release();
  }
}

async function measureSize(engine: "sqlite" | "postgres", rows: number, runs: number): Promise<RollupSize> {
  const store = await freshStore(engine);
  const data = new Data({
    path: store.path,
    url: store.url,
    pool: { size: 4, connectTimeoutMs: 5000, statementTimeoutMs: 600_000 },
  });
  try {
    const db = await data.db();
    const now = Date.now();
    const t = performance.now();
    await seedReportRows(data, rows, now);
    const seedSeconds = (performance.now() - t) / 1000;
    const backfillSeconds = (await backfillReportRollups(data)) / 1000;
    if (engine === "postgres") await sql`analyze`.execute(db);
    const reports: RollupReport[] = [];
    for (const r of reportsOf(data, now))
      reports.push({ name: r.name, before: await timed(runs, r.before), after: await timed(runs, r.after) });
    return {
      rows,
      seedSeconds,
      backfillSeconds,
      spendRollupRows: await count(data, "spend_rollup"),
      sessionRollupRows: await count(data, "session_rollup"),
      reports,
      batchOf200: await batchCost(data, store, runs),
    };
  } finally {
    await data.close();
    await store.drop();
  }
}

export async function measureRollupReports(
  quick: boolean,
  log: (line: string) => void = () => undefined,
): Promise<RollupReports> {
  const sizes = quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
  const runs = quick ? 3 : 5;
  const engines: RollupEngine[] = [];
  for (const engine of ["sqlite", "postgres"] as const) {
    const e: RollupEngine = { engine, sizes: [] };
    engines.push(e);
    if (engine === "postgres") {
      const why = await pgAdmin("select 1").then(
        () => undefined,
        (err: Error) => `PostgreSQL not reachable at ${benchPgUrl().replace(/\/\/[^@]*@/, "//")}: ${err.message}`,
      );
      if (why) {
        e.skipped = why;
        log(`rollup lane: ${why}`);
        continue;
      }
    }
    for (const rows of sizes) {
      const s = await measureSize(engine, rows, runs);
      e.sizes.push(s);
      for (const line of sizeLines(engine, s)) log(line);
    }
  }
  return { engines };
}

const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(0));

function sizeLines(engine: string, s: RollupSize): string[] {
  return [
    `rollup lane, ${engine}, ${s.rows.toLocaleString("en-US")} rows (seeded in ${s.seedSeconds.toFixed(1)} s, back-filled in ${s.backfillSeconds.toFixed(1)} s; rollup rows: spend ${s.spendRollupRows}, sessions ${s.sessionRollupRows}):`,
    ...s.reports.map(
      (r) => `  ${r.name}: ${ms(r.before.p50)} → ${ms(r.after.p50)} ms p50 (after: max ${ms(r.after.max)} ms)`,
    ),
    `  a settled batch of 200 requests: ${ms(s.batchOf200.without.p50)} ms without the rollups, ${ms(s.batchOf200.withRollups.p50)} ms with`,
  ];
}
