/**
 * llmux's side of the Cursor helper: starts the helper (Node ≥ 22.13, Cursor's SDK) as a child process on
 * first use, speaks JSON lines with it, hands each request the events tagged with its id, and starts it again
 * after it exits. A helper that dies takes no more than its requests with it: each gets a clean 503.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { AsyncChannel } from "./channel.js";
import { permissionFlags } from "./permissions.js";
import type { Command, ErrorOut, HelperEvent, ResumeCommand, RunCommand } from "./protocol.js";
import { type Runtime, SDK_VERSION } from "./runtime.js";

export interface HelperOptions {
  /** The installed runtime (installing it first when needed). */
  runtime: () => Promise<Runtime>;
  /** Cursor's backend (CURSOR_BACKEND_URL), when not Cursor's own. */
  backendUrl?: string | undefined;
  toolResultTimeoutMs: number;
  conversationTtlMs: number;
  maxConversations: number;
  log: (level: "debug" | "info" | "warn", message: string) => void;
}

type RequestEvent = Extract<HelperEvent, { id: string }>;

const READY_TIMEOUT_MS = 60_000;

/**
 * The helper's source in the cursor folder: compiled (dist/cursor) or TypeScript run with Node's type stripping
 * (src/cursor). Named from the folder above, so that the built command's bundle (dist/bundle) finds it too.
 */
function helperPath(): string {
  const js = fileURLToPath(new URL("../cursor/helper.js", import.meta.url));
  return existsSync(js) ? js : fileURLToPath(new URL("../cursor/helper.ts", import.meta.url));
}

/** Environment variables the helper gets from llmux's own (trust and proxies for its connection to Cursor). */
const PASSED_ENV = [
  "PATH",
  "NODE_EXTRA_CA_CERTS",
  "HTTPS_PROXY",
  "HTTP_PROXY",
  "NO_PROXY",
  "https_proxy",
  "http_proxy",
  "no_proxy",
  "TZ",
];

interface Started {
  child: ChildProcess;
  workdir: string;
  /** Resolves once the helper said it is ready. */
  ready: Promise<void>;
}

export class CursorHelper {
  private started: Started | undefined;
  private readonly channels = new Map<string, AsyncChannel<RequestEvent>>();
  private seq = 0;
  /** Bumped on every start: conversations held by an earlier helper are gone. */
  generation = 0;

  constructor(private readonly opts: HelperOptions) {}

  /** The helper's process id while it runs. */
  get pid(): number | undefined {
    return this.started?.child.pid;
  }

  /** Sends a command and returns its events, ending with `end` or `error`. */
  async request(
    cmd: Omit<RunCommand, "id"> | Omit<ResumeCommand, "id">,
  ): Promise<{ id: string; events: AsyncIterable<RequestEvent>; generation: number }> {
    const s = await this.start();
    const id = `r${++this.seq}`;
    const channel = new AsyncChannel<RequestEvent>();
    this.channels.set(id, channel);
    this.write(s, { ...cmd, id } as Command);
    return { id, events: channel, generation: this.generation };
  }

  /** Stops what request `id` runs (the client went away). */
  cancel(id: string): void {
    const s = this.started;
    this.channels.get(id)?.close();
    this.channels.delete(id);
    if (s) this.write(s, { op: "cancel", id });
  }

  /** Stops the helper (its conversations end with it). */
  async close(): Promise<void> {
    const s = this.started;
    if (!s) return;
    s.child.kill("SIGKILL");
    await s.ready.catch(() => undefined);
  }

  private write(s: Started, cmd: Command): void {
    if (s.child.stdin?.writable) s.child.stdin.write(`${JSON.stringify(cmd)}\n`);
  }

  private async start(): Promise<Started> {
    if (this.started) {
      await this.started.ready;
      return this.started;
    }
    const runtime = await this.opts.runtime();
    if (this.started) return this.start();
    const workdir = await mkdtemp(join(tmpdir(), "llmux-cursor-"));
    const workspace = join(workdir, "workspace");
    await mkdir(workspace);
    const script = helperPath();
    const env: Record<string, string> = {
      HOME: workdir,
      LLMUX_CURSOR_SDK: runtime.sdkEntry,
      LLMUX_CURSOR_SDK_VERSION: SDK_VERSION,
      LLMUX_CURSOR_OPTIONS: JSON.stringify({
        workdir: workspace,
        toolResultTimeoutMs: this.opts.toolResultTimeoutMs,
        conversationTtlMs: this.opts.conversationTtlMs,
        maxConversations: this.opts.maxConversations,
      }),
    };
    for (const k of PASSED_ENV) if (process.env[k]) env[k] = process.env[k]!;
    if (this.opts.backendUrl) env.CURSOR_BACKEND_URL = this.opts.backendUrl;
    const flags = permissionFlags({ runtimeDir: runtime.dir, script, workdir, workspace }, runtime.node);
    // From source (llmux run from its TypeScript, as in its tests), on a Node that may not strip types by default.
    const ts = script.endsWith(".ts") ? ["--experimental-strip-types"] : [];
    const args = [...flags, ...ts, "--no-warnings", script];
    const child = spawn(runtime.node, args, { cwd: workspace, env, stdio: ["pipe", "pipe", "pipe"] });
    this.generation++;
    let readyNow: () => void = () => undefined;
    let failNow: (e: Error) => void = () => undefined;
    const ready = new Promise<void>((res, rej) => {
      readyNow = res;
      failNow = rej;
    });
    ready.catch(() => undefined);
    const started: Started = { child, workdir, ready };
    this.started = started;
    const timer = setTimeout(() => {
      failNow(new Error("the Cursor helper did not start in time"));
      child.kill("SIGKILL");
    }, READY_TIMEOUT_MS);
    createInterface({ input: child.stdout! }).on("line", (line) => this.onLine(line, readyNow));
    createInterface({ input: child.stderr! }).on("line", (line) =>
      this.opts.log("debug", `cursor helper: ${line.slice(0, 500)}`),
    );
    child.on("error", (err) => failNow(new Error(`the Cursor helper could not start: ${err.message}`)));
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      failNow(new Error(`the Cursor helper exited (${signal ?? `code ${code}`}) before it was ready`));
      if (this.started === started) this.started = undefined;
      void rm(workdir, { recursive: true, force: true });
      const error: ErrorOut = {
        status: 503,
        kind: "server",
        message: `the Cursor helper stopped (${signal ?? `exit code ${code}`}); it starts again with the next request`,
      };
      for (const [id, channel] of this.channels) {
        channel.push({ id, ev: "error", error });
        channel.close();
      }
      this.channels.clear();
      this.opts.log("warn", error.message);
    });
    // llmux exiting takes the helper along (its stdin closes too, which the helper also takes as the end).
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    (child.stderr as unknown as { unref?: () => void }).unref?.();
    await ready.finally(() => clearTimeout(timer));
    return started;
  }

  private onLine(line: string, ready: () => void): void {
    let e: HelperEvent;
    try {
      e = JSON.parse(line) as HelperEvent;
    } catch {
      this.opts.log("debug", `cursor helper: ${line.slice(0, 500)}`);
      return;
    }
    if (e.ev === "ready") {
      this.opts.log("info", `Cursor helper ready (SDK ${e.sdk}, Node ${e.node})`);
      ready();
      return;
    }
    if (e.ev === "log") {
      this.opts.log("debug", `cursor helper: ${e.message}`);
      return;
    }
    const channel = this.channels.get(e.id);
    if (!channel) return;
    channel.push(e);
    if (e.ev === "end" || e.ev === "error") {
      channel.close();
      this.channels.delete(e.id);
    }
  }
}
