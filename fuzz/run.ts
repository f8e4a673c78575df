/**
 * Runs targets' inputs and counts what happened: inputs tried, findings (kept with the input that caused
 * them), the slowest input. Inputs come from fast-check's generators in batches, each batch from its own seed
 * (the run's seed and the batch's number), so a run is repeatable.
 */
import { setImmediate as yieldToLoop } from "node:timers/promises";
import fc from "fast-check";
import type { Target } from "./target.js";

/**
 * CPU the fuzzer spent on its own work: making inputs, and copying a decoded value for each encoder a target
 * drives (llmux encodes a request once; the monitor leaves this out of the event loop's stalls, and `one` out of
 * an input's CPU).
 */
export const generation = { cpuMs: 0 };

/** Runs `f` counting its CPU as the fuzzer's own (see `generation`). */
export function harnessWork<T>(f: () => T): T {
  const before = process.cpuUsage();
  try {
    return f();
  } finally {
    const used = process.cpuUsage(before);
    generation.cpuMs += (used.user + used.system) / 1000;
  }
}

/** The input that took the most CPU since the monitor last looked: what a stall it sees was running. */
export interface RecentInput {
  target: string;
  cpuMs: number;
  wallMs: number;
  input: string;
}
export const recent: { heaviest: RecentInput | undefined } = { heaviest: undefined };

export interface Finding {
  target: string;
  seed: number;
  words: string;
  input: string;
  /** The input itself (written to `.cache/fuzz/findings.json`, to replay it). */
  raw?: unknown;
}

export interface Tally {
  target: string;
  level: Target["level"];
  inputs: number;
  findings: number;
  /** Findings that are an HTTP status of 500 or more (or an in-band error of that status). */
  fivexx: number;
  slowestMs: number;
  /** The most CPU one input took (this process's, threads included), and inputs that took more than a second. */
  heaviestCpuMs: number;
  heavy: number;
  /** Time spent on this target's batches. */
  busyMs: number;
  /** The slowest input, described. */
  slowest: string;
  /** The slowest input itself (written beside the report). */
  slowestInput?: unknown;
  examples: Finding[];
}

export const newTally = (t: Target<never>): Tally => ({
  target: t.name,
  level: t.level,
  inputs: 0,
  findings: 0,
  fivexx: 0,
  slowestMs: 0,
  heaviestCpuMs: 0,
  heavy: 0,
  busyMs: 0,
  slowest: "",
  examples: [],
});

/** How long one input may take before it is a finding (an answer that never ends). */
const INPUT_TIMEOUT_MS = 60_000;

async function within<T>(p: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const out = await Promise.race([
    p,
    new Promise<"timeout">((r) => {
      timer = setTimeout(() => r("timeout"), ms);
    }),
  ]);
  clearTimeout(timer);
  return out;
}

/**
 * An input described for a report; never throws (a description that fails, e.g. serialising a value nested
 * thousands deep, would otherwise end the run).
 */
export function described<T>(t: Target<T>, input: T): string {
  try {
    return t.describe?.(input) ?? String(input);
  } catch (err) {
    return `(not described: ${(err as Error).message})`;
  }
}

/** One input, timed, its finding counted. */
async function one<T>(t: Target<T>, input: T, seed: number, tally: Tally): Promise<void> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const harness = generation.cpuMs;
  let words: string | undefined;
  try {
    const out = await within(t.run(input), INPUT_TIMEOUT_MS);
    words = out === "timeout" ? `no answer in ${INPUT_TIMEOUT_MS / 1000} s` : out;
  } catch (err) {
    words = `the harness failed: ${(err as Error).message}`;
  }
  const took = performance.now() - start;
  const used = process.cpuUsage(cpu);
  // Inputs running side by side share the count; the fuzzer's own work meanwhile is left out.
  const cpuMs = Math.max(0, (used.user + used.system) / 1000 - (generation.cpuMs - harness));
  tally.heaviestCpuMs = Math.max(tally.heaviestCpuMs, cpuMs);
  if (!recent.heaviest || cpuMs > recent.heaviest.cpuMs)
    recent.heaviest = {
      target: t.name,
      cpuMs: Math.round(cpuMs),
      wallMs: Math.round(took),
      input: described(t, input).slice(0, 300),
    };
  // An input that costs a second of CPU on its own, on a machine that starves this process or not: where a
  // stall would come from. Kept as a finding with its input (inputs running side by side share the count).
  if (cpuMs > 1000 && (t.parallel ?? 1) === 1) {
    tally.heavy++;
    words ??= `took ${Math.round(cpuMs)} ms of CPU`;
  }
  if (took > tally.slowestMs) {
    tally.slowestMs = took;
    tally.slowest = described(t, input).slice(0, 300);
    tally.slowestInput = input;
  }
  tally.inputs++;
  if (words === undefined) return;
  tally.findings++;
  if (words.startsWith("5xx")) tally.fivexx++;
  if (tally.examples.length < 20)
    tally.examples.push({
      target: t.name,
      seed,
      words,
      input: described(t, input).slice(0, 2000),
      raw: input,
    });
}

/**
 * Runs one batch of `count` inputs of `t` from `seed`, `parallel` at a time, yielding to the event loop between
 * inputs (so the loop's delay measures what llmux's code holds it for, not the fuzzer's own loop).
 */
export async function runBatch<T>(
  t: Target<T>,
  seed: number,
  count: number,
  tally: Tally,
  /** The batch stops once this much time passed (the targets share a run's time, not its inputs). */
  sliceMs = Number.POSITIVE_INFINITY,
): Promise<void> {
  const parallel = t.parallel ?? 1;
  // Made ten at a time (a batch made at once would hold the event loop itself).
  const made: T[] = [];
  let made0 = 0;
  let next = 0;
  let yielded = performance.now();
  const stopAt = performance.now() + sliceMs;
  const take = (): T | undefined => {
    if (next >= count || performance.now() > stopAt) return undefined;
    if (next - made0 >= made.length) {
      made0 += made.length;
      made.length = 0;
      const before = process.cpuUsage();
      made.push(...fc.sample(t.input, { seed: seed * 101 + made0, numRuns: Math.min(10, count - made0) }));
      const used = process.cpuUsage(before);
      generation.cpuMs += (used.user + used.system) / 1000;
    }
    return made[next++ - made0];
  };
  const worker = async () => {
    for (let input = take(); input !== undefined; input = take()) {
      await one(t, input, seed, tally);
      if (performance.now() - yielded > 10) {
        await yieldToLoop();
        yielded = performance.now();
      }
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: parallel }, worker));
  tally.busyMs += performance.now() - began;
}
