/**
 * Running `llmux claude|codex|opencode|gemini|env|cursor` as a user would: the built command in a temporary
 * HOME and working directory, with a minimal environment; the llmux it starts in the background is found by
 * its pid file and stopped afterwards; the files of HOME can be fingerprinted before and after.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { BIN } from "./built.js";
import { MINIMAL_PATH } from "./clients.js";

export interface Home {
  root: string;
  home: string;
  cwd: string;
  /** The launcher's default state directory in this HOME. */
  state: string;
}

export function makeHome(files: Record<string, string> = {}): Home {
  const root = mkdtempSync(join(tmpdir(), "llmux-launch-"));
  const h = { root, home: join(root, "home"), cwd: join(root, "work"), state: join(root, "home", ".llmux") };
  mkdirSync(h.home, { recursive: true });
  mkdirSync(h.cwd, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    const file = join(h.home, rel);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return h;
}

/** Every file under `dir` (relative path → sha256), skipping the directories named in `skip` (relative). */
export function fingerprint(dir: string, skip: readonly string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const rel = relative(dir, p);
      if (skip.includes(rel)) continue;
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.set(rel, createHash("sha256").update(readFileSync(p)).digest("hex"));
    }
  };
  walk(dir);
  return out;
}

/** Files added, removed or changed between two fingerprints. */
export function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const p of after.keys()) if (!before.has(p)) out.push(`created ${p}`);
  for (const [p, h] of before) {
    if (!after.has(p)) out.push(`removed ${p}`);
    else if (after.get(p) !== h) out.push(`changed ${p}`);
  }
  return out.sort();
}

export interface Launched {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface LaunchOptions {
  env?: Record<string, string>;
  /** Directories put before the minimal PATH (where the tools are). */
  path?: string[];
  timeoutMs?: number;
  /** Called with the process once started (to signal it, or read its output as it comes). */
  onSpawn?: (child: ChildProcess) => void;
}

const running = new Set<ChildProcess>();

/** Runs `llmux ARGS` in the home's working directory with HOME, PATH and `env` only. */
export function launch(h: Home, args: string[], opts: LaunchOptions = {}): Promise<Launched> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: h.cwd,
      env: { PATH: [...(opts.path ?? []), MINIMAL_PATH].join(":"), HOME: h.home, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 120_000);
    opts.onSpawn?.(child);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The pids of the background llmux processes whose pid files are in `stateDir`. */
export function backgroundPids(stateDir: string): number[] {
  if (!existsSync(stateDir)) return [];
  return readdirSync(stateDir)
    .filter((f) => f.endsWith(".pid"))
    .map((f) => Number(readFileSync(join(stateDir, f), "utf8").trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops what a test started: launchers still running, and the background llmux of each state directory, and
 * waits until those have exited (a gateway writes its last rows as it stops: removing its home meanwhile
 * fails with ENOTEMPTY). One still there after 15 s is killed.
 */
export async function stopAll(stateDirs: readonly string[]): Promise<void> {
  for (const c of running) c.kill("SIGKILL");
  const pids = stateDirs.flatMap((dir) => backgroundPids(dir));
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  await untilGone(pids, 15_000);
  for (const pid of pids.filter(alive)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  await untilGone(pids, 5000);
}

/** Waits until none of `pids` is alive, or `ms` have passed. */
async function untilGone(pids: readonly number[], ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (pids.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

export function removeHome(h: Home): void {
  rmSync(h.root, { recursive: true, force: true });
}

/** Waits until `check` returns something (polling), or fails after `ms`. */
export async function until<T>(check: () => T | undefined | false, ms = 20_000, what = "condition"): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
