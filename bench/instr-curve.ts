/**
 * Instructions per request, and per MB, of llmux or the minimal proxy, counted by valgrind's callgrind: a
 * measure the load on the machine does not change (same binary, same inputs, same count). The target runs
 * under callgrind; the driver (this process) warms it up at each body size, zeroes the counters, sends `n`
 * requests one after the other and dumps them. Per-MB cost = slope between two sizes.
 *
 *   node .cache/bench-dist/bench/instr-curve.js --target llmux|proxy --lane passthrough|chat|azure|embeddings
 *        [--sizes 75000,500000,2000000] [--n 4] [--warm 4] [--dist dist]
 *
 * Prints one JSON line per size: { target, lane, bytes, requests, instructions, perRequest }.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { startMockServer } from "../src/mock/server.js";
import { llmuxConfig } from "./bench-config.js";
import { scaledClaudeCodeBody } from "./lanes.js";
import { llmuxEntry } from "./llmux-entry.js";
import { freePort, waitForPort } from "./procs.js";
import { BENCH_SERVICE_KEY, withServiceKey } from "./service-key.js";

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    target: { type: "string", default: "llmux" },
    lane: { type: "string", default: "passthrough" },
    sizes: { type: "string", default: "75000,500000,2000000" },
    n: { type: "string", default: "4" },
    warm: { type: "string", default: "4" },
    dist: { type: "string", default: "dist" },
    /** Instead of counting instructions: a V8 CPU profile of the counted requests, written into this folder. */
    prof: { type: "string" },
  },
});
const target = values.target!;
const lane = values.lane!;
const n = Number(values.n);
const warm = Number(values.warm);
const dir = mkdtempSync(join(tmpdir(), "instr-curve-"));

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((ok, fail) => {
    const c = spawn(cmd, args, { stdio: "ignore" });
    c.on("exit", (code) => (code === 0 ? ok() : fail(new Error(`${cmd} ${args.join(" ")}: ${code}`))));
  });
}

/** The totals of the newest callgrind dump in `dir`. */
function lastTotal(prefix: string, seen: Set<string>): number {
  const files = readdirSync(dir).filter((f) => f.startsWith(prefix) && !seen.has(f));
  let best = -1;
  for (const f of files) {
    seen.add(f);
    const m = /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, f), "utf8"));
    if (m) best = Math.max(best, Number(m[1]));
  }
  return best;
}

const EMBED_CHUNKS = Array.from({ length: 64 }, (_, i) =>
  `${"const x = 1; // source text ".repeat(53)}${i}`.slice(0, 1500),
);

