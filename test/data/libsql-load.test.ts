/**
 * libsql loaded without a diagnostic report (src/data/libsql-load.ts). Its loader asks Node for a whole
 * `process.report` to tell glibc from musl, in every thread that loads it; llmux answers that question from
 * detect-libc instead, in the main thread and in the SQLite writer thread, and the real `process.report` is
 * back afterwards. A probe preloaded into every thread (`-r`) records each thread that reads `process.report`
 * and each that loaded libsql.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { libcFamily, withLibcAnswer } from "../../src/data/libsql-load.js";
import { BIN, ROOT } from "../support/built.js";

const PROBE = `
const { threadId } = require("node:worker_threads");
const { appendFileSync } = require("node:fs");
const out = process.env.REPORT_PROBE_OUT;
const real = Object.getOwnPropertyDescriptor(process, "report");
Object.defineProperty(process, "report", {
  configurable: true,
  enumerable: real.enumerable,
  get() { appendFileSync(out, "report " + threadId + "\\n"); return real.get.call(process); },
});
const Module = require("node:module");
const load = Module._load;
Module._load = function (request, ...rest) {
  const m = load.call(this, request, ...rest);
  if (request === "libsql" || /[\\\\/]libsql[\\\\/]index\\.js$/.test(request)) appendFileSync(out, "libsql " + threadId + "\\n");
  return m;
};
`;

let dir: string;
let proc: ChildProcess | undefined;

afterEach(() => {
  if (proc && proc.exitCode === null) proc.kill("SIGKILL");
  proc = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory with the probe; the probe's record, read back. */
function setUp(): { probe: string; out: string; record: () => string[] } {
  dir = mkdtempSync(join(tmpdir(), "llmux-libsql-load-"));
  const probe = join(dir, "probe.cjs");
  const out = join(dir, "probe.out");
  writeFileSync(probe, PROBE);
  writeFileSync(out, "");
  const record = () => readFileSync(out, "utf8").split("\n").filter(Boolean);
  return { probe, out, record };
}

describe("libsql, loaded without a diagnostic report", () => {
  it("the probe sees the report libsql's own loader asks for (the check below can fail)", () => {
    const { probe, out, record } = setUp();
    execFileSync(process.execPath, ["-r", probe, "-e", 'require("libsql")'], {
      cwd: ROOT,
      env: { ...process.env, REPORT_PROBE_OUT: out },
    });
    expect(record()).toContain("report 0");
    expect(record()).toContain("libsql 0");
  });

  it("the built llmux loads it in the main thread and the writer thread, and neither makes a report", async () => {
    const { probe, out, record } = setUp();
    let log = "";
    proc = spawn(process.execPath, ["-r", probe, BIN, "start", "--port", "0"], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", HOME: dir, LLMUX_STORE: join(dir, "llmux.db"), REPORT_PROBE_OUT: out },
    });
    proc.stdout!.on("data", (d: Buffer) => {
      log += d.toString();
    });
    proc.stderr!.on("data", (d: Buffer) => {
      log += d.toString();
    });
    let url: string | undefined;
    for (const end = Date.now() + 30_000; !url; ) {
      url = /llmux listening on (http:\/\/[\d.:]+)/.exec(log)?.[1];
      if (proc.exitCode !== null || Date.now() > end) throw new Error(`llmux did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Requests settle into the request log (on by default). A batch of a few rows is written on the main
    // thread's connection (src/data/write-here.ts); one of more rows starts the SQLite writer thread: rounds of
    // 64 requests at once until a batch is large enough (the first, but for a very slow machine).
    let sent = 0;
    const ask = async () => {
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "llmux-mock", messages: [{ role: "user", content: "hello" }] }),
      });
      expect(res.status).toBe(200);
      await res.text();
    };
    for (const end = Date.now() + 20_000; !record().some((l) => /^libsql [1-9]/.test(l)); ) {
      if (Date.now() > end) throw new Error(`the writer thread never loaded libsql: ${record().join(", ")}\n${log}`);
      await Promise.all(Array.from({ length: 64 }, ask));
      sent += 64;
      await new Promise((r) => setTimeout(r, 250));
    }
    const threads = new Set(record().filter((l) => l.startsWith("libsql ")));
    expect(threads.has("libsql 0")).toBe(true);
    expect(threads.size).toBeGreaterThanOrEqual(2);
    expect(record().filter((l) => l.startsWith("report "))).toEqual([]);
    // The store works: every request's row is there (stopping writes what is still queued).
    proc.kill("SIGTERM");
    await new Promise((r) => proc!.once("exit", r));
    const Database = (await import("libsql")).default;
    const db = new Database(join(dir, "llmux.db"), { readonly: true });
    try {
      const rows = db.prepare("select count(*) as n from request_log").get() as { n: number };
      expect(rows.n).toBe(sent);
    } finally {
      db.close();
    }
  }, 60_000);
});

describe("the libc answer", () => {
  it("agrees with Node's own report", () => {
    const header = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header;
    expect(libcFamily()).toBe(header.glibcVersionRuntime ? "glibc" : "musl");
  });

  it("answers while loading, and the real process.report is back after, whether the load returns or throws", () => {
    const real = Object.getOwnPropertyDescriptor(process, "report");
    const seen = withLibcAnswer("glibc", () => process.report.getReport() as unknown as { header: object });
    expect(seen).toEqual({ header: { glibcVersionRuntime: "unknown" } });
    expect(withLibcAnswer("musl", () => process.report.getReport())).toEqual({ header: {} });
    expect(() =>
      withLibcAnswer("glibc", () => {
        throw new Error("no binary");
      }),
    ).toThrow("no binary");
    expect(Object.getOwnPropertyDescriptor(process, "report")).toEqual(real);
    // Nothing known: the load runs with the real report.
    expect(withLibcAnswer(null, () => Object.getOwnPropertyDescriptor(process, "report"))).toEqual(real);
  });
});
