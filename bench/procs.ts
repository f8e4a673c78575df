/** Child processes of the benchmark: starting, stopping, talking to them (IPC), and reading /proc. */
import { type ChildProcess, execFileSync, fork, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { type MessageEvent, WebSocket } from "undici";

/** Clock ticks per second of /proc/<pid>/stat times. */
export const CLK_TCK = (() => {
  try {
    const n = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isFinite(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

/** Resident set size of a process, KiB (VmRSS in /proc/<pid>/status). */
export function rssKb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Voluntary context switches of a process's main thread so far (/proc/<pid>/status): how often its event loop
 * went to sleep waiting for I/O and had to be woken up.
 */
export function wakeups(pid: number): number | undefined {
  try {
    const m = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** User + system CPU time of a process so far, ms, in clock ticks (utime + stime in /proc/<pid>/stat). */
function tickCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** The last time on CPU (ns) read of each thread of a process, by process (its pid and start time). */
const threadTimes = new Map<string, Map<string, number>>();

/**
 * CPU time of a process so far, ms, to the nanosecond: the time each of its threads has spent on a CPU
 * (/proc/<pid>/task/<tid>/schedstat, the scheduler's own count), summed over every thread seen so far. A thread
 * keeps the last figure read of it once it has ended; one that starts and ends between two readings is not seen.
 * utime + stime (/proc/<pid>/stat) count the same time in clock ticks of 10 ms: over a cell of 20 requests
 * that is half a millisecond a request, as much as the proxy's whole cost per MB. Falls back to the ticks where
 * schedstat is not there.
 */
export function cpuMs(pid: number): number | undefined {
  let key: string;
  let tids: string[];
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22, the start time, tells a process from a later one given the same pid.
    key = `${pid}:${stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]}`;
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let known = threadTimes.get(key);
  if (!known) {
    known = new Map();
    threadTimes.set(key, known);
  }
  for (const tid of tids) {
    try {
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      if (Number.isFinite(ns)) known.set(tid, ns);
    } catch {
      // The thread ended meanwhile: its last figure stands.
    }
  }
  if (known.size === 0) return tickCpuMs(pid);
  let ns = 0;
  for (const v of known.values()) ns += v;
  return ns / 1e6;
}

/** CPU time the whole machine spent busy so far (all cores; user, nice, system, irq, softirq, steal), ms. */
export function machineBusyMs(): number | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    const busy = f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + (f[7] ?? 0);
    return (busy * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/**
 * CPU used on this machine by processes other than `pids` (and this one) between two readings, in percent
 * of all cores: how much another workload disturbed a measurement.
 */
export class ForeignCpu {
  private machine0 = 0;
  private mine0 = 0;
  private wall0 = 0;

  constructor(
    private readonly pids: () => number[],
    private readonly cores: number,
  ) {}

  private mine(): number {
    const self = process.cpuUsage();
    let ms = (self.user + self.system) / 1000;
    for (const pid of this.pids()) ms += cpuMs(pid) ?? 0;
    return ms;
  }

  start(): void {
    this.machine0 = machineBusyMs() ?? 0;
    this.mine0 = this.mine();
    this.wall0 = performance.now();
  }

  /** Percent of all cores used by other processes since start(). */
  stop(): number {
    const machine = (machineBusyMs() ?? 0) - this.machine0;
    const mine = this.mine() - this.mine0;
    const wall = performance.now() - this.wall0;
    return wall > 0 ? Math.max(0, (100 * (machine - mine)) / (wall * this.cores)) : 0;
  }
}

/**
 * The processes of this machine whose command name (/proc/<pid>/comm) is one of `names`: the local Redis
 * (`redis-server`) and PostgreSQL (`postgres`, its server and each connection's backend) that a team lane's llmux
 * works through, whose CPU during its measurement is the lane's own, not another workload's.
 */
export function processesNamed(names: readonly string[]): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const e of entries) {
    if (e.charCodeAt(0) < 48 || e.charCodeAt(0) > 57) continue;
    try {
      if (names.includes(readFileSync(`/proc/${e}/comm`, "utf8").trim())) out.push(Number(e));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

/** The range --ports gave, and the next port of it to try. */
let range: { from: number; to: number; next: number } | undefined;

/** The servers started from now on listen on free ports between `from` and `to` (--ports). */
export function usePorts(from: number, to: number): void {
  range = { from, to, next: from };
}

/** Whether --ports gave a range. */
export function portsRanged(): boolean {
  return range !== undefined;
}

/** A port nothing listens on: the next free one of the --ports range, else any the system gives. */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  if (!range) return anyFreePort(host);
  const size = range.to - range.from + 1;
  for (let i = 0; i < size; i++) {
    const port = range.next;
    range.next = port >= range.to ? range.from : port + 1;
    if (await canListen(port, host)) return port;
  }
  throw new Error(`no free port left in ${range.from}-${range.to} (--ports)`);
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

function anyFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on host:port. */
export function portOpen(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.once("connect", () => done(true));
    s.once("error", () => done(false));
    s.connect(port, host);
  });
}

export async function waitForPort(port: number, timeoutMs: number, alive: () => boolean): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await portOpen(port)) return true;
    if (!alive()) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** A server process the benchmark started. */
export class Server {
  private tail: string[] = [];
  exited = false;
  exitCode: number | null = null;

  /** The inspector's WebSocket URL, when the process was started with --inspect. */
  inspectorUrl?: string;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    const keep = (d: Buffer) => {
      const text = d.toString("utf8");
      this.tail.push(text);
      if (this.tail.length > 40) this.tail.shift();
      this.inspectorUrl ??= /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(text)?.[0];
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.once("exit", (code) => {
      this.exited = true;
      this.exitCode = code;
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The last output lines (stdout and stderr), for error reports. */
  output(): string {
    return this.tail.join("").split("\n").slice(-15).join("\n");
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    await gone;
    clearTimeout(timer);
  }
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  port: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Keep stdout (false: it goes to /dev/null, as a production log would go to a file). */
  keepStdout?: boolean;
  timeoutMs?: number;
}

/**
 * How a server is started: by default its command as it is; the instruction counts (bench/instructions.ts) run it
 * under valgrind instead. `name` is the server's name (SpawnOptions.name).
 */
export type Launcher = (o: SpawnOptions) => SpawnOptions;

/** Spawns a server and waits until its port accepts connections. */
export async function startServer(o: SpawnOptions): Promise<Server> {
  const child = spawn(o.command, o.args, {
    cwd: o.cwd,
    env: o.env ?? process.env,
    stdio: ["ignore", o.keepStdout ? "pipe" : "ignore", "pipe"],
  });
  const server = new Server(o.name, child, o.port);
  const ok = await waitForPort(o.port, o.timeoutMs ?? 20_000, () => !server.exited);
  if (!ok) {
    await server.stop(1000);
    throw new Error(`${o.name} did not start on port ${o.port}:\n${server.output()}`);
  }
  return server;
}

/** Request / reply over a forked child's IPC channel. */
export class Rpc<Req, Res> {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: Res) => void; reject: (e: Error) => void }>();

  constructor(readonly child: ChildProcess) {
    child.on("message", (msg: { id?: number; result?: Res; error?: string }) => {
      if (msg.id === undefined) return;
      const w = this.waiting.get(msg.id);
      if (!w) return;
      this.waiting.delete(msg.id);
      if (msg.error !== undefined) w.reject(new Error(msg.error));
      else w.resolve(msg.result as Res);
    });
    child.once("exit", (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`child exited (${code})`));
      this.waiting.clear();
    });
  }

  call<R extends Res = Res>(req: Req): Promise<R> {
    const id = this.next++;
    return new Promise<R>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: Res) => void, reject });
      this.child.send({ id, ...req });
    });
  }
}

