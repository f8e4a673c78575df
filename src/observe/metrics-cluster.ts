import cluster, { type Worker } from "node:cluster";
import type * as Prom from "prom-client";
import { loadProm, type PromClient } from "./metrics.js";

/**
 * `/metrics` under `llmux start --workers N`: a scrape reaches one worker, which asks the primary; the
 * primary asks every worker for its registry (prom-client's AggregatorRegistry, over the cluster's IPC
 * channel) and answers the sum, so the scrape sees the whole process group.
 */

interface Ask {
  llmuxMetrics: number;
  ask: true;
}

interface Answer {
  llmuxMetrics: number;
  text?: string;
  error?: string;
}

const isAsk = (m: unknown): m is Ask => typeof m === "object" && m !== null && "llmuxMetrics" in m && "ask" in m;
const isAnswer = (m: unknown): m is Answer =>
  typeof m === "object" && m !== null && "llmuxMetrics" in m && !("ask" in m);

/** Whether this process is a worker of `llmux start --workers N`. */
export function inWorkerGroup(): boolean {
  return cluster.isWorker && process.env.LLMUX_WORKER === "1";
}

/** A worker's side: its registry is the one the primary's aggregator collects. */
export function joinWorkerGroup(prom: PromClient, registry: Prom.Registry): void {
  prom.AggregatorRegistry.setRegistries([registry]);
  // Constructing one adds the worker's listener that answers the primary's collection requests.
  new prom.AggregatorRegistry();
}

let next = 1;

/** Asks the primary for the whole group's metrics. */
export function groupMetrics(timeoutMs = 10_000): Promise<{ text: string; type: string }> {
  const id = next++;
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown) => {
      if (!isAnswer(m) || m.llmuxMetrics !== id) return;
      done();
      if (m.error !== undefined) reject(new Error(m.error));
      else resolve({ text: m.text ?? "", type: loadProm().Registry.PROMETHEUS_CONTENT_TYPE });
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error("the primary process did not answer in time"));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      process.off("message", onMessage);
    };
    process.on("message", onMessage);
    process.send?.({ llmuxMetrics: id, ask: true } satisfies Ask);
  });
}

let aggregator: Prom.AggregatorRegistry<Prom.PrometheusContentType> | undefined;

/** The primary's side: answers a worker's ask with every worker's metrics, summed. */
export function serveGroupMetrics(worker: Worker): void {
  worker.on("message", (m: unknown) => {
    if (!isAsk(m)) return;
    aggregator ??= new (loadProm().AggregatorRegistry)();
    aggregator.clusterMetrics().then(
      (text) => {
        if (worker.isConnected()) worker.send({ llmuxMetrics: m.llmuxMetrics, text } satisfies Answer);
      },
      (err: Error) => {
        if (worker.isConnected()) worker.send({ llmuxMetrics: m.llmuxMetrics, error: err.message } satisfies Answer);
      },
    );
  });
}
