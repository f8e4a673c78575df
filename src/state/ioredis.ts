import { createRequire } from "node:module";
import type { Cluster, Redis } from "ioredis";
import type { RedisTarget } from "./redis-url.js";

type IoRedis = typeof import("ioredis");

let loaded: IoRedis | undefined;

/** ioredis, loaded the first time a Redis is used (a gateway without Redis does not carry it). */
function ioredis(): IoRedis {
  loaded ??= createRequire(import.meta.url)("ioredis") as IoRedis;
  return loaded;
}

/** ioredis's client class of one server. */
export function redisClient(): IoRedis["Redis"] {
  return ioredis().Redis;
}

/** A client of one server, of the primary Sentinels name, or of a Redis Cluster: the same commands. */
export type RedisLike = Redis | Cluster;

export interface ConnectOptions {
  readonly keyPrefix?: string | undefined;
  readonly lazyConnect?: boolean | undefined;
  /** Queue commands while (re)connecting (the start-up probe), or fail them at once (the request path). */
  readonly offlineQueue: boolean;
  readonly connectTimeout?: number | undefined;
  readonly commandTimeout?: number | undefined;
  /** Ms before the next connection attempt; null: give up. */
  readonly retry: (times: number) => number | null;
}

/**
 * A write refused by a primary that became a replica (a failover the client has not seen yet): reconnect, so
 * the Sentinels name the new primary; the refused command fails (it was not applied), and RedisState sends it
 * again once the client is ready on the new primary (src/state/redis.ts `run`).
 */
const readOnly = (err: Error) => /READONLY/.test(err.message);

/** How long a Sentinel has to answer where the primary is (it answers in well under a millisecond). */
export const SENTINEL_ANSWER_MS = 2000;

/** A client for `state.url`'s topology (src/state/redis-url.ts), through ioredis's own Sentinel and Cluster support. */
export function connectRedis(target: RedisTarget, o: ConnectOptions): RedisLike {
  const common = {
    ...(o.keyPrefix !== undefined ? { keyPrefix: o.keyPrefix } : {}),
    ...(o.lazyConnect !== undefined ? { lazyConnect: o.lazyConnect } : {}),
    ...(o.connectTimeout !== undefined ? { connectTimeout: o.connectTimeout } : {}),
    ...(o.commandTimeout !== undefined ? { commandTimeout: o.commandTimeout } : {}),
    maxRetriesPerRequest: 0,
    // Named in CLIENT LIST, so an operator (and a test) sees which connections are llmux's.
    connectionName: "llmux",
  };
  const { Redis: RedisClass, Cluster: ClusterClass } = ioredis();
  if (target.kind === "single")
    return new RedisClass(target.url, { ...common, enableOfflineQueue: o.offlineQueue, retryStrategy: o.retry });
  const auth = {
    ...(target.username !== undefined ? { username: target.username } : {}),
    ...(target.password !== undefined ? { password: target.password } : {}),
    ...(target.tls ? { tls: {} } : {}),
  };
  if (target.kind === "sentinel")
    return new RedisClass({
      ...common,
      ...auth,
      sentinels: target.sentinels.map((s) => ({ host: s.host, port: s.port })),
      name: target.name,
      db: target.db,
      ...(target.sentinelPassword !== undefined ? { sentinelPassword: target.sentinelPassword } : {}),
      ...(target.tls ? { enableTLSForSentinelMode: true } : {}),
      enableOfflineQueue: o.offlineQueue,
      retryStrategy: o.retry,
      sentinelRetryStrategy: o.retry,
      // A Sentinel that accepts and never answers (a frozen host) is left for the next one after this long;
      // unbounded (ioredis's default), the first such Sentinel named kept the client from the primary for good.
      sentinelCommandTimeout: SENTINEL_ANSWER_MS,
      // Told by the Sentinels of a failover (+switch-master) at once, not at the next error.
      failoverDetector: true,
      reconnectOnError: readOnly,
    });
  const { keyPrefix, lazyConnect, ...node } = common;
  return new ClusterClass(
    target.nodes.map((n) => ({ host: n.host, port: n.port })),
    {
      ...(keyPrefix !== undefined ? { keyPrefix } : {}),
      ...(lazyConnect !== undefined ? { lazyConnect } : {}),
      enableOfflineQueue: o.offlineQueue,
      clusterRetryStrategy: o.retry,
      // A node that went away is tried again: a primary that returns as a replica, a replica restarted.
      clusterNodeRetryStrategy: (times: number) => Math.min(200 * times, 2000),
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      slotsRefreshInterval: 2000,
      ...(o.connectTimeout !== undefined ? { slotsRefreshTimeout: o.connectTimeout } : {}),
      redisOptions: { ...node, ...auth, reconnectOnError: readOnly },
    },
  );
}

/**
 * ioredis gives a client up for good (status `end`, no further attempt) when a connection attempt itself is
 * rejected rather than failing on its socket: behind Sentinels, when the failover detector hears
 * +switch-master while the connector is still asking a Sentinel where the primary is (the question's end then
 * finds the connector closed under it). Such a client is connected again after `delayMs`, and again after each
 * attempt that ends the same way, until the returned `stop` is called (before the owner closes the client).
 */
export function reconnectWhenEnded(client: RedisLike, delayMs: number): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const again = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      if (!stopped && client.status === "end") client.connect().catch(() => undefined);
    }, delayMs);
    timer.unref();
  };
  client.on("end", again);
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    client.off("end", again);
  };
}
