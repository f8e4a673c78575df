/**
 * The non-chat lanes: codebase indexing (`POST /v1/embeddings`, a batch of 64 chunks of llmux's own sources,
 * asked base64 as the official OpenAI SDKs ask) and autocomplete (`POST /v1/completions` with `suffix`, a
 * small prompt, streamed). llmux against the minimal proxy (bench/null-proxy.ts), in the same run, to the
 * same upstream (bench/non-chat-upstream.ts), each in a process of its own: the latency llmux adds (to the
 * last byte; for the stream also to the first text) and the CPU it spends per request, read from /proc. The
 * targets take turns, round by round, so a disturbance of the machine falls on both; the load average
 * (`uptime`) before and after is kept with the figures.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";
import { llmuxEntry } from "./llmux-entry.js";
import { cpuMs, freePort, type Server, startServer } from "./procs.js";
import { BENCH_SERVICE_KEY, withServiceKey } from "./service-key.js";
import { summarize } from "./stats.js";

const here = fileURLToPath(new URL(".", import.meta.url));

export type NonChatTarget = "proxy" | "llmux";

export interface NonChatFigures {
  /** Requests measured. */
  n: number;
  /** To the last byte, ms. */
  p50: number;
  p99: number;
  /** To the first text of the stream (FIM), ms. */
  firstP50?: number;
  /** CPU of the target's process per request, ms (its threads' time on a CPU). */
  cpuMsPerRequest: number;
}

export interface NonChatLane {
  id: "embeddings-64" | "fim-stream";
  title: string;
  /** The client's request body, bytes (to llmux). */
  requestBytes: number;
  targets: Record<NonChatTarget, NonChatFigures>;
  /** llmux's p50 less the proxy's, ms; and its CPU per request less the proxy's. */
  addedP50Ms: number;
  addedCpuMs: number;
}

export interface NonChatCost {
  lanes: NonChatLane[];
  /** The 1-, 5- and 15-minute load averages before and after (`uptime`). */
  loadBefore: number[];
  loadAfter: number[];
  cores: number;
}

/** 64 chunks of 1,500 characters of llmux's own sources, as an indexer cuts a repository. */
export function sourceChunks(root: string, n = 64, size = 1500): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (out.length >= n) return;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".ts")) {
        const text = readFileSync(p, "utf8");
        for (let i = 0; i + size <= text.length && out.length < n; i += size) out.push(text.slice(i, i + size));
      }
    }
  };
  walk(join(root, "src"));
  return out;
}

const FIM_PREFIX = `import { readFileSync } from "node:fs";\n\n/** Sums the numbers of a file, one per line. */\nexport function sumFile(path: string): number {\n  const lines = readFileSync(path, "utf8").split("\\n");\n  let total = 0;\n  for (const line of lines) {\n    `;
const FIM_SUFFIX = `\n  }\n  return total;\n}\n`;

function llmuxYaml(upstream: string): string {
  return [
    "# Written by bench/non-chat.ts for one benchmark run.",
    "server: { host: 127.0.0.1, port: 0 }",
    "logging: { level: info, pretty: false }",
    `auth: { keys: [${BENCH_SERVICE_KEY}] }`,
    "providers:",
    `  oa: { type: openai, base_url: "${upstream}/v1", api_key: bench }`,
    `  local: { type: openai-compatible, base_url: "${upstream}/v1", api_key: bench }`,
    "models:",
    "  bench-embed: { kind: embedding, provider: oa, model: text-embedding-3-small }",
    "  bench-fim: { kind: completion, provider: local, model: qwen2.5-coder }",
    "prices:",
    "  text-embedding-3-small: { input: 0.02, output: 0 }",
    "  qwen2.5-coder: { input: 0.1, output: 0.3 }",
    "",
  ].join("\n");
}

interface LaneSpec {
  id: NonChatLane["id"];
  title: string;
  path: string;
  stream: boolean;
  body: (target: NonChatTarget) => string;
}

