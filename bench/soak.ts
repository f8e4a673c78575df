/**
 * The money soak (issue 13), part of `npm run bench` (`--soak-only` runs just it, `--no-soak` skips it):
 *
 * 1. 10,000 streamed Chat Completions requests over 20 minted keys of one team, every key and the team with a
 *    budget and rpm/tpm/concurrency limits, 50 at a time, every 10th aborted by the client after its first
 *    chunks. After a graceful shutdown the ledger must hold exactly one row per request, and its cost sum (taken
 *    by the database) must equal the sum of the rows' costs and, for the requests that completed, the costs the
 *    client computes itself from the usage it was sent and the shipped price of the model.
 * 2. The latency budgets + limits add over a plain minted key: the same small non-streamed request, one at a
 *    time, alternating a key without quotas and a key (and team) with a budget and rpm/tpm/concurrency limits,
 *    on the in-process hot state and on Redis (127.0.0.1:6379, or --redis / LLMUX_BENCH_REDIS).
 *
 * llmux and the mock upstream run in this process (the lanes' separate processes are not needed to count rows).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { PriceTable } from "../src/billing/prices.js";
import { parseConfig } from "../src/config/load.js";
import { Data } from "../src/data/data.js";
import { startMockServer } from "../src/mock/server.js";
import { Gateway } from "../src/server/gateway.js";
import { type AdmissionCost, admissionCost } from "./admission-cost.js";
import { benchRedisUrl } from "./endpoints.js";
import { log } from "./progress.js";

const ADMIN = "soak-admin-key-0123456789";
const MASTER = "soak-master-key-0123456789abcdef";
const MODEL = "gpt-4.1";

export interface SoakResult {
  requests: number;
  aborted: number;
  completed: number;
  failed: number;
  wallSeconds: number;
  ledgerRows: number;
  ledgerCostNanos: string;
  rowsCostNanos: string;
  clientCostNanos: string;
  completedLedgerCostNanos: string;
  estimatedRows: number;
  exact: boolean;
  latency: LatencyResult[];
}

export interface LatencyResult {
  state: "memory" | "redis";
  samples: number;
  plainP50Ms: number;
  quotasP50Ms: number;
  addedP50Ms: number;
  plainP90Ms: number;
  quotasP90Ms: number;
  /** The admit stage alone (admit + settle in process, no HTTP). */
  admit?: AdmissionCost | undefined;
}

/** Nano-dollars per token for USD per million tokens (exact for prices with at most 3 decimals). */
const perToken = (usdPerMillion: number) => BigInt(Math.round(usdPerMillion * 1000));

function shippedPrice(): { input: bigint; output: bigint; cacheRead: bigint } {
  const p = new PriceTable().find(MODEL)!;
  if (p.when) throw new Error(`${MODEL}'s price changes with the time: the soak needs a fixed one`);
  return { input: perToken(p.input), output: perToken(p.output), cacheRead: perToken(p.cache_read ?? p.input) };
}

/** The usage the mock reports for request n (varied, with cached input on every third). */
function usageFor(n: number) {
  return { input: 100 + (n % 50), output: 20 + (n % 13), cacheRead: n % 3 === 0 ? 32 : 0 };
}

async function startGateway(state?: { url: string; prefix: string }) {
  const mock = await startMockServer({
    chunkDelayMs: 1,
    fallback: (body) => {
      const text = JSON.stringify((body as { messages?: { content?: unknown }[] }).messages?.at(-1)?.content ?? "");
      const n = Number(/req (\d+)/.exec(text)?.[1] ?? 0);
      return {
        model: MODEL,
        blocks: [{ type: "text", text: "soak answer word ".repeat(12) }],
        chunkChars: 20,
        usage: usageFor(n),
      };
    },
  });
  const dir = mkdtempSync(join(tmpdir(), "llmux-soak-"));
  const storePath = join(dir, "llmux.db");
  const config = parseConfig(
    {
      store: { path: storePath },
      admin: { keys: [ADMIN] },
      secrets: { master_key: MASTER },
      ...(state ? { state } : {}),
      logging: { level: "error" },
      providers: { up: { type: "openai", base_url: `${mock.url}/v1`, api_key: "x", api: "chat" } },
      models: { soak: { provider: "up", model: MODEL } },
    },
    {},
  );
  const gateway = new Gateway(config, pino({ level: "error" }, pino.destination("/dev/null")));
  const addr = await gateway.listen(0, "127.0.0.1");
  const url = `http://127.0.0.1:${addr.port}`;
  return {
    url,
    storePath,
    async close() {
      await gateway.close();
      await mock.close();
    },
  };
}

