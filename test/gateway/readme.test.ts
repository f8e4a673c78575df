/**
 * The README's two commands and its curl: `npm start` (the real script: build, then the CLI) serves the
 * built-in mock with no account, and the README's curl line, run as written (only the port is moved off
 * 4000 so the test cannot collide with a running llmux), gets the mock's answer.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");
let child: ChildProcess | undefined;

afterAll(() => {
  if (child?.pid) process.kill(-child.pid, "SIGTERM");
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function blocks(lang: string): string[] {
  return [...README.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!.trim());
}

describe("README", () => {
  it("gives one command to start and one to test, and .ci/run runs the test one", () => {
    const sh = blocks("sh");
    expect(sh).toContain("npm ci && npm start");
    expect(sh).toContain("npm ci && npm test");
    expect(readFileSync(join(ROOT, ".ci/run"), "utf8")).toContain("npm ci && npm test");
  });

  it("npm start serves the mock model and the README curl works", async () => {
    const curl = blocks("sh").find((b) => b.startsWith("curl"))!;
    expect(curl).toContain("http://127.0.0.1:4000/");
    const port = await freePort();
    child = spawn("npm", ["start", "--", "--port", String(port)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr!.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const deadline = Date.now() + 30_000;
    while (!out.includes("llmux listening")) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`llmux did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(out).toContain("serving the built-in mock model");
    const { stdout } = await promisify(execFile)("sh", ["-c", curl.replace(":4000/", `:${port}/`)]);
    const body = JSON.parse(stdout) as { model: string; choices: { message: { content: string } }[] };
    expect(body.model).toBe("llmux-mock");
    expect(body.choices[0]!.message.content).toBe('llmux mock: you said "Hello"');
  }, 60_000);
});
