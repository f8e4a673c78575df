/**
 * The real coding tools (Claude Code, Codex CLI, OpenCode, Gemini CLI, Copilot CLI), installed on demand at pinned
 * versions into the machine's tools cache (CLIENTS_CACHE, outside the project's dependencies and the checkout), and a
 * runner that starts one of them headless in a fresh HOME and working directory with a minimal environment and a
 * hard timeout.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { e2e } from "./e2e.js";

e2e("the real coding tools (the tools cache)");

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/**
 * Where the tools are installed: the user's cache (`$XDG_CACHE_HOME`, else `~/.cache`), under
 * `llmux-tests/clients/<tool>@<version>`, so that every checkout on the machine (a fresh clone's CI run among
 * them) reuses an install instead of repeating it: installing the six tools from npm's cache and running each
 * once held the e2e project's start for about 40 s. A pinned version has a folder of its own, so checkouts that
 * pin different versions share the cache without replacing each other's tools.
 */
export const CLIENTS_CACHE = join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "llmux-tests", "clients");

export type ClientName = "claude-code" | "claude-code-latest" | "codex" | "opencode" | "gemini-cli" | "copilot";

interface ClientPin {
  /** npm package. */
  pkg: string;
  /** Pinned version (the newest that runs on Node 20 when the issue was written). */
  version: string;
  /** The executable in node_modules/.bin. */
  bin: string;
  /** What `<bin> --version` prints (a substring). */
  versionText: string;
}

export const CLIENT_PINS: Record<ClientName, ClientPin> = {
  "claude-code": { pkg: "@anthropic-ai/claude-code", version: "2.1.197", bin: "claude", versionText: "2.1.197" },
  /** The newest release on the registry (it declares Node ≥ 22: the matrix runs it on a Node 22 of its own). */
  "claude-code-latest": {
    pkg: "@anthropic-ai/claude-code",
    version: "2.1.330",
    bin: "claude",
    versionText: "2.1.330",
  },
  codex: { pkg: "@openai/codex", version: "0.169.0", bin: "codex", versionText: "0.169.0" },
  opencode: { pkg: "opencode-ai", version: "1.18.33", bin: "opencode", versionText: "1.18.33" },
  "gemini-cli": { pkg: "@google/gemini-cli", version: "0.61.0", bin: "gemini", versionText: "0.61.0" },
  /** GitHub Copilot CLI (a native build in a per-platform package; it runs on Node 20 too). */
  copilot: { pkg: "@github/copilot", version: "1.0.102", bin: "copilot", versionText: "1.0.102" },
};

/** How long the first install of one tool may take (download of a few hundred MB). */
export const INSTALL_TIMEOUT_MS = 240_000;

/** The PATH every tool gets: the directory of the node binary running the tests, then the system's. */
export const MINIMAL_PATH = [dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(":");

const running = new Set<ChildProcess>();

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

interface SpawnOptions {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
}

/** Runs a program with stdin from /dev/null, in its own process group (killed whole on timeout). */
function run(cmd: string, args: string[], opts: SpawnOptions): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    running.add(child);
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr!.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, opts.timeoutMs);
    let done = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      running.delete(child);
      // Whatever the tool left behind in its group (language servers, plugin installs…) goes too.
      killGroup(child);
      resolvePromise({ code, signal, stdout, stderr, timedOut, ms: Date.now() - started });
    };
    child.on("error", (err) => {
      stderr += `\n[spawn error] ${err.message}`;
      finish(null, null);
    });
    // Leftovers of the group that still hold stdout/stderr open would delay 'close': end them at exit.
    child.on("exit", () => killGroup(child));
    child.on("close", finish);
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Kills every tool process this module started that is still running (for afterAll). */
export function killAllClients(): void {
  for (const child of running) killGroup(child);
  running.clear();
}

/** The folder a tool's pinned version is installed in. */
function clientDir(name: ClientName): string {
  return join(CLIENTS_CACHE, `${name}@${CLIENT_PINS[name].version}`);
}

/** Where a tool's executable lives once installed. */
export function clientBin(name: ClientName): string {
  return join(clientDir(name), "node_modules", ".bin", CLIENT_PINS[name].bin);
}