async function admin(url: string, path: string, body: object): Promise<Record<string, string>> {
  const res = await fetch(`${url}/admin/v1/${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`POST /admin/v1/${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, string>;
}

const QUOTAS = {
  budget: { usd: 100_000, period: "day" },
  limits: { rpm: 1_000_000, tpm: 1_000_000_000, concurrency: 200 },
};

async function mintQuotaKeys(url: string, n: number): Promise<string[]> {
  const team = await admin(url, "teams", { name: `soak-${randomBytes(3).toString("hex")}`, ...QUOTAS });
  const keys: string[] = [];
  for (let i = 0; i < n; i++)
    keys.push((await admin(url, "keys", { name: `soak-${i}`, team_id: team.id, ...QUOTAS })).key!);
  return keys;
}

/** One streamed request; aborted after its third chunk when `abort`. Returns the usage the client saw, if any. */
async function streamOne(url: string, key: string, n: number, abort: boolean) {
  const ac = new AbortController();
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    signal: ac.signal,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: "soak",
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 64,
      messages: [{ role: "user", content: `req ${n}: say something` }],
    }),
  });
  if (res.status !== 200) throw new Error(`request ${n}: ${res.status} ${await res.text()}`);
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = "";
  let chunks = 0;
  let usage: { prompt_tokens: number; completion_tokens: number; cached?: number } | undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (abort && ++chunks >= 3) {
        ac.abort();
        return undefined;
      }
      buf += dec.decode(value, { stream: true });
      let i = buf.indexOf("\n\n");
      while (i >= 0) {
        const ev = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const data = ev.startsWith("data: ") ? ev.slice(6) : "";
        if (data && data !== "[DONE]") {
          const j = JSON.parse(data) as {
            usage?: {
              prompt_tokens: number;
              completion_tokens: number;
              prompt_tokens_details?: { cached_tokens?: number };
            };
          };
          if (j.usage) usage = { ...j.usage, cached: j.usage.prompt_tokens_details?.cached_tokens ?? 0 };
        }
        i = buf.indexOf("\n\n");
      }
    }
  } catch (err) {
    if (abort) return undefined;
    throw err;
  }
  return usage;
}

async function soakLedger(requests: number, concurrency: number): Promise<Omit<SoakResult, "latency">> {
  const g = await startGateway();
  const price = shippedPrice();
  const keys = await mintQuotaKeys(g.url, 20);
  let next = 0;
  let aborted = 0;
  let completed = 0;
  let failed = 0;
  let clientCost = 0n;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const n = next++;
      if (n >= requests) return;
      const abort = n % 10 === 9;
      try {
        const u = await streamOne(g.url, keys[n % keys.length]!, n, abort);
        if (abort) {
          aborted++;
          continue;
        }
        if (!u) throw new Error(`request ${n}: no usage in the stream`);
        completed++;
        const cached = BigInt(u.cached ?? 0);
        clientCost +=
          (BigInt(u.prompt_tokens) - cached) * price.input +
          cached * price.cacheRead +
          BigInt(u.completion_tokens) * price.output;
      } catch (err) {
        failed++;
        if (failed <= 3) log(`soak: ${(err as Error).message}`);
      }
      if ((n + 1) % 2000 === 0) log(`soak: ${n + 1} of ${requests} requests sent`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallSeconds = (performance.now() - started) / 1000;
  await g.close(); // the graceful shutdown flushes the ledger
  const data = new Data({ path: g.storePath });
  const db = await data.db();
  const sum = await db
    .selectFrom("ledger")
    .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.sum<number | string>("cost_nanos").as("cost")])
    .executeTakeFirstOrThrow();
  const rows = await db.selectFrom("ledger").select(["cost_nanos", "outcome", "estimated"]).execute();
  await data.close();
  const rowsCost = rows.reduce((s, r) => s + BigInt(r.cost_nanos), 0n);
  const completedCost = rows.filter((r) => !r.estimated).reduce((s, r) => s + BigInt(r.cost_nanos), 0n);
  const estimatedRows = rows.filter((r) => r.estimated).length;
  const ledgerCost = BigInt(sum.cost ?? 0);
  return {
    requests,
    aborted,
    completed,
    failed,
    wallSeconds,
    ledgerRows: Number(sum.n),
    ledgerCostNanos: ledgerCost.toString(),
    rowsCostNanos: rowsCost.toString(),
    clientCostNanos: clientCost.toString(),
    completedLedgerCostNanos: completedCost.toString(),
    estimatedRows,
    exact:
      Number(sum.n) === requests &&
      failed === 0 &&
      ledgerCost === rowsCost &&
      completedCost === clientCost &&
      estimatedRows === aborted,
  };
}

