import { redisClient } from "./ioredis.js";

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

/** The URL without its password, for messages. */
export function safeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(state.url)";
  }
}

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

/**
 * Checks `state.url` once at start and says what is wrong with it in words: credentials refused, a TLS
 * certificate not trusted, `redis://` pointed at a port that speaks TLS (the server hangs up without a
 * word), a Redis Cluster node or a Sentinel (neither is supported: one node of a cluster holds only its own
 * slots, so limits would be shared only for some keys). Resolves undefined when the server answers as a
 * plain Redis, or cannot be reached at all (an outage, which the failure policy handles while serving; then
 * `unreachable` is told why, in the socket's words).
 */
export async function redisProblem(
  url: string,
  timeoutMs = 3000,
  unreachable?: (why: string) => void,
): Promise<string | undefined> {
  const where = safeRedisUrl(url);
  let lastError: (Error & { code?: string }) | undefined;
  const client = new (redisClient())(url, {
    lazyConnect: true,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
  });
  client.on("error", (err: Error) => {
    lastError = err;
  });
  try {
    await client.connect();
    const info = await client.info();
    const mode = /^redis_mode:(\w+)/m.exec(info)?.[1];
    if (mode === "sentinel")
      return `state.url ${where} is a Redis Sentinel: llmux does not support Sentinel; point state.url at the primary (or at a proxy that follows failovers)`;
    if (mode === "cluster" || /^cluster_enabled:1/m.test(info))
      return `state.url ${where} is a node of a Redis Cluster: llmux does not support Redis Cluster (a node holds only its own slots, so limits would be shared for some keys only); use a single Redis or a primary with replicas`;
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
