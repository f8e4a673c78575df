/**
 * The Cursor runtime (the pinned SDK, and a Node 22 when the tests run on an older Node), installed on demand
 * into `.cache/cursor-runtime` as the provider installs it, and the local fake of Cursor's backend
 * (cursor-fake.mjs) started with that runtime's Node.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ensureRuntime, type Runtime } from "../../src/cursor/runtime.js";

const REPO_ROOT = join(import.meta.dirname, "../..");

export const CURSOR_RUNTIME_DIR = join(REPO_ROOT, ".cache", "cursor-runtime");

/** How long the first install may take (the Node 22 build is a ~50 MB download). */
export const CURSOR_INSTALL_TIMEOUT_MS = 300_000;

let runtime: Promise<{ runtime: Runtime; ms: number }> | undefined;

/** The installed runtime, and how long this call took (the install, when it was missing). */
export function cursorRuntime(): Promise<{ runtime: Runtime; ms: number }> {
  if (!runtime) {
    const started = Date.now();
    runtime = ensureRuntime({
      dir: CURSOR_RUNTIME_DIR,
      install: true,
      log: (m) => process.stderr.write(`[cursor runtime] ${m}\n`),
    }).then((r) => ({ runtime: r, ms: Date.now() - started }));
  }
  return runtime;
}

// biome-ignore lint/suspicious/noExplicitAny: the fake's log entries are free-form JSON read by assertions
export type FakeLogEntry = Record<string, any>;

export interface CursorFake {
  url: string;
  /** Everything the fake saw so far. */
  log(): Promise<FakeLogEntry[]>;
  close(): void;
}

export async function startCursorFake(): Promise<CursorFake> {
  const { runtime: rt } = await cursorRuntime();
  const child: ChildProcess = spawn(
    rt.node,
    ["--no-warnings", join(REPO_ROOT, "test/support/cursor-fake.mjs"), rt.dir],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: { PATH: process.env.PATH ?? "" },
    },
  );
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the Cursor fake did not start: ${stderr}`)), 60_000);
    createInterface({ input: child.stdout! }).once("line", (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the Cursor fake exited (${code}): ${stderr}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    log: async () => (await (await fetch(`${url}/__fake/log`)).json()) as FakeLogEntry[],
    close: () => child.kill("SIGTERM"),
  };
}