async function timed(url: string, key: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "soak", max_tokens: 64, messages: [{ role: "user", content: "req 1: hi" }] }),
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`latency probe: ${res.status}`);
  return performance.now() - t;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function addedLatency(state: "memory" | "redis", samples: number): Promise<LatencyResult> {
  const g = await startGateway(
    state === "redis" ? { url: benchRedisUrl(), prefix: `llmux-soak-${randomBytes(4).toString("hex")}:` } : undefined,
  );
  try {
    const plain = (await admin(g.url, "keys", { name: "plain" })).key!;
    const [quota] = await mintQuotaKeys(g.url, 1);
    for (let i = 0; i < 300; i++) await Promise.all([timed(g.url, plain), timed(g.url, quota!)]);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < samples; i++) {
      if (i % 2 === 0) {
        a.push(await timed(g.url, plain));
        b.push(await timed(g.url, quota!));
      } else {
        b.push(await timed(g.url, quota!));
        a.push(await timed(g.url, plain));
      }
    }
    const r = (x: number) => Math.round(x * 1000) / 1000;
    return {
      state,
      samples,
      plainP50Ms: r(pct(a, 50)),
      quotasP50Ms: r(pct(b, 50)),
      addedP50Ms: r(pct(b, 50) - pct(a, 50)),
      plainP90Ms: r(pct(a, 90)),
      quotasP90Ms: r(pct(b, 90)),
    };
  } finally {
    await g.close();
  }
}

export function soakMarkdown(r: SoakResult): string {
  const usd = (nanos: string) => `$${(Number(BigInt(nanos)) / 1e9).toFixed(6)} (${nanos} nano-dollars)`;
  return [
    "## Money soak: budgets, limits and the ledger",
    "",
    `${r.requests} streamed requests, 50 at a time over 20 minted keys of one team (budgets and rpm/tpm/concurrency`,
    `limits on every key and on the team), ${r.aborted} aborted by the client mid-stream; ${r.wallSeconds.toFixed(1)} s.`,
    "",
    "| check | figure |",
    "|---|---|",
    `| requests completed / aborted / failed | ${r.completed} / ${r.aborted} / ${r.failed} |`,
    `| ledger rows (after a graceful shutdown) | ${r.ledgerRows} |`,
    `| ledger cost sum (database SUM) | ${usd(r.ledgerCostNanos)} |`,
    `| sum of the rows' costs | ${usd(r.rowsCostNanos)} |`,
    `| completed requests: ledger / client's own computation | ${usd(r.completedLedgerCostNanos)} / ${usd(r.clientCostNanos)} |`,
    `| rows marked estimated (aborted streams) | ${r.estimatedRows} |`,
    `| exact | ${r.exact ? "yes" : "**NO**"} |`,
    "",
    "Added latency of a budget and limits (key and team) over a plain minted key, same request one at a time:",
    "",
    "| hot state | samples | plain p50 ms | with quotas p50 ms | added p50 ms | plain p90 ms | with quotas p90 ms | admit + settle alone p50 / p90 ms |",
    "|---|---|---|---|---|---|---|---|",
    ...r.latency.map(
      (l) =>
        `| ${l.state} | ${l.samples} | ${l.plainP50Ms} | ${l.quotasP50Ms} | ${l.addedP50Ms} | ${l.plainP90Ms} | ${l.quotasP90Ms} | ${l.admit ? `${l.admit.p50Ms} / ${l.admit.p90Ms}` : "-"} |`,
    ),
    "",
    "Targets: at most 0.15 ms p50 added in memory, 0.6 ms with Redis. The end-to-end difference carries the noise",
    "of two HTTP hops on a shared machine; the last column is the admit stage alone.",
    "",
  ].join("\n");
}

export async function runSoak(opts: { requests?: number; samples?: number; out?: string } = {}): Promise<SoakResult> {
  const requests = opts.requests ?? 10_000;
  log(`soak: ${requests} requests, 10% aborted mid-stream`);
  const ledger = await soakLedger(requests, 50);
  log(
    `soak: ${ledger.ledgerRows} ledger rows for ${requests} requests; cost ${ledger.ledgerCostNanos} nanos (rows ${ledger.rowsCostNanos}); exact: ${ledger.exact}`,
  );
  const latency: LatencyResult[] = [];
  for (const state of ["memory", "redis"] as const) {
    try {
      const l = await addedLatency(state, opts.samples ?? 2000);
      l.admit = await admissionCost(state, opts.samples ?? 2000);
      latency.push(l);
      log(
        `soak: budgets+limits add ${l.addedP50Ms} ms p50 on ${state} (${l.plainP50Ms} → ${l.quotasP50Ms}); the admit stage alone ${l.admit.p50Ms} ms p50`,
      );
    } catch (err) {
      log(`soak: latency on ${state} not measured: ${(err as Error).message}`);
    }
  }
  const result = { ...ledger, latency };
  if (opts.out) writeFileSync(opts.out, soakMarkdown(result));
  return result;
}