async function main(): Promise<void> {
  let upstreamOrigin: string;
  let stopUpstream: () => void;
  if (lane === "embeddings") {
    const port = await freePort();
    const up = spawn(process.execPath, [join(here, "non-chat-upstream.js")], {
      env: { ...process.env, BENCH_UPSTREAM_PORT: String(port) },
      stdio: "ignore",
    });
    await waitForPort(port, 20_000, () => up.exitCode === null);
    upstreamOrigin = `http://127.0.0.1:${port}`;
    stopUpstream = () => up.kill();
  } else {
    const mock = await startMockServer({ port: 0, host: "127.0.0.1", keepRequests: 0 });
    upstreamOrigin = `http://127.0.0.1:${mock.port}`;
    stopUpstream = () => void mock.close();
  }
  const port = await freePort();
  const out = join(dir, "cg.out");
  const vg = ["--tool=callgrind", "--smc-check=all-non-file", `--callgrind-out-file=${out}`, "--dump-instr=no"];
  let args: string[];
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (target === "proxy") {
    args = [...vg, process.execPath, join(here, "null-proxy.js")];
    env.BENCH_PROXY_PORT = String(port);
    env.BENCH_PROXY_UPSTREAM = upstreamOrigin;
  } else {
    const config = join(dir, "llmux.yaml");
    const upPort = Number(new URL(upstreamOrigin).port);
    const yaml =
      lane === "embeddings"
        ? [
            "server: { host: 127.0.0.1, port: 0 }",
            "logging: { level: info, pretty: false }",
            `auth: { keys: [${BENCH_SERVICE_KEY}] }`,
            "providers:",
            `  oa: { type: openai, base_url: "${upstreamOrigin}/v1", api_key: bench }`,
            "models:",
            "  bench-embed: { kind: embedding, provider: oa, model: text-embedding-3-small }",
            "prices:",
            "  text-embedding-3-small: { input: 0.02, output: 0 }",
            "",
          ].join("\n")
        : llmuxConfig(upPort);
    writeFileSync(config, yaml);
    args = [...vg, process.execPath, llmuxEntry(resolve(values.dist!)), "start", "--config", config];
    args.push("--port", String(port));
  }
  const prof = values.prof ? resolve(values.prof) : undefined;
  const child = prof
    ? spawn(args[vg.length]!, ["--cpu-prof", "--cpu-prof-dir", prof, ...args.slice(vg.length + 1)], {
        env,
        stdio: "ignore",
        cwd: dir,
      })
    : spawn("valgrind", args, { env, stdio: ["ignore", "ignore", "ignore"], cwd: dir });
  const pid = child.pid!;
  try {
    if (!(await waitForPort(port, 1_800_000, () => child.exitCode === null))) throw new Error("target did not start");
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 1, headersTimeout: 0, bodyTimeout: 0 });
    const seen = new Set<string>();
    lastTotal("cg.out", seen);
    const sizes = lane === "embeddings" ? [0] : values.sizes!.split(",").map(Number);
    const cases = sizes.map((bytes) => {
      let path: string;
      let body: string;
      let headers: Record<string, string>;
      if (lane === "embeddings") {
        path = "/v1/embeddings";
        const model = target === "proxy" ? "text-embedding-3-small" : "bench-embed";
        body = JSON.stringify({ model, input: EMBED_CHUNKS, encoding_format: "base64" });
        headers = withServiceKey({ "content-type": "application/json" });
      } else {
        const b = scaledClaudeCodeBody(bytes);
        const model =
          target === "proxy"
            ? String(b.model)
            : lane === "passthrough"
              ? `anth/${String(b.model)}`
              : lane === "chat"
                ? "bench-compat"
                : "bench-azure";
        body = JSON.stringify({ ...b, model });
        path = target === "proxy" ? "/v1/messages" : "/v1/messages?beta=true";
        headers = withServiceKey({ "content-type": "application/json", "anthropic-version": "2023-06-01" });
      }
      const once = async (): Promise<void> => {
        const r = await pool.request({ path, method: "POST", headers, body });
        const text = await r.body.text();
        if (r.statusCode !== 200) throw new Error(`${target} ${lane} ${bytes}: ${r.statusCode} ${text.slice(0, 300)}`);
      };
      return { bytes: Buffer.byteLength(body), once };
    });
    // Warm-up over every size first (the JIT settles on all of them), then each size again before it is counted.
    for (const c of cases) for (let i = 0; i < warm; i++) await c.once();
    for (const c of cases) {
      for (let i = 0; i < warm; i++) await c.once();
      if (prof) {
        for (let i = 0; i < n; i++) await c.once();
        console.log(JSON.stringify({ target, lane, bytes: c.bytes, requests: n, profiled: prof }));
        continue;
      }
      await run("callgrind_control", ["-z", String(pid)]);
      for (let i = 0; i < n; i++) await c.once();
      await run("callgrind_control", ["-d", String(pid)]);
      await new Promise((r) => setTimeout(r, 500));
      const instructions = lastTotal("cg.out", seen);
      const perRequest = Math.round(instructions / n);
      console.log(JSON.stringify({ target, lane, bytes: c.bytes, requests: n, instructions, perRequest }));
    }
    await pool.close();
  } finally {
    if (prof && child.exitCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    child.kill("SIGKILL");
    stopUpstream();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