function installedVersion(name: ClientName): string | undefined {
  const pin = CLIENT_PINS[name];
  const file = join(clientDir(name), "node_modules", ...pin.pkg.split("/"), "package.json");
  try {
    return (JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

async function versionCheck(name: ClientName, bin: string, timeoutMs = 30_000): Promise<RunResult> {
  const home = await mkdtemp(join(tmpdir(), `llmux-${name}-version-`));
  try {
    return await run(bin, ["--version"], {
      cwd: home,
      env: { PATH: MINIMAL_PATH, HOME: home, DISABLE_AUTOUPDATER: "1", OPENCODE_DISABLE_AUTOUPDATE: "1" },
      timeoutMs,
    });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

const tail = (s: string, n = 3000) => (s.length > n ? `…${s.slice(-n)}` : s);

/**
 * Runs `fn` holding a lock directory beside the tools (mkdir is atomic); a lock older than an install can take
 * is left over from a killed run and is taken over.
 */
async function withInstallLock(name: ClientName, fn: () => Promise<void>): Promise<void> {
  const lock = join(CLIENTS_CACHE, `.${name}@${CLIENT_PINS[name].version}.install-lock`);
  await mkdir(CLIENTS_CACHE, { recursive: true });
  const deadline = Date.now() + INSTALL_TIMEOUT_MS + 60_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const age =
        Date.now() -
        (await stat(lock).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        ));
      if (age > INSTALL_TIMEOUT_MS + 30_000) await rm(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`waited too long for another install of ${name} (${lock})`);
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** The mark a tool's first run leaves beside it (some unpack or compile themselves on their first run). */
const warmMark = (name: ClientName) => join(clientDir(name), `.warm-${CLIENT_PINS[name].version}`);

/**
 * Installs the pinned version of a tool into the tools cache unless it is already there, and runs it
 * once (`--version`) unless it already ran: Copilot CLI, for one, unpacks itself on its first run, which on a
 * loaded machine outlasts a test's timeout. The e2e project's global setup calls this for every tool before any
 * test starts (test/global-setup.ts), outside every test's timeout. Throws with npm's or the tool's output.
 */
export async function installClient(name: ClientName): Promise<string> {
  const pin = CLIENT_PINS[name];
  const bin = clientBin(name);
  const missing = () => !existsSync(bin) || installedVersion(name) !== pin.version;
  const cold = () => missing() || !existsSync(warmMark(name));
  if (!cold()) return bin;
  // Test files run in parallel workers: one install of a tool at a time, none when another just made it.
  await withInstallLock(name, async () => {
    if (missing()) {
      const prefix = clientDir(name);
      await mkdir(prefix, { recursive: true });
      const npmCli = join(dirname(process.execPath), "npm");
      const r = await run(
        existsSync(npmCli) ? npmCli : "npm",
        ["install", "--prefix", prefix, "--no-save", "--no-audit", "--no-fund", `${pin.pkg}@${pin.version}`],
        {
          cwd: prefix,
          env: { ...(process.env as Record<string, string>), npm_config_update_notifier: "false" },
          timeoutMs: INSTALL_TIMEOUT_MS,
        },
      );
      if (r.code !== 0 || !existsSync(bin)) {
        throw new Error(
          `Could not install ${pin.pkg}@${pin.version} into ${prefix} ` +
            `(${r.timedOut ? `timed out after ${INSTALL_TIMEOUT_MS / 1000} s` : `npm exit ${r.code}`}).\n` +
            `npm stdout:\n${tail(r.stdout)}\nnpm stderr:\n${tail(r.stderr)}`,
        );
      }
    }
    if (existsSync(warmMark(name))) return;
    const v = await versionCheck(name, bin, INSTALL_TIMEOUT_MS);
    if (v.code !== 0 || !v.stdout.includes(pin.versionText)) throw versionError(name, v);
    await writeFile(warmMark(name), `${new Date().toISOString()} ${v.ms} ms\n`);
  });
  return bin;
}

function versionError(name: ClientName, v: RunResult): Error {
  const pin = CLIENT_PINS[name];
  return new Error(
    `${pin.pkg}@${pin.version} is installed in ${clientDir(name)} but '${pin.bin} --version' ` +
      `failed (exit ${v.code}${v.timedOut ? ", timed out" : ""}). Delete that folder to reinstall.\n` +
      `stdout:\n${tail(v.stdout)}\nstderr:\n${tail(v.stderr)}`,
  );
}

/**
 * The pinned version of a tool, installed and run once (installClient), checked to run: the path of its
 * executable. Throws (failing the suite) when it cannot.
 */
export async function ensureClient(name: ClientName): Promise<string> {
  const bin = await installClient(name);
  const v = await versionCheck(name, bin);
  if (v.code !== 0 || !v.stdout.includes(CLIENT_PINS[name].versionText)) throw versionError(name, v);
  return bin;
}

/** The temporary HOME and working directory of one run. */
export interface Workspace {
  root: string;
  home: string;
  cwd: string;
}

/**
 * A fresh temporary HOME and working directory. `files` are created in the working directory, `homeFiles` in
 * HOME (paths relative to it; folders are created as needed).
 */
export async function makeWorkspace(
  name: ClientName,
  opts: { files?: Record<string, string>; homeFiles?: Record<string, string> } = {},
): Promise<Workspace> {
  const root = await mkdtemp(join(tmpdir(), `llmux-${name}-`));
  const ws = { root, home: join(root, "home"), cwd: join(root, "work") };
  await mkdir(ws.home, { recursive: true });
  await mkdir(ws.cwd, { recursive: true });
  const put = async (dir: string, files: Record<string, string>) => {
    for (const [rel, content] of Object.entries(files)) {
      const file = join(dir, rel);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content);
    }
  };
  await put(ws.cwd, opts.files ?? {});
  await put(ws.home, opts.homeFiles ?? {});
  return ws;
}

export async function removeWorkspace(ws: Workspace): Promise<void> {
  await rm(ws.root, { recursive: true, force: true }).catch(() => undefined);
}

export interface RunClientOptions {
  args: string[];
  /** The tool's own variables (added to PATH and HOME). */
  env?: Record<string, string>;
  /** Default 90 s. */
  timeoutMs?: number;
}

/**
 * Runs a tool headless in a workspace: stdin from /dev/null, an `env -i` style environment (PATH with the node
 * binary's directory, HOME, and the tool's own variables), killed with its whole process group after the timeout.
 */
export function runClient(name: ClientName, ws: Workspace, opts: RunClientOptions): Promise<RunResult> {
  return run(clientBin(name), opts.args, {
    cwd: ws.cwd,
    env: { PATH: MINIMAL_PATH, HOME: ws.home, ...opts.env },
    timeoutMs: opts.timeoutMs ?? 90_000,
  });
}

/** A readable account of a run for failure messages. */
export function describeRun(name: ClientName, r: RunResult): string {
  const how = r.timedOut
    ? `TIMED OUT after ${Math.round(r.ms / 1000)} s (killed)`
    : `exit ${r.code}${r.signal ? ` (${r.signal})` : ""} in ${(r.ms / 1000).toFixed(1)} s`;
  return `${name}: ${how}\n--- stdout ---\n${tail(r.stdout)}\n--- stderr ---\n${tail(r.stderr)}`;
}
