import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { request } from "node:http";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseWorkers } from "../../src/cli/workers.js";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import { ADMIN, call } from "../support/team.js";
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

/** Once a key is minted, requests without one are refused (401): the key the later requests send. */
let mintedKey: string | undefined;

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
    if (mintedKey) req.setHeader("authorization", `Bearer ${mintedKey}`);
    req.end(body);
  });
}

/**
 * A streamed answer that takes a few seconds (a slow upstream): it is open on a worker while that worker
 * is retired or the primary is stopped, and must arrive whole.
 */
interface LongStream {
  /** Its first bytes arrived: the stream is open on a worker. */
  opened: Promise<void>;
  done: Promise<{ status: number; text: string }>;
}

function longStream(port: number): LongStream {
  const body = JSON.stringify({
    model: "slow",
    stream: true,
    messages: [{ role: "user", content: "word ".repeat(100) }],
  });
  let open: () => void = () => undefined;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  const done = new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/v1/chat/completions", method: "POST", agent: false },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => {
          text += d.toString();
          open();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.setHeader("content-type", "application/json");
    if (mintedKey) req.setHeader("authorization", `Bearer ${mintedKey}`);
    req.end(body);
  });
  // A stream that fails before its first bytes fails the wait for it too.
  return { opened: Promise.race([opened, done.then(() => undefined)]), done };
}

/** A whole Chat stream: it ended with its finish reason and [DONE], not cut off. */
const whole = (s: { status: number; text: string }) =>
  s.status === 200 && /"finish_reason":"stop"/.test(s.text) && s.text.trimEnd().endsWith("data: [DONE]");

