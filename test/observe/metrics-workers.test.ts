/**
 * `llmux start --workers 2`: a scrape reaches one worker, yet /metrics must report the whole process
 * group (the primary sums every worker's registry). Every scrape must count every request sent.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, emptyDir } from "../cli/run.js";
import { Scrape } from "../support/prometheus.js";

const KEY = "admin-key-workers-metrics-1";

/** One request on a connection of its own (so the kernel spreads them over both workers). */
function call(port: number, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: body ? "POST" : "GET", agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        text += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.setHeader("authorization", `Bearer ${KEY}`);
    if (body) req.setHeader("content-type", "application/json");
    req.end(body);
  });
}

describe("/metrics under llmux start --workers 2", () => {
  let proc: ChildProcess;
  let out = "";
  let port = 0;
  beforeAll(async () => {
    const dir = emptyDir();
    const config = join(dir, "llmux.yaml");
    writeFileSync(
      config,
      [
        `admin: { keys: [${KEY}] }`,
        "providers: { m: { type: mock, dialect: openai-chat } }",
        "models: { echo: { provider: m, model: echo } }",
      ].join("\n"),
    );
    proc = spawn(process.execPath, [BIN, "start", "--workers", "2", "--port", "0", "--config", config], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
    });
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr!.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const end = Date.now() + 50_000;
    while (!/workers serving one port \((\d+)\)/.test(out)) {
      if (Date.now() > end || proc.exitCode !== null) throw new Error(`llmux did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    port = Number(/workers serving one port \((\d+)\)/.exec(out)![1]);
  }, 60_000);
  afterAll(() => {
    if (proc.exitCode === null) proc.kill("SIGKILL");
  });

  it("every scrape counts the requests of both workers", async () => {
    const body = JSON.stringify({ model: "echo", messages: [{ role: "user", content: "hi" }] });
    const sent = await Promise.all(Array.from({ length: 24 }, () => call(port, "/v1/chat/completions", body)));
    expect(sent.every((r) => r.status === 200)).toBe(true);
    for (let i = 0; i < 6; i++) {
      const res = await call(port, "/metrics");
      expect(res.status).toBe(200);
      const s = await Scrape.parse(res.text);
      expect(s.sum("llmux_requests_total", { alias: "echo", status: "200" })).toBe(24);
      expect(s.count("gen_ai_server_request_duration_seconds", { gen_ai_request_model: "echo" })).toBe(24);
      // The process metrics of both workers are summed: more than one process's worth of heap.
      expect(s.sum("nodejs_heap_size_used_bytes")).toBeGreaterThan(0);
    }
  }, 60_000);
});
