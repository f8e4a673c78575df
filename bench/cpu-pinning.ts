/**
 * Keeping the load apart from llmux with `taskset`: the CPUs this process may use (as many as
 * os.availableParallelism() says), the first half for llmux and the rest for the load generator and the mock
 * (on two cores: llmux on the first, the load on the second). Without taskset, or on one core, nothing is pinned.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

export interface Pinning {
  /** CPUs llmux may use (all its workers share them). */
  llmux: number[];
  /** CPUs of the load generator and the mock (this process). */
  load: number[];
}

/** "0-2,4" → [0, 1, 2, 4]. */
export function parseCpuList(list: string): number[] {
  const out: number[] = [];
  for (const part of list.trim().split(",")) {
    if (part === "") continue;
    const [a, b] = part.split("-").map(Number);
    if (a === undefined || !Number.isInteger(a)) continue;
    const end = b !== undefined && Number.isInteger(b) ? b : a;
    for (let c = a; c <= end; c++) out.push(c);
  }
  return out;
}

/** The CPUs this process may run on: Cpus_allowed_list when it agrees with availableParallelism(), else 0…n−1. */
export function allowedCpus(): number[] {
  const n = availableParallelism();
  try {
    const m = /^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync("/proc/self/status", "utf8"));
    const list = m ? parseCpuList(m[1]!) : [];
    if (list.length === n) return list;
  } catch {
    // not Linux: fall through
  }
  return Array.from({ length: n }, (_, i) => i);
}

/** llmux on the first half of the CPUs (at least one), the load on the rest; undefined on a single CPU. */
export function planPinning(cpus: number[] = allowedCpus()): Pinning | undefined {
  if (cpus.length < 2) return undefined;
  const forLlmux = Math.max(1, Math.floor(cpus.length / 2));
  return { llmux: cpus.slice(0, forLlmux), load: cpus.slice(forLlmux) };
}

export function hasTaskset(): boolean {
  try {
    execFileSync("taskset", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Pins every thread of this process (and what it starts later) to `cpus`. */
export function pinSelf(cpus: number[]): void {
  execFileSync("taskset", ["-a", "-p", "-c", cpus.join(","), String(process.pid)], { stdio: "ignore" });
}

/** The command line that runs `command args` on `cpus` only (taskset execs it: the pid stays the server's). */
export function onCpus(cpus: number[], command: string, args: string[]): { command: string; args: string[] } {
  return { command: "taskset", args: ["-c", cpus.join(","), command, ...args] };
}