/** One request; its time to the last byte and (streamed) to the first text, ms. */
async function once(pool: Pool, spec: LaneSpec, body: string): Promise<{ total: number; first?: number }> {
  const t0 = performance.now();
  const r = await pool.request({
    path: spec.path,
    method: "POST",
    headers: withServiceKey({ "content-type": "application/json" }),
    body,
  });
  let first: number | undefined;
  let text = "";
  for await (const chunk of r.body) {
    if (spec.stream && first === undefined && (chunk as Buffer).includes('"text":"')) first = performance.now() - t0;
    if (r.statusCode !== 200 || text.length < 4096) text += chunk.toString();
  }
  if (r.statusCode !== 200) throw new Error(`${spec.id} answered ${r.statusCode}: ${text.slice(0, 300)}`);
  if (spec.stream && !text.includes("[DONE]")) throw new Error(`${spec.id}: the stream did not end with [DONE]`);
  return first === undefined ? { total: performance.now() - t0 } : { total: performance.now() - t0, first };
}

/** Measures both lanes on llmux and the proxy: `rounds` rounds of `perRound` requests per target, taking turns. */
export async function measureNonChat(
  root: string,
  llmuxDist: string,
  runDir: string,
  opts: { rounds: number; perRound: number; warmup: number },
): Promise<NonChatCost> {
  const loadBefore = loadavg();
  const servers: Server[] = [];
  try {
    const upPort = await freePort();
    const upstream = await startServer({
      name: "non-chat-upstream",
      command: process.execPath,
      args: [join(here, "non-chat-upstream.js")],
      env: { ...process.env, BENCH_UPSTREAM_PORT: String(upPort) },
      port: upPort,
    });
    servers.push(upstream);
    const proxyPort = await freePort();
    const proxy = await startServer({
      name: "non-chat-proxy",
      command: process.execPath,
      args: [join(here, "null-proxy.js")],
      env: { ...process.env, BENCH_PROXY_PORT: String(proxyPort), BENCH_PROXY_UPSTREAM: upstream.origin },
      port: proxyPort,
    });
    servers.push(proxy);
    const configFile = resolve(runDir, "bench-non-chat.yaml");
    writeFileSync(configFile, llmuxYaml(upstream.origin));
    const llmuxPort = await freePort();
    const llmux = await startServer({
      name: "llmux",
      command: process.execPath,
      args: [llmuxEntry(llmuxDist), "start", "--config", configFile, "--port", String(llmuxPort)],
      // Its default store (.llmux/llmux.db) in the run's folder, not the checkout.
      cwd: runDir,
      port: llmuxPort,
    });
    servers.push(llmux);

    const chunks = sourceChunks(root);
    const specs: LaneSpec[] = [
      {
        id: "embeddings-64",
        title: `Embeddings, a batch of ${chunks.length} chunks of 1,500 characters, base64 (OpenAI SDK default)`,
        path: "/v1/embeddings",
        stream: false,
        body: (t) =>
          JSON.stringify({
            model: t === "llmux" ? "bench-embed" : "text-embedding-3-small",
            input: chunks,
            encoding_format: "base64",
          }),
      },
      {
        id: "fim-stream",
        title: "Fill-in-the-middle, small prompt with suffix, streamed (/v1/completions)",
        path: "/v1/completions",
        stream: true,
        body: (t) =>
          JSON.stringify({
            model: t === "llmux" ? "bench-fim" : "qwen2.5-coder",
            prompt: FIM_PREFIX,
            suffix: FIM_SUFFIX,
            max_tokens: 64,
            temperature: 0.2,
            stop: ["\n\n"],
            stream: true,
          }),
      },
    ];
    const targets: Record<NonChatTarget, Server> = { proxy, llmux };
    const pools: Record<NonChatTarget, Pool> = {
      proxy: new Pool(proxy.origin, { connections: 1 }),
      llmux: new Pool(llmux.origin, { connections: 1 }),
    };
    const lanes: NonChatLane[] = [];
    try {
      for (const spec of specs) {
        const bodies = { proxy: spec.body("proxy"), llmux: spec.body("llmux") };
        for (const t of ["proxy", "llmux"] as const)
          for (let i = 0; i < opts.warmup; i++) await once(pools[t], spec, bodies[t]);
        const totals: Record<NonChatTarget, number[]> = { proxy: [], llmux: [] };
        const firsts: Record<NonChatTarget, number[]> = { proxy: [], llmux: [] };
        const cpu: Record<NonChatTarget, number> = { proxy: 0, llmux: 0 };
        for (let round = 0; round < opts.rounds; round++) {
          const order: NonChatTarget[] = round % 2 === 0 ? ["proxy", "llmux"] : ["llmux", "proxy"];
          for (const t of order) {
            const c0 = cpuMs(targets[t].pid) ?? 0;
            for (let i = 0; i < opts.perRound; i++) {
              const r = await once(pools[t], spec, bodies[t]);
              totals[t].push(r.total);
              if (r.first !== undefined) firsts[t].push(r.first);
            }
            cpu[t] += (cpuMs(targets[t].pid) ?? 0) - c0;
          }
        }
        const figures = (t: NonChatTarget): NonChatFigures => {
          const s = summarize(totals[t]);
          return {
            n: s.n,
            p50: s.p50,
            p99: s.p99,
            ...(firsts[t].length ? { firstP50: summarize(firsts[t]).p50 } : {}),
            cpuMsPerRequest: cpu[t] / Math.max(1, s.n),
          };
        };
        const f = { proxy: figures("proxy"), llmux: figures("llmux") };
        lanes.push({
          id: spec.id,
          title: spec.title,
          requestBytes: Buffer.byteLength(bodies.llmux),
          targets: f,
          addedP50Ms: f.llmux.p50 - f.proxy.p50,
          addedCpuMs: f.llmux.cpuMsPerRequest - f.proxy.cpuMsPerRequest,
        });
      }
    } finally {
      await Promise.all([pools.proxy.close(), pools.llmux.close()]);
    }
    return { lanes, loadBefore, loadAfter: loadavg(), cores: availableParallelism() };
  } finally {
    for (const s of servers.reverse()) await s.stop(5000);
  }
}

