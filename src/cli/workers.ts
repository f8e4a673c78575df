import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import { serveGroupMetrics } from "../observe/metrics-cluster.js";
import { serveClusterState } from "../state/cluster.js";
import { MemoryState } from "../state/memory.js";
import type { Running } from "./command.js";
import { UsageError } from "./command.js";
import { Hangups } from "./hangups.js";

/** `--workers N|auto`: how many worker processes (auto: one per core). */
export function parseWorkers(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === "auto") return availableParallelism();
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 256)
    throw new UsageError(`--workers must be a number from 1 to 256 or 'auto', got '${value}'`, "start");
  return Number(value);
}

export interface Supervisor extends Running {
  /** The port the workers share. */
  readonly port: number;
  /** Replaces every worker, one at a time, each new one listening before its old one drains. */
  reload(): Promise<void>;
  readonly workers: () => number;
}

interface Say {
  info(msg: string): void;
  warn(msg: string): void;
}

const STOP_WAIT_MS = 60_000;

function listening(w: Worker): Promise<number> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null, signal: string | null) =>
      reject(new Error(`a worker exited before it listened (${signal ?? `exit status ${code}`}); its error is above`));
    w.once("exit", onExit);
    w.once("listening", (addr) => {
      w.off("exit", onExit);
      resolve(addr.port);
    });
  });
}

function stopWorker(w: Worker): Promise<void> {
  if (w.isDead()) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => w.process.kill("SIGKILL"), STOP_WAIT_MS);
    w.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    // The worker's own SIGTERM handling stops accepting and lets open streams finish.
    w.process.kill("SIGTERM");
  });
}

/**
 * The primary of `llmux start --workers N`: forks N workers that share one port (node:cluster), keeps
 * their hot state (limits, budgets, cooldowns) in its own memory when no Redis is configured, replaces a
 * worker that dies, reloads them one by one on SIGHUP, and stops them gracefully.
 */
export async function superviseWorkers(
  n: number,
  say: Say,
  /** Called after every worker was replaced (the audit log's settings.reload); its failure is only said. */
  reloaded?: () => Promise<void>,
  /** SIGHUP, taken over before the workers start (by the caller when it has work of its own to do first). */
  hangups: Hangups = new Hangups(),
): Promise<Supervisor> {
  const shared = new MemoryState();
  const live = new Set<Worker>();
  let stopping = false;
  let restarts: number[] = [];
  const fork = (): Worker => {
    const w = cluster.fork({ LLMUX_CLUSTER_STATE: "1", LLMUX_WORKER: "1" });
    live.add(w);
    serveClusterState(w, shared);
    serveGroupMetrics(w);
    w.once("exit", (code, signal) => {
      live.delete(w);
      if (stopping || (w as Worker & { retiring?: boolean }).retiring) return;
      const now = Date.now();
      restarts = restarts.filter((t) => now - t < 60_000);
      restarts.push(now);
      if (restarts.length > 10) {
        say.warn(`workers keep dying (${restarts.length} in a minute); not replacing worker ${w.id}`);
        return;
      }
      say.warn(`worker ${w.id} died (${signal ?? `exit status ${code}`}); starting a replacement`);
      setTimeout(() => void listening(fork()).catch(() => undefined), 500).unref();
    });
    return w;
  };
  const first = Array.from({ length: n }, fork);
  let port: number;
  try {
    const ports = await Promise.all(first.map(listening));
    port = ports[0]!;
  } catch (err) {
    stopping = true;
    hangups.close();
    await Promise.all([...live].map(stopWorker));
    await shared.close();
    throw err;
  }
  say.info(`llmux: ${n} workers serving one port (${port}); SIGHUP reloads them one by one`);
  const reload = async () => {
    for (const old of [...live]) {
      if (stopping) return;
      const next = fork();
      await listening(next);
      (old as Worker & { retiring?: boolean }).retiring = true;
      await stopWorker(old);
    }
    say.info(`llmux: ${live.size} workers reloaded`);
    await reloaded?.().catch((err: Error) =>
      say.warn(`the reload could not be recorded in the audit log: ${err.message}`),
    );
  };
  // A hangup that came while the workers started reloads them now (the file may have changed since they read it).
  hangups.serve(() => reload().catch((err: Error) => say.warn(`reload failed: ${err.message}`)));
  return {
    port,
    reload,
    workers: () => live.size,
    async close() {
      stopping = true;
      hangups.stop();
      await Promise.all([...live].map(stopWorker));
      await shared.close();
    },
  };
}
