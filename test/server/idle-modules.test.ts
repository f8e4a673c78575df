/**
 * Idle memory (issue 45): what a started llmux loads on its defaults. The built command runs with an `--import`
 * hook that records every module loaded (ESM through a loader hook, CommonJS from require's cache at exit) and
 * every worker thread started; a default start must load none of the packages only some configurations need
 * (cloud signing, MCP, the tokenizer's ranks, PostgreSQL, Redis, tracing…) and start no thread: each is loaded
 * on first use. Modules and threads are counted, not bytes or time.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../support/built.js";
import { inBundle, unbundle } from "../support/bundle-modules.js";

const HOOK = `
import { appendFileSync, writeFileSync } from "node:fs";
import { createRequire, register, syncBuiltinESMExports } from "node:module";
const out = process.env.LLMUX_MODULE_LOG;
writeFileSync(out, "");
register("data:text/javascript," + encodeURIComponent(
  "import { appendFileSync } from 'node:fs';" +
  "export async function load(url, ctx, next) { appendFileSync(" + JSON.stringify(out) + ", 'module ' + url + '\\\\n'); return next(url, ctx); }"
));
const require = createRequire(import.meta.url);
const threads = require("node:worker_threads");
const Worker = threads.Worker;
threads.Worker = class extends Worker {
  constructor(source, options) {
    appendFileSync(out, "thread " + String(source).split("\\n").find((l) => /require\\(/.test(l) && !/worker_threads/.test(l)) + "\\n");
    super(source, options);
  }
};
syncBuiltinESMExports();
for (const name of ["DateTimeFormat", "NumberFormat"]) {
  const Format = Intl[name];
  Intl[name] = new Proxy(Format, {
    construct(target, args) { appendFileSync(out, "intl " + name + "\\n"); return Reflect.construct(target, args); },
    apply(target, self, args) { appendFileSync(out, "intl " + name + "\\n"); return Reflect.apply(target, self, args); },
  });
}
process.on("exit", () => {
  appendFileSync(out, Object.keys(require("node:module")._cache).map((k) => "module " + k + "\\n").join(""));
});
`;

/** Packages a start on the embedded defaults does not need: each is imported where it is first used. */
const DEFERRED = [
  "@aws-sdk",
  "@smithy",
  "google-auth-library",
  "@modelcontextprotocol/sdk",
  "gpt-tokenizer",
  "pg",
  "ioredis",
  "@opentelemetry",
  "prom-client",
  "nodemailer",
  "openid-client",
  "marked",
  "marked-terminal",
  "cli-highlight",
  "hono",
  "@hono",
  "ws",
  "fzstd",
  "jose",
  // The configuration's schema: validated by a child process (src/cli/config-aside.ts), as are stored rules,
  // policies and entries, whose schemas load once any is stored.
  "zod",
];

let dir: string;
let child: ChildProcess;
/** What the hook recorded, as loaded: llmux's own code as files of the bundle (dist/bundle). */
let loadedLines: string[] = [];
/** The same, read as modules (test/support/bundle-modules.ts). */
let lines: string[] = [];
let threadsAtListen: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "llmux-idle-"));
  for (const d of ["home", "state", "cwd"]) mkdirSync(join(dir, d));
  const hook = join(dir, "hook.mjs");
  const log = join(dir, "modules.txt");
  writeFileSync(hook, HOOK);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: join(dir, "home"),
    LLMUX_STATE_DIR: join(dir, "state"),
    LLMUX_MODULE_LOG: log,
  };
  for (const k of Object.keys(env)) if (/^(LLMUX_CONFIG|PORT)$|_API_KEY$|^AZURE_|^AWS_|^GOOGLE_/.test(k)) delete env[k];
  child = spawn(process.execPath, ["--import", hook, BIN, "start", "--port", "0"], {
    cwd: join(dir, "cwd"),
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  // Listening: the start is over (what it loads is loaded by then).
  await new Promise<void>((resolve, reject) => {
    let output = "";
    const seen = (b: Buffer) => {
      output += b;
      if (output.includes("llmux listening on")) resolve();
    };
    child.stdout!.on("data", seen);
    child.stderr!.on("data", seen);
    child.once("exit", (code) => reject(new Error(`llmux exited (${code}) before listening:\n${output}`)));
  });
  // The threads started by then (stopping may write, and start SQLite's writer: the process is leaving).
  threadsAtListen = readFileSync(log, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("thread "));
  const exited = new Promise((done) => child.once("exit", done));
  child.kill("SIGTERM");
  await exited;
  loadedLines = readFileSync(log, "utf8").split("\n").filter(Boolean);
  // Read as modules: a file of the bundle stands for the modules bundled into it.
  lines = loadedLines.flatMap((l) =>
    l.startsWith("module file:") ? unbundle([l.slice("module ".length)]).map((u) => `module ${u}`) : [l],
  );
});

