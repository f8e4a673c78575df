/**
 * `llmux start`'s first line says where llmux keeps its data and its shared state, and an unreachable Redis
 * is named at start with its cause and what `state.on_failure` does meanwhile (not first explained in the
 * Redis library's words at the first request).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BIN, emptyDir } from "./run.js";

let proc: ChildProcess | undefined;
afterEach(() => {
  if (proc && proc.exitCode === null) proc.kill("SIGKILL");
  proc = undefined;
});

/** A port nothing listens on (taken, then let go). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function startWith(config: string): Promise<string> {
  const dir = emptyDir();
  writeFileSync(join(dir, "llmux.yaml"), config);
  let out = "";
  proc = spawn(process.execPath, [BIN, "start", "--port", "0"], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: dir },
  });
  proc.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const end = Date.now() + 40_000;
  while (!/llmux listening on/.test(out) || !/no service keys|NO AUTH/.test(out)) {
    if (proc.exitCode !== null || Date.now() > end) throw new Error(`llmux did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return out;
}

describe("llmux start's first line", () => {
  it("names the store and the state: SQLite and this process's memory by default", async () => {
    const out = await startWith("providers: { mock: { type: mock } }\nmodels: { m: { provider: mock } }\n");
    expect(out).toMatch(/llmux listening on http:\/\/[\d.:]+ \(store: sqlite [^;]+; state: memory \(this process\)\)/);
  }, 60_000);

  it("names an unreachable Redis at start, with its cause and what on_failure does meanwhile", async () => {
    const port = await closedPort();
    const out = await startWith(
      `providers: { mock: { type: mock } }\nmodels: { m: { provider: mock } }\nstate: { url: "redis://:planted-redis-pass@127.0.0.1:${port}" }\n`,
    );
    expect(out).toContain(`state: redis 127.0.0.1:${port})`);
    expect(out).toMatch(
      new RegExp(
        `state\\.url redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}/? cannot be reached \\(ECONNREFUSED\\): state\\.on_failure is degrade, so each instance keeps its own counters`,
      ),
    );
    expect(out).not.toContain("planted-redis-pass");
  }, 60_000);
});
