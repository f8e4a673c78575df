import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, emptyDir } from "./run.js";

/** The pids of a process's children (the cluster workers). */
function children(pid: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
      .split("\n")
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
  } catch {
    return [];
  }
}

async function until<T>(check: () => T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * One request on a connection of its own: a kept-alive connection to a worker that is killed or retired
 * is reset by the kernel, which no server can prevent (clients retry those); what must hold is that no
 * new request is refused.
 */
function chat(port: number): Promise<number> {
  const body = JSON.stringify({ model: "llmux-mock", messages: [{ role: "user", content: "Hi" }] });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/v1/chat/completions", method: "POST", agent: false },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.setHeader("content-type", "application/json");
    req.end(body);
  });
}

describe("llmux start --workers 2", () => {
  let proc: ChildProcess;
  let out = "";
  let port = 0;
  beforeAll(async () => {
    proc = spawn(process.execPath, [BIN, "start", "--workers", "2", "--port", "0"], {
      cwd: emptyDir(),
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
    });
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr!.on("data", (d: Buffer) => {
      out += d.toString();
    });
    port = await until(() => {
      const m = /workers serving one port \((\d+)\)/.exec(out);
      return m ? Number(m[1]) : undefined;
    }, 50_000);
  });
  afterAll(() => {
    if (proc.exitCode === null) proc.kill("SIGKILL");
  });

  it("runs two worker processes on one port, both answering", async () => {
    expect(children(proc.pid!)).toHaveLength(2);
    const statuses = await Promise.all(Array.from({ length: 20 }, () => chat(port)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(out.match(/llmux listening on/g)).toHaveLength(2);
  });

  it("replaces a worker killed with SIGKILL, and keeps answering meanwhile", async () => {
    const [victim] = children(proc.pid!);
    process.kill(victim!, "SIGKILL");
    await until(() => (/starting a replacement/.test(out) ? true : undefined));
    // The surviving worker answers while the replacement starts.
    expect(await chat(port)).toBe(200);
    await until(() => {
      const now = children(proc.pid!);
      return now.length === 2 && !now.includes(victim!) ? true : undefined;
    });
    expect(await chat(port)).toBe(200);
  }, 90_000);

  it("reloads every worker on SIGHUP, one at a time, without refusing a request", async () => {
    const before = children(proc.pid!);
    proc.kill("SIGHUP");
    const during: Promise<number>[] = [];
    const poll = setInterval(() => during.push(chat(port)), 20);
    await until(() => (/workers reloaded/.test(out) ? true : undefined), 90_000);
    clearInterval(poll);
    const statuses = await Promise.all(during);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const after = children(proc.pid!);
    expect(after).toHaveLength(2);
    expect(after.some((p) => before.includes(p))).toBe(false);
  }, 120_000);

  it("stops every worker and exits 0 on SIGTERM", async () => {
    const workers = children(proc.pid!);
    const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
    proc.kill("SIGTERM");
    expect(await exited).toBe(0);
    for (const w of workers) expect(() => process.kill(w, 0)).toThrow();
  });
});

describe("--workers mistakes", () => {
  it("refuses a value that is not a number or auto, naming the option", () => {
    let err = "";
    try {
      execFileSync(process.execPath, [BIN, "start", "--workers", "many"], { encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      err = String((e as { stderr: string }).stderr);
    }
    expect(err).toMatch(/--workers must be a number from 1 to 256 or 'auto'/);
  });
});
