/**
 * A full garbage collection when a served process falls idle after load (issue 45, memory).
 *
 * V8 collects its old generation when it nears a limit set from what was alive at the last full collection, and
 * a gateway under load keeps much alive (bodies of large requests in flight, their buffers). Once the load
 * stops, nothing more is allocated, so the limit is never reached. V8's memory reducer collects an idle heap
 * too, but once it has run at a larger size it waits for the heap to pass that size again (memory-reducer.cc).
 * So what the load left behind stayed resident while the gateway sat idle: 208–345 MB twenty seconds after the
 * bench's lanes at 64 connections, 169–212 MB with this collection (bench/findings.md).
 *
 * The `llmux` command therefore looks every few seconds: when the event loop was all but idle for two looks in a row
 * and V8's heap plus the memory its buffers hold has grown by at least `growthBytes` since the last such
 * collection (or since start), it collects twice (the second frees what the first's finalisers let go, the
 * buffers' memory among it). A busy gateway is never paused for it, and an idle one that holds nothing new is
 * left alone. llmux used as a library changes nothing of its host's.
 */
import { performance } from "node:perf_hooks";
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export interface IdleCollectOptions {
  /** How often the event loop's use is looked at (default 5 s). */
  everyMs?: number;
  /** How much the heap and buffers must have grown since the last collection (default 32 MB). */
  growthBytes?: number;
  /** The share of an interval the event loop may have been busy and still count as idle (default 1 %). */
  idleBelow?: number;
  /** Told of each collection: the bytes held before and after it. */
  collected?(before: number, after: number): void;
  /** What is held, in bytes (default: V8's heap as committed plus its objects' memory outside it). */
  held?(): number;
  /** The collection (default: `collectGarbage`). */
  collect?(): void;
}

export interface IdleCollector {
  stop(): void;
}

/** V8's heap as committed plus the memory held outside it for its objects (buffers). */
export function heldBytes(): number {
  const h = getHeapStatistics();
  return h.total_heap_size + h.external_memory;
}

/** The collector function: the one a `--expose-gc` node option gave, or one made for a context of its own. */
function collector(): () => void {
  const given = (globalThis as { gc?: () => void }).gc;
  if (given) return given;
  // A context made while the flag is on has a `gc`; the flag is put back at once, for the contexts made later.
  setFlagsFromString("--expose-gc");
  try {
    return runInNewContext("gc") as () => void;
  } finally {
    setFlagsFromString("--no-expose-gc");
  }
}

let gc: (() => void) | undefined;

/**
 * Two full collections: the second frees what the first's finalisers let go (the buffers' memory among it).
 * Tens of ms for a heap of some hundred MB.
 */
export function collectGarbage(): void {
  gc ??= collector();
  gc();
  gc();
}

/** Starts looking (unref'd: it never keeps the process alive). */
export function collectWhenIdle(opts: IdleCollectOptions = {}): IdleCollector {
  const everyMs = opts.everyMs ?? 5000;
  const growth = opts.growthBytes ?? 32 * 1024 * 1024;
  const idleBelow = opts.idleBelow ?? 0.01;
  const held = opts.held ?? heldBytes;
  const collect = opts.collect ?? collectGarbage;
  let baseline = held();
  let last = performance.eventLoopUtilization();
  let quiet = 0;
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const used = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    quiet = used < idleBelow ? quiet + 1 : 0;
    if (quiet < 2) return;
    const before = held();
    if (before - baseline < growth) {
      // Memory given back since (or never taken): the next collection is measured from here.
      if (before < baseline) baseline = before;
      return;
    }
    collect();
    baseline = held();
    quiet = 0;
    opts.collected?.(before, baseline);
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
