/**
 * `--workers N` throughput: llmux with one worker, then with two, on the small Chat passthrough request
 * against the mock, driven by a closed loop of keep-alive connections from this process. Reported (the
 * ratio of requests per second, and per CPU llmux could use), never asserted. With taskset, llmux runs on its own
 * CPUs and this process (load generator and mock) on the others (bench/cpu-pinning.ts), so that the load does
 * not take the workers' cores; on two cores llmux has one, where a second worker cannot help.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Pool } from "undici";
import { allowedCpus, hasTaskset, onCpus, type Pinning, pinSelf, planPinning } from "./cpu-pinning.js";
import { llmuxEntry } from "./llmux-entry.js";
import { freePort, startServer } from "./procs.js";
import { withServiceKey } from "./service-key.js";

export interface WorkersRow {
  workers: number;
  rps: number;
  /** CPUs llmux could use (pinned), or the machine's when not pinned. */
  cpus: number[];
  rpsPerCpu: number;
}

export interface WorkersResult {
  oneRps: number;
  twoRps: number;
  ratio: number;
  seconds: number;
  concurrency: number;
  rows: WorkersRow[];
  /** How llmux and the load were kept apart (taskset), or why they were not. */
  pinning: Pinning | undefined;
  pinningNote: string;
}
const BODY = Buffer.from(
  JSON.stringify({ model: "bench-compat", messages: [{ role: "user", content: "Hello there" }], stream: false }),
);

async function drive(port: number, ms: number, concurrency: number): Promise<number> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: concurrency, pipelining: 1 });
  let done = 0;
  const refused: number[] = [];
  const end = performance.now() + ms;
  const one = async () => {
    while (performance.now() < end) {
      const r = await pool.request({
        path: "/v1/chat/completions",
        method: "POST",
        // The bench's configuration has a service key (auth.keys): without it every request is refused.
        headers: withServiceKey({ "content-type": "application/json" }),
        body: BODY,
      });
      await r.body.arrayBuffer();
      if (r.statusCode === 200) done++;
      else refused.push(r.statusCode);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, one));
  const secs = (performance.now() - t0) / 1000;
  await pool.close();
  if (done === 0 && refused.length > 0) throw new Error(`llmux answered ${refused[0]} to every request`);
  return done / secs;
}

/** Whether `--workers 2` can help on `cpus` CPUs for llmux, in words (for the report). */
function verdict(r: WorkersResult): string {
  const cores = r.rows[1]!.cpus.length;
  if (cores < 2)
    return "llmux had one CPU: both workers share it, so the second cannot add a core's worth of throughput (what it gains or loses here is scheduling); workers help when each has a core of its own.";
  return `llmux had ${cores} CPUs for 2 workers: ${r.ratio >= 1.3 ? "the second worker helps" : "the second worker adds little"} here.`;
}

export async function measureWorkers(
  root: string,
  configFile: string,
  out: string,
  seconds = 8,
): Promise<WorkersResult> {
  const concurrency = 32;
  const pinning = hasTaskset() ? planPinning() : undefined;
  const pinningNote = pinning
    ? `taskset: llmux on CPU ${pinning.llmux.join(",")}, the load generator and the mock on CPU ${pinning.load.join(",")}`
    : hasTaskset()
      ? "not pinned: one CPU only"
      : "not pinned: taskset is not installed";
  // This process drives the load and serves the mock: it keeps to its own CPUs.
  if (pinning) pinSelf(pinning.load);
  const rows: WorkersRow[] = [];
  for (const workers of [1, 2]) {
    const port = await freePort();
    const cpus = pinning ? pinning.llmux.slice(0, Math.min(workers, pinning.llmux.length)) : allowedCpus();
    const args = [
      llmuxEntry(join(root, "dist")),
      "start",
      "--config",
      configFile,
      "--port",
      String(port),
      "--workers",
      String(workers),
    ];
    const cmd = pinning ? onCpus(cpus, process.execPath, args) : { command: process.execPath, args };
    const server = await startServer({ name: `llmux --workers ${workers}`, ...cmd, port });
    try {
      await drive(port, 1500, concurrency); // warm up
      const rps = await drive(port, seconds * 1000, concurrency);
      rows.push({ workers, rps, cpus, rpsPerCpu: rps / cpus.length });
    } finally {
      await server.stop(5000);
    }
  }
  const [one, two] = [rows[0]!, rows[1]!];
  const result: WorkersResult = {
    oneRps: one.rps,
    twoRps: two.rps,
    ratio: two.rps / one.rps,
    seconds,
    concurrency,
    rows,
    pinning,
    pinningNote,
  };
  writeFileSync(
    out,
    [
      "# llmux --workers: throughput",
      "",
      `Small Chat passthrough (bench-compat) against the mock, ${concurrency} keep-alive connections, ${seconds} s each; ${pinningNote}.`,
      "",
      "| workers | CPUs for llmux | requests/s | requests/s per CPU |",
      "|---|---|---|---|",
      ...rows.map((r) => `| ${r.workers} | ${r.cpus.join(",")} | ${r.rps.toFixed(0)} | ${r.rpsPerCpu.toFixed(0)} |`),
      "",
      `Ratio: **${result.ratio.toFixed(2)}×**. ${verdict(result)}`,
      "",
    ].join("\n"),
  );
  return result;
}
