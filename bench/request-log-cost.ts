/**
 * What the request log costs, measured in the bench process (the lanes' end-to-end noise on a shared machine
 * is far above the 0.1 ms target):
 *
 * - end to end: three gateways in this process (request log off, metadata only, metadata and bodies), each
 *   on its own SQLite store, in front of the built-in mock model; the same Chat request sent to each in
 *   turn, rounds interleaved so that the machine's noise falls on all three alike; p50 and p99 per mode and
 *   the p50 differences over "off";
 * - the settle stage's own work per request: queueing the row (and, with bodies, keeping them) plus its share
 *   of the batched writes (redaction, compression and the INSERTs are timed and divided by the rows);
 * - GET /admin/v1/requests, first page of 50, with 1,000,000 rows in the store (and filtered by a key).
 */
import { mkdtempSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { parseConfig } from "../src/config/load.js";
import { startCapture } from "../src/request/capture.js";
import { newRecord } from "../src/request/record.js";
import { RequestLog } from "../src/requestlog/request-log.js";
import { Redactor } from "../src/secrets/redact.js";
import { Gateway } from "../src/server/gateway.js";
import { seedRequests } from "./seed-requests.js";
import { measureSqliteWrites, type SqliteWrites, sqliteWritesLine } from "./sqlite-writes.js";
import { summarize } from "./stats.js";

export interface Percentiles {
  p50: number;
  p99: number;
  n: number;
}

export interface RequestLogCost {
  /** Milliseconds per request through a gateway, by mode. */
  endToEnd: { off: Percentiles; metadata: Percentiles; bodies: Percentiles };
  /** p50 over "off", milliseconds. */
  metadataOverOffMs: number;
  bodiesOverOffMs: number;
  /** The settle stage's work per request, microseconds (queueing, plus the batch writes divided by the rows). */
  settleUs: { metadata: Percentiles & { batchUsPerRow: number }; bodies: Percentiles & { batchUsPerRow: number } };
  /** The event loop held by the batched SQLite writes (request log and ledger), and their rate; absent in older results. */
  writes?: SqliteWrites;
  /** GET /admin/v1/requests?limit=50 with `rows` rows in the store (SQLite), milliseconds. */
  list: { rows: number; firstPage: Percentiles; byKey: Percentiles; seedSeconds: number };
  /** Retention pruning 100,000 expired rows while /health is probed; absent in older results. */
  prune?: { rows: number; seconds: number; maxLoopGapMs: number; health: Percentiles };
}

const ADMIN = "bench-admin-key-0123456789";

function stats(samples: number[]): Percentiles {
  const s = summarize(samples);
  return { p50: s.p50, p99: s.p99, n: samples.length };
}

function storePath(): string {
  return join(mkdtempSync(join(tmpdir(), "llmux-bench-log-")), "llmux.db");
}

const silent = pino({ level: "silent" });

async function gateway(logging: Record<string, unknown>, path = storePath()): Promise<{ g: Gateway; port: number }> {
  const config = parseConfig(
    {
      store: { path },
      admin: { keys: [ADMIN] },
      providers: { mock: { type: "mock", dialect: "openai-chat", reply: "A short answer from the mock model." } },
      models: { "bench-model": { provider: "mock", model: "bench-model" } },
      logging: { level: "silent", ...logging },
    },
    {},
  );
  const g = new Gateway(config, silent);
  await g.open();
  const addr = await g.listen(0, "127.0.0.1");
  return { g, port: addr.port };
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function send(port: number, method: string, path: string, body?: string, key?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        agent,
        headers: {
          "content-type": "application/json",
          ...(body ? { "content-length": Buffer.byteLength(body) } : {}),
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(performance.now() - t));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** A Chat request of a few kilobytes, like a short coding-tool turn. */
const BODY = JSON.stringify({
  model: "bench-model",
  messages: [
    { role: "system", content: "You are a coding assistant. ".repeat(60) },
    {
      role: "user",
      content: "Explain this function:\n```ts\nexport const add = (a: number, b: number) => a + b;\n```",
    },
  ],
});

async function endToEnd(rounds: number, perRound: number): Promise<RequestLogCost["endToEnd"]> {
  const modes = {
    off: await gateway({ requests: false }),
    metadata: await gateway({ requests: true, bodies: "off" }),
    bodies: await gateway({ requests: true, bodies: "all" }),
  };
  const samples: Record<keyof typeof modes, number[]> = { off: [], metadata: [], bodies: [] };
  try {
    for (const m of Object.values(modes))
      for (let i = 0; i < 200; i++) await send(m.port, "POST", "/v1/chat/completions", BODY);
    for (let r = 0; r < rounds; r++) {
      const order = (["off", "metadata", "bodies"] as const).slice();
      if (r % 2) order.reverse();
      for (const mode of order)
        for (let i = 0; i < perRound; i++)
          samples[mode].push(await send(modes[mode].port, "POST", "/v1/chat/completions", BODY));
    }
  } finally {
    for (const m of Object.values(modes)) await m.g.close();
  }
  return { off: stats(samples.off), metadata: stats(samples.metadata), bodies: stats(samples.bodies) };
}

/** The settle stage's share: record() timed per request, and the batched writes timed as a whole. */
async function settleCost(n: number, bodies: boolean): Promise<RequestLogCost["settleUs"]["metadata"]> {
  const { Data } = await import("../src/data/data.js");
  const data = new Data({ path: storePath() });
  await data.db();
  let writeMs = 0;
  const log = new RequestLog(
    data,
    mkdtempSync(join(tmpdir(), "llmux-bench-spool-")),
    {
      bodies: bodies ? "all" : "off",
      bodyMaxBytes: 1 << 20,
      retentionDays: 30,
      bodiesRetentionDays: 7,
      conversations: false,
    },
    new Redactor(["sk-bench-provider-secret-0123456789"]),
    { spooled: () => undefined, caughtUp: () => undefined },
    60_000,
  );
  const { ServerResponse, IncomingMessage } = await import("node:http");
  const { Socket } = await import("node:net");
  const samples: number[] = [];
  const raw = Buffer.from(BODY);
  for (let i = 0; i < n; i++) {
    const rec = newRecord(`req_bench_${bodies ? "b" : "m"}_${i}`, "POST", "/v1/chat/completions");
    Object.assign(rec, {
      kind: "generate",
      client: "openai-chat",
      requested: "bench-model",
      alias: "bench-model",
      provider: "mock",
      model: "bench-model",
      stream: false,
      status: 200,
      firstByteAt: rec.startedAt + 1,
      usage: { inputTokens: 420, outputTokens: 9 },
      cost: { nanos: 1234, estimated: false, priced: true },
      key: "bench",
      keyId: "key_bench",
    });
    if (bodies) {
      const res = new ServerResponse(new IncomingMessage(new Socket()));
      rec.capture = startCapture({ authorization: "Bearer sk-bench-caller-key-0123456789" }, res, log.captureBytes);
      rec.capture.request(raw);
      rec.capture.upstream("http://127.0.0.1/v1/chat/completions", BODY, undefined);
      res.write('{"id":"chatcmpl-1","choices":[{"message":{"content":"A short answer from the mock model."}}]}');
    }
    const t = process.hrtime.bigint();
    log.record(rec);
    samples.push(Number(process.hrtime.bigint() - t) / 1000);
    if ((i + 1) % 500 === 0) {
      const w = performance.now();
      await log.flush();
      writeMs += performance.now() - w;
    }
  }
  const w = performance.now();
  await log.flush();
  writeMs += performance.now() - w;
  await log.close();
  await data.close();
  return { ...stats(samples.slice(200)), batchUsPerRow: (writeMs * 1000) / n };
}

async function listCost(rows: number, calls: number): Promise<RequestLogCost["list"]> {
  const path = storePath();
  const { Data } = await import("../src/data/data.js");
  const data = new Data({ path });
  const t = performance.now();
  await seedRequests(data, { rows, newestAt: Date.now(), stepMs: 50, keys: 200 });
  const seedSeconds = (performance.now() - t) / 1000;
  await data.close();
  const { g, port } = await gateway({ requests: false }, path);
  const first: number[] = [];
  const byKey: number[] = [];
  try {
    for (let i = 0; i < calls; i++) {
      first.push(await send(port, "GET", "/admin/v1/requests?limit=50", undefined, ADMIN));
      byKey.push(await send(port, "GET", `/admin/v1/requests?limit=50&key_id=key_seed_${i % 200}`, undefined, ADMIN));
    }
  } finally {
    await g.close();
  }
  return { rows, firstPage: stats(first), byKey: stats(byKey), seedSeconds };
}

/** Retention: `rows` expired rows pruned by the request log, while /health is asked and the event loop watched. */
async function pruneCost(rows: number): Promise<NonNullable<RequestLogCost["prune"]>> {
  const path = storePath();
  const { Data } = await import("../src/data/data.js");
  const data = new Data({ path });
  await seedRequests(data, { rows, newestAt: Date.now() - 40 * 86_400_000, stepMs: 1, prefix: "req_old_" });
  await data.close();
  const { g, port } = await gateway({}, path);
  let maxGap = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
  }, 1);
  const health: number[] = [];
  let done = false;
  const probes = (async () => {
    while (!done) health.push(await send(port, "GET", "/health"));
  })();
  try {
    const t = performance.now();
    const r = await g.requestLog!.prune();
    const seconds = (performance.now() - t) / 1000;
    done = true;
    await probes;
    return { rows: r.rows, seconds, maxLoopGapMs: maxGap, health: stats(health) };
  } finally {
    done = true;
    clearInterval(ticker);
    await g.close();
  }
}

export async function measureRequestLogCost(quick = false): Promise<RequestLogCost> {
  const e2e = await endToEnd(quick ? 4 : 10, quick ? 200 : 500);
  const metadata = await settleCost(quick ? 5_000 : 20_000, false);
  const bodies = await settleCost(quick ? 2_000 : 5_000, true);
  const writes = await measureSqliteWrites(quick ? 20 : 50);
  const list = await listCost(1_000_000, quick ? 20 : 50);
  const prune = await pruneCost(100_000);
  agent.destroy();
  return {
    endToEnd: e2e,
    metadataOverOffMs: e2e.metadata.p50 - e2e.off.p50,
    bodiesOverOffMs: e2e.bodies.p50 - e2e.off.p50,
    settleUs: { metadata, bodies },
    writes,
    list,
    prune,
  };
}

export function requestLogLines(c: RequestLogCost): string[] {
  const f = (v: number, d = 3) => v.toFixed(d);
  return [
    `request log, end to end (in process, mock model): p50 off ${f(c.endToEnd.off.p50)} ms, metadata ${f(c.endToEnd.metadata.p50)} ms (+${f(c.metadataOverOffMs)}), bodies ${f(c.endToEnd.bodies.p50)} ms (+${f(c.bodiesOverOffMs)}); p99 ${f(c.endToEnd.off.p99)} / ${f(c.endToEnd.metadata.p99)} / ${f(c.endToEnd.bodies.p99)} ms`,
    `request log, settle stage per request: metadata p50 ${f(c.settleUs.metadata.p50, 1)} µs + batch writes ${f(c.settleUs.metadata.batchUsPerRow, 1)} µs/row; bodies p50 ${f(c.settleUs.bodies.p50, 1)} µs + batch (redaction, compression, inserts) ${f(c.settleUs.bodies.batchUsPerRow, 1)} µs/row`,
    ...(c.writes ? [sqliteWritesLine(c.writes)] : []),
    `request log list, ${c.list.rows.toLocaleString("en-US")} rows (SQLite, seeded in ${f(c.list.seedSeconds, 1)} s): GET /admin/v1/requests first page p50 ${f(c.list.firstPage.p50, 2)} ms, p99 ${f(c.list.firstPage.p99, 2)} ms; by key p50 ${f(c.list.byKey.p50, 2)} ms`,
    ...(c.prune
      ? [
          `request log retention: ${c.prune.rows.toLocaleString("en-US")} expired rows pruned in ${f(c.prune.seconds, 2)} s (SQLite, batches); meanwhile /health p50 ${f(c.prune.health.p50, 2)} ms, p99 ${f(c.prune.health.p99, 2)} ms (${c.prune.health.n} probes), event loop held at most ${f(c.prune.maxLoopGapMs, 1)} ms`,
        ]
      : []),
  ];
}
