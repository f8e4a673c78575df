import { connectRedis } from "./ioredis.js";
import { parseRedisTarget, type RedisTarget, safeRedisUrl } from "./redis-url.js";

export { safeRedisUrl } from "./redis-url.js";

/** TLS verification failures (Node's codes for a certificate it does not trust). */
const UNTRUSTED = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** Why a Redis error at start means the configuration is wrong (undefined: it is only unreachable). */
function misconfigured(err: Error & { code?: string }, url: string): string | undefined {
  const where = safeRedisUrl(url);
  const msg = err.message ?? "";
  if (/WRONGPASS|invalid username-password|NOAUTH|AUTH.*without any password|ERR AUTH/i.test(msg))
    return `Redis at ${where} refused llmux's credentials (${msg.trim()}): check the user and password in state.url`;
  if (err.code && UNTRUSTED.has(err.code))
    return `Redis at ${where} presented a TLS certificate llmux does not trust (${err.code}): give its CA with NODE_EXTRA_CA_CERTS, or use a certificate for this host name`;
  return undefined;
}

/** What the Redis of `state.url` is, as `llmux doctor` reports it. */
export interface RedisFacts {
  /** The server's version (of the primary, or of the first cluster node that answered). */
  readonly version?: string | undefined;
  /** `one server`, `Sentinel primary mymaster at host:port (2 replicas)`, `Redis Cluster: 3 primaries, …`. */
  readonly topology?: string | undefined;
}

async function factsOf(client: ReturnType<typeof connectRedis>, target: RedisTarget): Promise<RedisFacts> {
  const info = await client.info("server");
  const version = /^redis_version:(\S+)/m.exec(info)?.[1];
  if (target.kind === "single") return { version, topology: "one server" };
  if (target.kind === "sentinel") {
    const repl = await client.info("replication");
    const replicas = /^connected_slaves:(\d+)/m.exec(repl)?.[1] ?? "0";
    const role = /^role:(\w+)/m.exec(repl)?.[1];
    return {
      version,
      topology: `Sentinel primary "${target.name}" (role ${role ?? "?"}, ${replicas} replica(s) connected), ${target.sentinels.length} Sentinel(s) listed`,
    };
  }
  const cluster = client as import("ioredis").Cluster;
  const state = /^cluster_state:(\w+)/m.exec(String(await cluster.cluster("INFO")))?.[1];
  const nodes = String(await cluster.cluster("NODES"))
    .split("\n")
    .map((l) => l.split(" ")[2] ?? "");
  const masters = nodes.filter((f) => /\bmaster\b/.test(f) && !/fail/.test(f)).length;
  const replicas = nodes.filter((f) => /\bslave\b/.test(f) && !/fail/.test(f)).length;
  return { version, topology: `Redis Cluster (state ${state ?? "?"}): ${masters} primaries, ${replicas} replicas` };
}

/**
 * Checks `state.url` once at start and says what is wrong with it in words: a URL llmux cannot read,
 * credentials refused, a TLS certificate not trusted, `redis://` pointed at a port that speaks TLS (the
 * server hangs up without a word), a Redis Cluster node or a Sentinel given as `redis://` (use
 * `redis+cluster://` or `redis+sentinel://`: one node of a cluster holds only its own slots, and a Sentinel
 * holds no data). Resolves undefined when the server answers as the URL says, or cannot be reached at all
 * (an outage, which the failure policy handles while serving; then `unreachable` is told why, in the
 * socket's words). `facts` is told the version and topology of a server that answered.
 */
export async function redisProblem(
  url: string,
  timeoutMs = 3000,
  unreachable?: (why: string) => void,
  facts?: (f: RedisFacts) => void,
): Promise<string | undefined> {
  const where = safeRedisUrl(url);
  let target: RedisTarget;
  try {
    target = parseRedisTarget(url);
  } catch (err) {
    return (err as Error).message;
  }
  let lastError: (Error & { code?: string }) | undefined;
  const client = connectRedis(target, {
    lazyConnect: true,
    offlineQueue: true,
    connectTimeout: timeoutMs,
    retry: () => null,
  });
  client.on("error", (err: Error) => {
    lastError = err;
  });
  client.on("node error", (err: Error) => {
    lastError = err;
  });
  try {
    await client.connect();
    if (target.kind === "single") {
      const info = await client.info();
      const mode = /^redis_mode:(\w+)/m.exec(info)?.[1];
      if (mode === "sentinel")
        return `state.url ${where} is a Redis Sentinel: name the primary through the Sentinels with redis+sentinel://host:26379,…/mastername`;
      if (mode === "cluster" || /^cluster_enabled:1/m.test(info))
        return `state.url ${where} is a node of a Redis Cluster (a node holds only its own slots): list the cluster's nodes with redis+cluster://host:7000,host:7001,…`;
    }
    facts?.(await factsOf(client, target));
    return undefined;
  } catch (err) {
    const e = (lastError ?? err) as Error & { code?: string };
    const bad = misconfigured(e, url) ?? misconfigured(err as Error & { code?: string }, url);
    if (bad) return bad;
    // A plain-text client on a TLS port: the server closes the connection without answering.
    if (url.startsWith("redis://") && /Connection is closed|ECONNRESET|socket hang up/i.test(e.message))
      return `Redis at ${where} closed the connection without answering: if that port speaks TLS, use a rediss:// URL`;
    unreachable?.(e.code ?? e.message);
    return undefined;
  } finally {
    client.disconnect();
  }
}

/**
 * Checks the Redis of `state.url` once (Gateway.checkState): a configuration it cannot work with fails with its
 * reason; one that cannot be reached answers a warning naming the cause and what `on_failure` does meanwhile.
 */
export async function checkStateUrl(state: {
  readonly url?: string | undefined;
  readonly timeout_ms: number;
  readonly on_failure: "degrade" | "fail-closed" | string;
}): Promise<string | undefined> {
  const url = state.url;
  if (!url) return undefined;
  let down: string | undefined;
  const problem = await redisProblem(url, Math.max(3000, state.timeout_ms), (why) => {
    down = why;
  });
  if (problem) throw new Error(problem);
  if (down === undefined) return undefined;
  const policy =
    state.on_failure === "degrade"
      ? "each instance keeps its own counters (limits per instance) until it answers"
      : "requests that need shared state are refused (503) until it answers";
  return `state.url ${safeRedisUrl(url)} cannot be reached (${down}): state.on_failure is ${state.on_failure}, so ${policy}`;
}
