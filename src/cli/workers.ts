import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import { serveGroupMetrics } from "../observe/metrics-cluster.js";
import { serveClusterState } from "../state/cluster.js";
import { MemoryState } from "../state/memory.js";
import type { Running } from "./command.js";
import { UsageError } from "./command.js";
import type { Hangups } from "./hangups.js";

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

/** Each worker's stop, asked once (a second SIGTERM would end a worker at once instead of letting it drain). */
const stops = new WeakMap<Worker, Promise<void>>();

function stopWorker(w: Worker): Promise<void> {
  if (w.isDead()) return Promise.resolve();
  let stop = stops.get(w);
  if (!stop) {
    stop = sigterm(w);
    stops.set(w, stop);
  }
  return stop;
}

function sigterm(w: Worker): Promise<void> {
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
  /** SIGHUP, taken over by the caller before the workers start (src/cli/hangups.ts). */
  hangups: Hangups,
  /** Called after every worker was replaced (the audit log's settings.reload); its failure is only said. */
  reloaded?: () => Promise<void>,
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
      setTimeout(() => {
        if (!stopping) void listening(fork()).catch(() => undefined);
      }, 500).unref();
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
    // Still not fatal while the workers stop: the start fails with its own error.
    void hangups.stop();
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
    if (stopping) return;
    say.info(`llmux: ${live.size} workers reloaded`);
    await reloaded?.().catch((err: Error) =>
      say.warn(`the reload could not be recorded in the audit log: ${err.message}`),
    );
  };
  // A hangup that came while the workers started reloads them now (the file may have changed since they read it).
  hangups.serve(() =>
    reload().catch((err: Error) => {
      // A stop during a reload ends its new worker too: no failure of the reload.
      if (!stopping) say.warn(`reload failed: ${err.message}`);
    }),
  );
  return {
    port,
    workers: () => live.size,
    async close() {
      stopping = true;
      // The workers stop (a reload under way among them: its new worker too), then the reload has ended.
      await Promise.all([...live].map(stopWorker));
      await hangups.stop();
      await shared.close();
    },
  };
}
