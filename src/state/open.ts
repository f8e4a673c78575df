import cluster from "node:cluster";
import { ClusterState } from "./cluster.js";
import type { HotState } from "./hot-state.js";
import { MemoryState } from "./memory.js";
import { RedisState } from "./redis.js";
import { ResilientState, type StateEvents, type StateFailurePolicy } from "./resilient.js";

export interface HotStateOptions {
  /** `redis://…`: shared by every instance; absent: this process only. */
  url?: string | undefined;
  /** Key prefix in Redis (default `llmux:`). */
  prefix?: string | undefined;
  /** While Redis is unreachable: answer from this instance's memory (default) or refuse. */
  onFailure?: StateFailurePolicy | undefined;
  timeoutMs?: number | undefined;
  /** Sentinel: how long operations wait for the client to follow a failover (src/state/redis.ts). */
  failoverWaitMs?: number | undefined;
  /** Told when Redis goes away and comes back (the gateway logs both loudly). */
  events?: StateEvents | undefined;
}

/** The hot-state engine the configuration asks for. */
export function openHotState(opts: HotStateOptions = {}): HotState {
  if (opts.url === undefined) {
    // A worker of `llmux start --workers N`: the primary keeps the state, so every worker agrees.
    if (cluster.isWorker && process.env.LLMUX_CLUSTER_STATE === "1") return new ClusterState();
    return new MemoryState();
  }
  const redis = new RedisState({
    url: opts.url,
    ...(opts.prefix !== undefined ? { prefix: opts.prefix } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.failoverWaitMs !== undefined ? { switchWaitMs: opts.failoverWaitMs } : {}),
  });
  const events = opts.events ?? { down: () => undefined, up: () => undefined };
  return new ResilientState(redis, opts.onFailure ?? "degrade", events);
}

export type { HotState, Within } from "./hot-state.js";
