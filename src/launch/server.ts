/**
 * An llmux for the launchers to talk to: the one already answering on the configured port (its /health
 * says it is llmux), or one started in the background with the user's configuration — detached, its log and
 * pid in a private state directory, left running for the next launch.
 */
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stateDir } from "./state-dir.js";
import type { Target } from "./target.js";

/** What answers at an address. */
export type Health =
  | { kind: "llmux"; models: number; patterns: number }
  | { kind: "other"; what: string }
  | { kind: "down"; why: string };

/** GET {url}/health: llmux answers `{"status":"ok","name":"llmux",…}`. */
export async function probeHealth(url: string, timeoutMs = 2000): Promise<Health> {
  let res: Response;
  try {
    res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { kind: "down", why: cause?.code ?? cause?.message ?? (err as Error).message };
  }
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { name?: unknown; models?: unknown; model_patterns?: unknown };
    if (res.status === 200 && body.name === "llmux") {
      return {
        kind: "llmux",
        models: typeof body.models === "number" ? body.models : 0,
        patterns: typeof body.model_patterns === "number" ? body.model_patterns : 0,
      };
    }
  } catch {
    // not JSON: not llmux
  }
  return { kind: "other", what: `HTTP ${res.status} ${text.slice(0, 80).replace(/\s+/g, " ")}`.trim() };
}

export { stateDir } from "./state-dir.js";

export interface Background {
  pid: number;
  log: string;
  pidFile: string;
}

export interface Running {
  /** Started now, in the background; absent when an llmux was already answering. */
  started?: Background;
  health: Extract<Health, { kind: "llmux" }>;
}

/**
 * The command started in the background: the one this process runs, bundled (dist/bundle/llmux.js, as shipped)
 * or compiled (dist/cli/main.js).
 */
const MAIN = fileURLToPath(
  new URL(
    basename(dirname(fileURLToPath(import.meta.url))) === "bundle" ? "../bundle/llmux.js" : "../cli/main.js",
    import.meta.url,
  ),
);

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/** Starts `llmux start` detached, output to a log file, and waits until it answers as llmux. */
async function startBackground(target: Target, env: NodeJS.ProcessEnv, waitMs: number): Promise<Running> {
  const dir = stateDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const log = join(dir, `llmux-${target.port}.log`);
  const pidFile = join(dir, `llmux-${target.port}.pid`);
  const args = [MAIN, "start", "--port", String(target.port)];
  if (target.configFile) args.push("--config", target.configFile);
  const fd = openSync(log, "a", 0o600);
  writeFileSync(fd, `\n--- ${new Date().toISOString()} llmux ${args.slice(1).join(" ")}\n`);
  let exited: string | undefined;
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ["ignore", fd, fd],
    // Relative paths of the configuration (store.path…) mean what they mean for `llmux start` run beside it.
    cwd: target.configFile ? dirname(target.configFile) : dir,
    env,
  });
  closeSync(fd);
  child.on("exit", (code, signal) => {
    exited = signal ? `was stopped by ${signal}` : `exited with status ${code}`;
  });
  child.on("error", (err) => {
    exited = `could not be started: ${err.message}`;
  });
  const pid = child.pid ?? 0;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const h = await probeHealth(target.url, 1000);
    if (h.kind === "llmux") {
      child.unref();
      // Another launch started one at the same moment, and ours gave way (the port was taken): use that one.
      if (exited !== undefined) return { health: h };
      writeFileSync(pidFile, `${pid}\n`, { mode: 0o600 });
      return { started: { pid, log, pidFile }, health: h };
    }
    if (exited !== undefined || Date.now() > deadline) {
      if (exited === undefined) child.kill("SIGTERM");
      const why = exited ?? `did not answer on ${target.url} within ${Math.round(waitMs / 1000)} s`;
      const lines = tail(log);
      throw new Error(`llmux ${why} (log: ${log})${lines ? `\n${lines}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
}

/**
 * The llmux at the target: reused when one answers there, otherwise (local targets only) started in the
 * background. Throws, in words, when something else holds the port or llmux cannot be started.
 */
export async function ensureLlmux(target: Target, env: NodeJS.ProcessEnv, waitMs = 20_000): Promise<Running> {
  const h = await probeHealth(target.url);
  if (h.kind === "llmux") return { health: h };
  if (h.kind === "other") {
    const fix = target.local ? "choose another port with --port, or point --url at llmux" : "point --url at llmux";
    throw new Error(`${target.url} answers, but not as llmux (${h.what}): ${fix}`);
  }
  if (!target.local) throw new Error(`llmux does not answer at ${target.url} (${h.why})`);
  // A minted key on a machine with no configuration: the key belongs to a team's llmux, not to a mock here.
  if (target.resolved?.mock && target.key.startsWith("lx-"))
    throw new Error(
      `${target.keySource} holds a minted key (lx-…), but no --url names the llmux that minted it, and this machine has no llmux configuration: an llmux started here would serve only the mock model and not know the key. Pass --url https://… (the address of your team's llmux; llmux keys create prints it).`,
    );
  return startBackground(target, env, waitMs);
}
