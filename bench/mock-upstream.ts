/**
 * The upstream for the benchmark: llmux's own scripted mock (src/mock/server.ts) in its own process, with
 * fixed latency before the response headers and fixed pacing between stream events (as `llmux mock
 * --latency MS --chunk-delay MS`), a fixed reply instead of the echo, and a control channel (IPC) to change
 * the pacing, read back the last request received on a path (what a gateway sent upstream), and forget the
 * requests it records (so its memory stays flat over a long run).
 *
 * Environment: BENCH_MOCK_PORT (0 = any), BENCH_MOCK_HOSTS (comma-separated addresses, all on that port).
 */
import { type MockServer, type MockServerOptions, startMockServer } from "../src/mock/server.js";
import { LONG_DELTAS, LONG_MODEL } from "./bench-config.js";
import { replyScript } from "./lanes.js";

const modelOf = (body: unknown): unknown =>
  typeof body === "object" && body !== null ? (body as { model?: unknown }).model : undefined;

export type MockCommand =
  | { cmd: "pace"; latencyMs: number; chunkDelayMs: number }
  | { cmd: "reply"; deltas: number; chunkChars: number }
  | { cmd: "capture"; path: string }
  | { cmd: "count" };

interface Captured {
  url: string;
  raw: string;
  headers: Record<string, string | string[] | undefined>;
}

const hosts = (process.env.BENCH_MOCK_HOSTS ?? "127.0.0.1").split(",").filter(Boolean);
let reply = { deltas: 6, chunkChars: 8 };
const pace = { latencyMs: 0, chunkDelayMs: 0 };

/** Options for one listening address; the mock reads the pacing from them on every request. */
function optionsFor(host: string | undefined, port: number): MockServerOptions {
  return {
    port,
    host,
    get latencyMs() {
      return pace.latencyMs;
    },
    get chunkDelayMs() {
      return pace.chunkDelayMs;
    },
    // The long-stream lane's model is answered LONG_DELTAS deltas long (bench/lanes.ts), every other the same reply.
    fallback: (body) => replyScript(modelOf(body) === LONG_MODEL ? LONG_DELTAS : reply.deltas, reply.chunkChars),
  };
}
const servers: MockServer[] = [];
const last = new Map<string, Captured>();
let received = 0;

function sweep(): void {
  for (const s of servers) {
    for (const r of s.requests) last.set(r.path, { url: r.url, raw: r.raw, headers: r.headers });
    received += s.requests.length;
    s.reset();
  }
}

async function main(): Promise<void> {
  const first = await startMockServer(optionsFor(hosts[0], Number(process.env.BENCH_MOCK_PORT ?? 0)));
  servers.push(first);
  for (const host of hosts.slice(1)) servers.push(await startMockServer(optionsFor(host, first.port)));
  setInterval(sweep, 250).unref();
  process.on("message", (msg: { id: number } & MockCommand) => {
    let result: unknown = true;
    switch (msg.cmd) {
      case "pace":
        pace.latencyMs = msg.latencyMs;
        pace.chunkDelayMs = msg.chunkDelayMs;
        break;
      case "reply":
        reply = { deltas: msg.deltas, chunkChars: msg.chunkChars };
        break;
      case "capture":
        sweep();
        result = last.get(msg.path) ?? null;
        break;
      case "count":
        sweep();
        result = received;
        break;
    }
    process.send?.({ id: msg.id, result });
  });
  process.on("disconnect", () => process.exit(0));
  process.send?.({ ready: true, port: first.port });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