/** Forks a benchmark module (compiled JS) with IPC, waiting for its first message when `ready` is set. */
export async function forkModule(
  file: string,
  env: NodeJS.ProcessEnv,
  execArgv: string[] = [],
  ready = false,
): Promise<{ child: ChildProcess; hello?: Record<string, unknown> }> {
  const child = fork(file, [], { env, execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  if (!ready) return { child };
  const hello = await new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once("message", (m) => resolve(m as Record<string, unknown>));
    child.once("exit", (code) => reject(new Error(`${file} exited (${code}) before it was ready`)));
  });
  return { child, hello };
}

/**
 * Forces a full garbage collection in a process started with --inspect (Chrome DevTools protocol over its
 * WebSocket) and returns its memory afterwards: what it really holds, without the garbage RSS still counts.
 */
export async function memoryAfterGc(
  url: string,
  pid: number,
): Promise<{ rssKb: number; heapUsedKb: number } | undefined> {
  const ws = new WebSocket(url);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener("open", () => resolve());
      ws.addEventListener("error", () => reject(new Error("inspector connection failed")));
    });
    let id = 0;
    const waiting = new Map<number, (v: unknown) => void>();
    ws.addEventListener("message", (e: MessageEvent) => {
      const m = JSON.parse(String(e.data)) as { id?: number; result?: unknown };
      if (m.id !== undefined) waiting.get(m.id)?.(m.result);
    });
    const call = (method: string, params: Record<string, unknown> = {}) =>
      new Promise<unknown>((resolve) => {
        const n = ++id;
        waiting.set(n, resolve);
        ws.send(JSON.stringify({ id: n, method, params }));
      });
    await call("HeapProfiler.collectGarbage");
    await call("HeapProfiler.collectGarbage");
    const r = (await call("Runtime.evaluate", { expression: "process.memoryUsage().heapUsed" })) as {
      result?: { value?: number };
    };
    const rss = rssKb(pid);
    const heap = r.result?.value;
    return rss !== undefined && typeof heap === "number" ? { rssKb: rss, heapUsedKb: heap / 1024 } : undefined;
  } catch {
    return undefined;
  } finally {
    ws.close();
  }
}
