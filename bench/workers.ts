/**
 * `--workers N` throughput: llmux with one worker, then with two, on the small Chat passthrough request
 * against the mock, driven by a closed loop of keep-alive connections from this process. Reported (the
 * ratio of requests per second), never asserted: the machine is shared, and on two cores the load
 * generator and the mock compete with the workers for the same cores.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Pool } from "undici";
import { freePort, startServer } from "./procs.js";

export interface WorkersResult {
  oneRps: number;
  twoRps: number;
  ratio: number;
  seconds: number;
  concurrency: number;
}

const BODY = Buffer.from(
  JSON.stringify({ model: "bench-compat", messages: [{ role: "user", content: "Hello there" }], stream: false }),
);

async function drive(port: number, ms: number, concurrency: number): Promise<number> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: concurrency, pipelining: 1 });
  let done = 0;
  const end = performance.now() + ms;
  const one = async () => {
    while (performance.now() < end) {
      const r = await pool.request({
        path: "/v1/chat/completions",
        method: "POST",
        headers: { "content-type": "application/json" },
        body: BODY,
      });
      await r.body.arrayBuffer();
      if (r.statusCode === 200) done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, one));
  const secs = (performance.now() - t0) / 1000;
  await pool.close();
  return done / secs;
}

export async function measureWorkers(
  root: string,
  configFile: string,
  out: string,
  seconds = 8,
): Promise<WorkersResult> {
  const concurrency = 32;
  const rps: number[] = [];
  for (const workers of [1, 2]) {
    const port = await freePort();
    const server = await startServer({
      name: `llmux --workers ${workers}`,
      command: process.execPath,
      args: [
        join(root, "dist/cli/main.js"),
        "start",
        "--config",
        configFile,
        "--port",
        String(port),
        "--workers",
        String(workers),
      ],
      port,
    });
    try {
      await drive(port, 1500, concurrency); // warm up
      rps.push(await drive(port, seconds * 1000, concurrency));
    } finally {
      await server.stop(5000);
    }
  }
  const result = { oneRps: rps[0]!, twoRps: rps[1]!, ratio: rps[1]! / rps[0]!, seconds, concurrency };
  writeFileSync(
    out,
    [
      "# llmux --workers: throughput",
      "",
      `Small Chat passthrough (bench-compat) against the mock, ${concurrency} keep-alive connections, ${seconds} s each.`,
      "",
      "| workers | requests/s |",
      "|---|---|",
      `| 1 | ${result.oneRps.toFixed(0)} |`,
      `| 2 | ${result.twoRps.toFixed(0)} |`,
      "",
      `Ratio: **${result.ratio.toFixed(2)}×** (the load generator and the mock share the machine's cores).`,
      "",
    ].join("\n"),
  );
  return result;
}