afterAll(() => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** The package a loaded module belongs to (scoped names whole), or undefined for llmux's own and Node's. */
function packageOf(line: string): string | undefined {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line);
  return m?.[1];
}

describe("a default start (the built command, no configuration)", () => {
  it("loads llmux's own code as the bundle the build made, a few files rather than its ~650 modules", () => {
    const own = loadedLines.filter((l) => l.startsWith("module file:") && l.includes("/dist/"));
    const bundled = own.filter((l) => inBundle(l.slice("module ".length)));
    expect(bundled.some((l) => l.endsWith("/dist/bundle/llmux.js"))).toBe(true);
    // Nothing of llmux's own is loaded beside the bundle; the bundle's files are few, and hold many modules.
    expect(own.filter((l) => !inBundle(l.slice("module ".length)))).toEqual([]);
    expect(bundled.length).toBeLessThan(60);
    expect(lines.filter((l) => l.startsWith("module file:") && l.includes("/dist/")).length).toBeGreaterThan(300);
  });

  it("loads its own modules and the store's, as recorded", () => {
    const packages = new Set(lines.map(packageOf).filter(Boolean));
    // The hook saw the start: llmux's own modules and the embedded store's packages.
    expect(lines.some((l) => l.includes("/dist/cli/main.js"))).toBe(true);
    expect(packages).toContain("libsql");
  });

  it("loads none of the packages only some configurations need", () => {
    const packages = new Set(lines.map(packageOf).filter(Boolean) as string[]);
    const loaded = DEFERRED.filter((p) => [...packages].some((q) => q === p || q.startsWith(`${p}/`)));
    expect(loaded).toEqual([]);
  });

  it("loads none of the other commands' modules (launchers, doctor, the admin client): `start` is loaded alone", () => {
    const own = lines.filter((l) => l.startsWith("module ") && l.includes("/dist/") && !l.includes("node_modules"));
    const others = own.filter((l) =>
      /\/dist\/(launch|doctor)\/|\/dist\/cli\/(commands|launch|doctor|keys|mcp|admin-client)\.js/.test(l),
    );
    expect(others).toEqual([]);
    expect(own.some((l) => l.includes("/dist/cli/start.js"))).toBe(true);
  });

  it("loads Kysely as the one module the build bundled it into, not as its own 262 (~15 MB of RSS more)", () => {
    const modules = lines.filter((l) => l.startsWith("module "));
    expect(modules.filter((l) => packageOf(l) === "kysely")).toEqual([]);
    expect(modules.some((l) => l.endsWith("/dist/data/kysely.js"))).toBe(true);
  });

  it("loads none of the configuration's schema: it was validated by a child process", () => {
    const modules = lines.filter((l) => l.startsWith("module "));
    expect(modules.filter((l) => /\/dist\/config\/(schema|load)[\w-]*\.js$/.test(l))).toEqual([]);
    // What the gateway reads instead: the plain values the schema shares with it.
    expect(modules.some((l) => l.endsWith("/dist/config/shared-values.js"))).toBe(true);
  });

  it("makes no Intl formatter (ICU's data, ~6 MB of RSS, stays unread): UTC is read from Date", () => {
    expect(lines.filter((l) => l.startsWith("intl "))).toEqual([]);
  });

  it("has started no worker thread once it listens (SQLite's writer starts with the first batch a request writes)", () => {
    expect(threadsAtListen).toEqual([]);
  });
});