describe("llmux start --workers 2", () => {
  let proc: ChildProcess;
  let out = "";
  let port = 0;
  let slow: MockServer;
  beforeAll(async () => {
    // Each chunk 150 ms apart: an answer of some 60 chunks streams for about 9 s.
    slow = await startMockServer({ chunkDelayMs: 150 });
    const dir = emptyDir();
    writeFileSync(
      join(dir, "llmux.yaml"),
      JSON.stringify({
        providers: {
          mock: { type: "mock", dialect: "openai-chat" },
          slow: { type: "openai", base_url: `${slow.url}/v1`, api_key: "k", api: "chat" },
        },
        models: { "llmux-mock": { provider: "mock" }, slow: { provider: "slow", model: "gpt-4.1" } },
        // Minted keys: the workers share the SQLite file (WAL) and the primary's hot state.
        admin: { keys: [ADMIN] },
        store: { path: join(dir, "data", "llmux.db") },
      }),
    );
    proc = spawn(process.execPath, [BIN, "start", "--workers", "2", "--port", "0"], {
      cwd: dir,
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
  afterAll(async () => {
    if (proc.exitCode === null) proc.kill("SIGKILL");
    await slow?.close();
  });

  it("runs two worker processes on one port, both answering", async () => {
    expect(children(proc.pid!)).toHaveLength(2);
    const statuses = await Promise.all(Array.from({ length: 20 }, () => chat(port)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(out.match(/llmux listening on/g)).toHaveLength(2);
  });

  it("a minted key, its rate limit and the ledger are shared by the workers (one SQLite file, the primary's counters)", async () => {
    const base = `http://127.0.0.1:${port}`;
    const minted = await call(base, "POST", "/admin/v1/keys", ADMIN, { name: "w", limits: { rpm: 10 } });
    expect(minted.status).toBe(201);
    mintedKey = (await call(base, "POST", "/admin/v1/keys", ADMIN, { name: "later" })).body.key;
    const started = Date.now();
    const statuses = await Promise.all(
      Array.from({ length: 30 }, () =>
        call(base, "POST", "/v1/chat/completions", minted.body.key, {
          model: "llmux-mock",
          messages: [{ role: "user", content: "Hi" }],
        }).then((r) => r.status),
      ),
    );
    const admitted = statuses.filter((st) => st === 200).length;
    // A bucket of 10 refilling one every 6 s, for both workers together (not 10 each).
    expect(admitted).toBeGreaterThanOrEqual(10);
    expect(admitted).toBeLessThanOrEqual(10 + Math.floor((Date.now() - started) / 6000));
    expect(statuses.filter((st) => st === 429)).toHaveLength(30 - admitted);
    // Both workers wrote their ledger rows into the one file: 30 requests, each counted once (the refused
    // ones as refusals, not as requests served).
    const end = Date.now() + 30_000;
    let counted = 0;
    while (Date.now() < end) {
      const spend = await call(base, "GET", "/admin/v1/spend?group_by=key", ADMIN);
      const row = (spend.body.rows as { group: string; requests: number; refused: number }[]).find(
        (r) => r.group === minted.body.id,
      );
      counted = row ? row.requests + row.refused : 0;
      if (counted >= 30) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(counted).toBe(30);
  }, 60_000);

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

  it("reloads every worker on SIGHUP, one at a time, without refusing a request; open streams finish whole", async () => {
    const before = children(proc.pid!);
    // Streams open on the old workers (connections are handed out round robin: both get some).
    const open = Array.from({ length: 4 }, () => longStream(port));
    await Promise.all(open.map((o) => o.opened));
    const mark = out.length;
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
    // A retired worker drained: it waited for the streams it was serving, and each arrived whole.
    expect(out.slice(mark)).toMatch(/stopping: waiting up to \d+ ms for [1-9]\d* open requests? to finish/);
    const streams = await Promise.all(open.map((o) => o.done));
    for (const s of streams) expect(whole(s), s.text.slice(-200)).toBe(true);
  }, 120_000);

  it("stops every worker and exits 0 on SIGTERM, after the streams they serve have finished", {
    timeout: 60_000,
  }, async () => {
    const workers = children(proc.pid!);
    const open = Array.from({ length: 2 }, () => longStream(port));
    await Promise.all(open.map((o) => o.opened));
    const mark = out.length;
    const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
    proc.kill("SIGTERM");
    const streams = await Promise.all(open.map((o) => o.done));
    for (const s of streams) expect(whole(s), s.text.slice(-200)).toBe(true);
    expect(await exited).toBe(0);
    expect(out.slice(mark)).toMatch(/stopping: waiting up to \d+ ms for [1-9]\d* open requests? to finish/);
    for (const w of workers) expect(() => process.kill(w, 0)).toThrow();
  });
});

describe("--workers values", () => {
  it("auto is one worker per core; a number is that many", () => {
    expect(parseWorkers("auto")).toBe(availableParallelism());
    expect(parseWorkers("3")).toBe(3);
    expect(parseWorkers(undefined)).toBeUndefined();
    expect(() => parseWorkers("0")).toThrow(/--workers must be a number from 1 to 256 or 'auto'/);
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

/** `llmux start --workers 2` on the mock alone, with what it says and how it ended. */
function primaryOnMock() {
  const dir = emptyDir();
  writeFileSync(
    join(dir, "llmux.yaml"),
    JSON.stringify({
      providers: { mock: { type: "mock", dialect: "openai-chat" } },
      models: { "llmux-mock": { provider: "mock" } },
      store: { path: join(dir, "data", "llmux.db") },
    }),
  );
  const proc = spawn(process.execPath, [BIN, "start", "--workers", "2", "--port", "0"], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
  });
  const p = {
    proc,
    out: "",
    gone: undefined as { code: number | null; signal: string | null } | undefined,
    ended: new Promise<{ code: number | null; signal: string | null }>((r) =>
      proc.once("exit", (code, signal) => r({ code, signal })),
    ),
    kill: () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    },
  };
  proc.stdout!.on("data", (d: Buffer) => (p.out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (p.out += d.toString()));
  void p.ended.then((e) => (p.gone = e));
  return p;
}

describe("llmux start --workers 2, a SIGHUP while its workers start or a SIGTERM during a reload", () => {
  it("a SIGHUP while they start is not fatal: the primary reloads them once they serve, and stops on SIGTERM", async () => {
    const p = primaryOnMock();
    try {
      // The first worker is forked: the primary is starting them, none can be listening yet.
      await until(() => (children(p.proc.pid!).length > 0 || p.gone ? true : undefined), 50_000);
      expect(p.out).not.toMatch(/workers serving one port/);
      p.proc.kill("SIGHUP");
      await until(() => (/workers reloaded/.test(p.out) || p.gone ? true : undefined), 60_000);
      expect(p.gone, `the primary ended on the SIGHUP:\n${p.out}`).toBeUndefined();
      expect(p.out).toMatch(/2 workers serving one port \((\d+)\)/);
      const port = Number(/workers serving one port \((\d+)\)/.exec(p.out)![1]);
      const answer = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "llmux-mock", messages: [{ role: "user", content: "Hi" }] }),
      });
      expect(answer.status).toBe(200);
      p.proc.kill("SIGTERM");
      expect(await p.ended).toEqual({ code: 0, signal: null });
    } finally {
      p.kill();
    }
  }, 120_000);

  it("a SIGTERM while a reload starts its new worker stops every worker, the new one too, and ends the reload quietly", async () => {
    const p = primaryOnMock();
    try {
      await until(() => (/workers serving one port/.test(p.out) || p.gone ? true : undefined), 50_000);
      const before = children(p.proc.pid!);
      expect(before).toHaveLength(2);
      p.proc.kill("SIGHUP");
      // The reload forked the first old worker's replacement: it is starting.
      const during = await until(() => {
        const now = children(p.proc.pid!);
        return now.length > 2 || p.gone ? now : undefined;
      }, 50_000);
      const mark = p.out.length;
      p.proc.kill("SIGTERM");
      expect(await p.ended).toEqual({ code: 0, signal: null });
      // The reload said nothing after the stop: not that it failed, not that it was done.
      expect(p.out.slice(mark)).not.toMatch(/reload failed|workers reloaded/);
      for (const pid of during) expect(() => process.kill(pid, 0), `worker ${pid} still runs`).toThrow();
    } finally {
      p.kill();
    }
  }, 120_000);
});
