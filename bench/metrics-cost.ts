/**
 * What metrics cost on the generation path: two llmux processes on the same configuration, one with
 * /metrics on (the default once an admin key is set), one with `metrics: { enabled: false }`, measured
 * together on one lane (Messages → Anthropic, passthrough, streamed, small body) at concurrency 1, their
 * requests alternating one by one so that both see the same machine. Reported, never asserted.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Pool } from "undici";
import { llmuxEntry } from "./llmux-entry.js";
import { freePort, startServer } from "./procs.js";
import { summarize } from "./stats.js";

export interface MetricsCost {
  /** Latency in ms (request sent → last byte) with metrics on and off, p50 and p99. */
  on: { p50: number; p99: number };
  off: { p50: number; p99: number };
  /** on − off, p50, in ms. */
  addedP50: number;
  n: number;
}

const BODY = Buffer.from(
  JSON.stringify({
    model: "bench-anth",
    max_tokens: 64,
    stream: true,
    messages: [{ role: "user", content: "Hello there, how are you today?" }],
  }),
);

async function once(pool: Pool): Promise<number> {
  const t0 = performance.now();
  const r = await pool.request({
    path: "/v1/messages",
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: BODY,
  });
  await r.body.arrayBuffer();
  if (r.statusCode !== 200) throw new Error(`metrics cost lane: status ${r.statusCode}`);
  return performance.now() - t0;
}

export async function measureMetricsCost(
  root: string,
  dir: string,
  mockPort: number,
  n = 2000,
  warmup = 300,
): Promise<MetricsCost> {
  const base = [
    "server: { host: 127.0.0.1, port: 0 }",
    "logging: { level: info, pretty: false }",
    "admin: { keys: [bench-admin-key-metrics-cost] }",
    `providers: { anth: { type: anthropic, base_url: "http://127.0.0.1:${mockPort}", api_key: bench } }`,
    "models: { bench-anth: { provider: anth, model: claude-bench } }",
  ];
  const servers = [];
  const pools: Pool[] = [];
  try {
    for (const metrics of ["true", "false"]) {
      const file = join(dir, `bench-metrics-${metrics}.yaml`);
      const lines = [
        ...base,
        `metrics: { enabled: ${metrics} }`,
        `store: { path: "${join(dir, `bench-metrics-${metrics}.db`)}" }`,
      ];
      writeFileSync(file, `${lines.join("\n")}\n`);
      const port = await freePort();
      const server = await startServer({
        name: `llmux (metrics ${metrics === "true" ? "on" : "off"})`,
        command: process.execPath,
        args: [llmuxEntry(join(root, "dist")), "start", "--config", file, "--port", String(port)],
        port,
      });
      servers.push(server);
      pools.push(new Pool(`http://127.0.0.1:${port}`, { connections: 1, pipelining: 1 }));
    }
    const on: number[] = [];
    const off: number[] = [];
    for (let i = 0; i < warmup + n; i++) {
      // Alternate which goes first, so neither always follows the other.
      const [a, b] = i % 2 === 0 ? [0, 1] : [1, 0];
      const ta = await once(pools[a]!);
      const tb = await once(pools[b]!);
      if (i < warmup) continue;
      (a === 0 ? on : off).push(ta);
      (b === 0 ? on : off).push(tb);
    }
    const s = (v: number[]) => {
      const x = summarize(v);
      return { p50: x.p50, p99: x.p99 };
    };
    const result = { on: s(on), off: s(off), addedP50: 0, n };
    result.addedP50 = result.on.p50 - result.off.p50;
    return result;
  } finally {
    for (const p of pools) await p.close();
    for (const s of servers) await s.stop(5000);
  }
}
