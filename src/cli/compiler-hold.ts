/**
 * V8's compilers held until a served process is busy (issue 45, idle memory).
 *
 * V8 runs a function first as bytecode, then, once it is warm, as baseline code (Sparkplug), and once it has
 * run hot, compiles it with its optimizing compiler (TurboFan; Maglev too on Node 24). The optimizing compiler
 * is several MB of the node binary's code and its own memory, read and kept resident from the first function it
 * compiles, and baseline code is another MB or so of the heap. Starting llmux runs a few functions hot (the
 * module loader's path functions, the query builder while the store's migrations are checked), and serving the
 * first requests a few more: a gateway that served a developer's handful of requests paid ~6 MB of RSS for
 * compilers only load needs. Under a trickle of requests it makes little difference (bench/findings.md: the
 * first 300 small requests took about 10 % more CPU with both held, 1 MB bodies as long); under load, optimized
 * code makes requests about a quarter faster.
 *
 * So the `llmux` command starts with both compilers off (imported for its effect by main.ts, beside the young
 * generation's hold), and a server turns them on once the process has spent `busyCpuMs` of CPU since it listens
 * (looked at every `everyMs`; the look stops then): a loaded gateway within a second or two of its load. A
 * command that does not serve turns them on at once. A node option naming one of them (`--no-opt`,
 * `--turbofan`, `--maglev`, `--sparkplug` …) leaves V8's settings as the user set them; llmux used as a library
 * changes nothing of its host's.
 */
import { setFlagsFromString } from "node:v8";

/** A node option naming one of the compilers (V8 reads `-` and `_` alike; `--opt` is TurboFan's other name). */
const NAMED = /^--(?:no[-_])?(?:turbofan|opt|maglev|sparkplug)(?:=|$)/;

/** Whether Maglev is there and on (Node's build says so: on in Node 24's, off in Node 20's and 22's). */
const MAGLEV = (process.config.variables as Record<string, unknown>).v8_enable_maglev === 1;

let held = false;
if (!process.execArgv.some((a) => NAMED.test(a))) {
  setFlagsFromString("--no-turbofan");
  if (MAGLEV) setFlagsFromString("--no-maglev");
  setFlagsFromString("--no-sparkplug");
  held = true;
}

/** Whether the compilers are held now. */
export function compilersHeld(): boolean {
  return held;
}

/** The compilers on again (as V8's defaults have them: Sparkplug is on in Node 20, 22 and 24). */
export function releaseCompilers(): void {
  if (!held) return;
  held = false;
  setFlagsFromString("--sparkplug");
  setFlagsFromString("--turbofan");
  if (MAGLEV) setFlagsFromString("--maglev");
}

export interface BusyOptions {
  /** The CPU time (all of the process's threads) after which the compilers are released (default 1 s). */
  busyCpuMs?: number;
  /** How often it is looked at (default 1 s). */
  everyMs?: number;
}

export interface BusyWatch {
  stop(): void;
}

/** Releases the compilers once the process has spent `busyCpuMs` of CPU from now (unref'd: it never keeps the process alive). */
export function releaseCompilersWhenBusy(opts: BusyOptions = {}): BusyWatch {
  if (!held) return { stop: () => undefined };
  const busyMicros = (opts.busyCpuMs ?? 1000) * 1000;
  const from = process.cpuUsage();
  const timer = setInterval(() => {
    const used = process.cpuUsage(from);
    if (used.user + used.system < busyMicros) return;
    clearInterval(timer);
    releaseCompilers();
  }, opts.everyMs ?? 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