const f2 = (v: number | undefined) => (v === undefined ? "–" : v.toFixed(2));
const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(", ");

/** The figures in lines, for the progress log. */
export function nonChatLines(r: NonChatCost): string[] {
  return [
    ...r.lanes.map((l) => {
      const { proxy, llmux } = l.targets;
      const first =
        llmux.firstP50 === undefined
          ? ""
          : `; first text p50 ${f2(llmux.firstP50)} ms (proxy ${f2(proxy.firstP50)} ms)`;
      return `${l.id}: llmux p50 ${f2(llmux.p50)} ms, p99 ${f2(llmux.p99)} ms; proxy p50 ${f2(proxy.p50)} ms, p99 ${f2(proxy.p99)} ms; added p50 ${f2(l.addedP50Ms)} ms${first}; CPU per request llmux ${f2(llmux.cpuMsPerRequest)} ms, proxy ${f2(proxy.cpuMsPerRequest)} ms (${llmux.n} requests each)`;
    }),
    `non-chat lanes: load average ${load(r.loadBefore)} before, ${load(r.loadAfter)} after (${r.cores} cores)`,
  ];
}

/** The figures as a Markdown report (for --non-chat-only, and a section of the full report). */
export function nonChatMarkdown(r: NonChatCost): string[] {
  return [
    "## Embeddings and fill-in-the-middle",
    "",
    "llmux against the minimal proxy (bench/null-proxy.ts) in the same run, to the same upstream",
    "(bench/non-chat-upstream.ts: answers at once), one request at a time, the targets taking turns by round.",
    "CPU is the target process's own (its threads' time on a CPU, /proc/<pid>/task/*/schedstat) per request.",
    "",
    "| lane | request | target | p50 ms | p99 ms | first text p50 ms | CPU ms / request |",
    "|---|---|---|---|---|---|---|",
    ...r.lanes.flatMap((l) =>
      (["proxy", "llmux"] as const).map(
        (t) =>
          `| ${l.title} | ${l.requestBytes < 10_240 ? `${l.requestBytes} B` : `${(l.requestBytes / 1024).toFixed(0)} KB`} | ${t} | ${f2(l.targets[t].p50)} | ${f2(l.targets[t].p99)} | ${f2(l.targets[t].firstP50)} | ${f2(l.targets[t].cpuMsPerRequest)} |`,
      ),
    ),
    "",
    ...r.lanes.map(
      (l) =>
        `- ${l.id}: llmux adds ${f2(l.addedP50Ms)} ms at p50 and ${f2(l.addedCpuMs)} ms of CPU per request (${l.targets.llmux.n} requests each).`,
    ),
    "",
    `Load average (\`uptime\`): ${load(r.loadBefore)} before, ${load(r.loadAfter)} after, on ${r.cores} cores.`,
    "",
  ];
}

export function writeNonChatReport(file: string, r: NonChatCost): void {
  writeFileSync(file, `# Non-chat lanes\n\n${nonChatMarkdown(r).slice(2).join("\n")}`);
}
