/**
 * What the batched SQLite writes (the request log and the spend ledger) cost the event loop: batches of 200
 * rows of each written through their one writer (RequestLog) to a fresh SQLite file, while a 1 ms
 * ticker runs: the longest gap between two ticks during a batch is the longest the event loop was held
 * (about 1 ms when it was not held at all), and the rows written per second.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Data } from "../src/data/data.js";
import { newRecord } from "../src/request/record.js";
import { RequestLog, type RequestLogSettings } from "../src/requestlog/request-log.js";
import { Redactor } from "../src/secrets/redact.js";
import { summarize } from "./stats.js";

export interface SqliteWrites {
  /** Rows per batch, of each table. */
  batch: number;
  batches: number;
  /** The longest gap between two ticks of a 1 ms ticker while each batch was written, milliseconds. */
  blockMs: { p50: number; p99: number; max: number };
  /** The same over as long a time with nothing written (the machine's own noise), milliseconds. */
  idleMs: { p50: number; p99: number; max: number };
  /** Request-log and ledger rows written per second (wall time of the writes). */
  rowsPerSecond: number;
}

const quiet = { spooled: () => undefined, caughtUp: () => undefined };

export async function measureSqliteWrites(batches = 50, batch = 200): Promise<SqliteWrites> {
  const dir = mkdtempSync(join(tmpdir(), "llmux-bench-writes-"));
  const data = new Data({ path: join(dir, "llmux.db") });
  await data.db();
  const settings: RequestLogSettings = {
    bodies: "off",
    bodyMaxBytes: 0,
    retentionDays: 30,
    bodiesRetentionDays: 7,
    conversations: false,
  };
  const log = new RequestLog(data, dir, settings, new Redactor([]), quiet, 600_000);
  let n = 0;
  const round = () => {
    for (let i = 0; i < batch; i++, n++) {
      const id = `req_bench_w_${n}_${Math.random().toString(36).slice(2, 10)}`;
      const rec = newRecord(id, "POST", "/v1/chat/completions");
      Object.assign(rec, {
        kind: "generate",
        client: "openai-chat",
        requested: "bench-model",
        alias: "bench-model",
        provider: "mock",
        model: "bench-model",
        stream: false,
        status: 200,
        usage: { inputTokens: 420, outputTokens: 9 },
        cost: { nanos: 1234, estimated: false, priced: true },
        key: "bench",
        keyId: `key_${n % 50}`,
        teamId: `team_${n % 5}`,
      });
      // Its request-log row and (a minted key's request) its ledger row.
      log.record(rec);
    }
  };
  const write = () => log.flush();
  // Warm up: the tables hold some rows, the statements are prepared.
  for (let b = 0; b < 10; b++) {
    round();
    await write();
  }
  // A ticker all along, every millisecond: the longest gap between two ticks is the longest the loop was held.
  // (perf_hooks' monitorEventLoopDelay misses the tick a block delays right after a reset.)
  let last = performance.now();
  let gap = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    if (now - last > gap) gap = now - last;
    last = now;
  }, 1);
  const block: number[] = [];
  const idle: number[] = [];
  let writing = 0;
  try {
    for (let b = 0; b < batches; b++) {
      round();
      await new Promise((r) => setTimeout(r, 5));
      gap = 0;
      const t = performance.now();
      await write();
      const took = performance.now() - t;
      writing += took;
      // A last tick, so that a block at the end of the write is sampled too.
      await new Promise((r) => setTimeout(r, 3));
      block.push(gap);
      gap = 0;
      await new Promise((r) => setTimeout(r, took + 3));
      idle.push(gap);
    }
  } finally {
    clearInterval(ticker);
    await log.close();
  }
  // Every row reached the database (the figure is of writes that happened).
  const db = await data.db();
  for (const table of ["request_log", "ledger"] as const) {
    const { c } = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("c"))
      .executeTakeFirstOrThrow();
    if (Number(c) !== n) throw new Error(`${table}: ${c} rows written of ${n}`);
  }
  await data.close();
  const s = summarize(block);
  const i = summarize(idle);
  return {
    batch,
    batches,
    blockMs: { p50: s.p50, p99: s.p99, max: s.max },
    idleMs: { p50: i.p50, p99: i.p99, max: i.max },
    rowsPerSecond: (2 * batch * batches) / (writing / 1000),
  };
}

export function sqliteWritesLine(w: SqliteWrites): string {
  const f = (v: number) => v.toFixed(1);
  return `SQLite batched writes (request log + ledger, ${w.batch} rows each per batch, ${w.batches} batches): event loop held per batch p50 ${f(w.blockMs.p50)} ms, p99 ${f(w.blockMs.p99)} ms, max ${f(w.blockMs.max)} ms (with nothing written: p50 ${f(w.idleMs.p50)} ms, p99 ${f(w.idleMs.p99)} ms, max ${f(w.idleMs.max)} ms); ${Math.round(w.rowsPerSecond).toLocaleString("en-US")} rows/s`;
}
