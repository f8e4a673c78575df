/**
 * `state.url` read as the Redis topology it names:
 *
 * - `redis://…`, `rediss://…`: one Redis server (ioredis reads the URL as it is);
 * - `redis+sentinel://[[user]:password@]host1:26379,host2:26379/mastername[?db=N&sentinel_password=…]`: the
 *   primary that these Sentinels name, followed across failovers (ioredis's own Sentinel support);
 *   `rediss+sentinel://` speaks TLS to the primary and the Sentinels;
 * - `redis+cluster://[[user]:password@]host1:7000,host2:7001,host3:7002`: a Redis Cluster, found from any of
 *   these nodes (ioredis's own Cluster support); `rediss+cluster://` speaks TLS.
 *
 * Every error names `state.url` and never repeats the password.
 */

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

interface Credentials {
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly tls: boolean;
}

export type RedisTarget =
  | { readonly kind: "single"; readonly url: string }
  | (Credentials & {
      readonly kind: "sentinel";
      readonly sentinels: readonly RedisNode[];
      /** The primary's name in the Sentinels' configuration (`sentinel monitor <name> …`). */
      readonly name: string;
      readonly db: number;
      readonly sentinelPassword?: string | undefined;
    })
  | (Credentials & { readonly kind: "cluster"; readonly nodes: readonly RedisNode[] });

/** Nodes listed in one URL at most (a bound on outside input). */
export const MAX_REDIS_NODES = 32;

const LISTED = /^(rediss?)\+(sentinel|cluster):\/\/(?:([^@/?#]*)@)?([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?$/;

/** The URL with its password hidden, for messages and logs. */
export function safeRedisUrl(url: string): string {
  return url.replace(/^([a-z+]+:\/\/)([^@/?#]*)@/i, (_m, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(":");
    return colon < 0 ? `${scheme}${userinfo}@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
  });
}

function fail(url: string, why: string): never {
  throw new Error(`state.url ${safeRedisUrl(url)}: ${why}`);
}

function decode(url: string, part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return fail(url, `the ${what} is not valid percent-encoding`);
  }
}

function node(url: string, text: string, defaultPort: number): RedisNode {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9._-]+))(?::(\d{1,5}))?$/.exec(text);
  if (!m) return fail(url, `"${text}" is not host:port`);
  const port = m[3] === undefined ? defaultPort : Number(m[3]);
  if (port < 1 || port > 65535) return fail(url, `port ${m[3]} of "${text}" is not between 1 and 65535`);
  return { host: (m[1] ?? m[2]) as string, port };
}

/** Reads `state.url`; throws an Error naming `state.url` and what is wrong with it. */
export function parseRedisTarget(url: string): RedisTarget {
  if (/^rediss?:\/\//.test(url)) {
    if (/^rediss?:\/\/[^/]*,/.test(url))
      fail(url, "a list of hosts needs redis+sentinel://…/mastername (Sentinel) or redis+cluster:// (Cluster)");
    return { kind: "single", url };
  }
  const m = LISTED.exec(url);
  if (!m)
    return fail(
      url,
      "use redis://, rediss://, redis+sentinel://host:26379,…/mastername or redis+cluster://host:7000,…",
    );
  const [, scheme, kind, userinfo, hostList, path, query] = m;
  const tls = scheme === "rediss";
  let username: string | undefined;
  let password: string | undefined;
  if (userinfo !== undefined && userinfo !== "") {
    const colon = userinfo.indexOf(":");
    const user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (user !== "") username = decode(url, user, "user name");
    if (colon >= 0) password = decode(url, userinfo.slice(colon + 1), "password");
  }
  const hosts = (hostList ?? "").split(",").filter((h) => h !== "");
  if (hosts.length === 0) fail(url, `no ${kind === "sentinel" ? "Sentinel" : "cluster node"} listed`);
  if (hosts.length > MAX_REDIS_NODES) fail(url, `more than ${MAX_REDIS_NODES} hosts listed`);
  const params = new URLSearchParams(query ?? "");
  const known = kind === "sentinel" ? ["db", "sentinel_password"] : [];
  for (const k of params.keys())
    if (!known.includes(k))
      fail(
        url,
        `unknown parameter "${k}"${known.length ? ` (known: ${known.join(", ")})` : " (a cluster URL takes none)"}`,
      );
  if (kind === "cluster") {
    if (path !== undefined && path !== "")
      fail(url, "a cluster URL names no database or primary after the hosts (a Redis Cluster has only database 0)");
    return { kind: "cluster", nodes: hosts.map((h) => node(url, h, 6379)), username, password, tls };
  }
  const name = decode(url, path ?? "", "primary's name");
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(name))
    fail(url, "name the primary after the Sentinels' hosts: redis+sentinel://host:26379,…/mymaster");
  const dbText = params.get("db") ?? "0";
  if (!/^\d{1,4}$/.test(dbText)) fail(url, `db "${dbText}" is not a database number`);
  const sentinelPassword = params.get("sentinel_password") ?? undefined;
  return {
    kind: "sentinel",
    sentinels: hosts.map((h) => node(url, h, 26379)),
    name,
    db: Number(dbText),
    username,
    password,
    tls,
    sentinelPassword,
  };
}

/** `state.url` in a few words without secrets, for the start line: `redis sentinel mymaster via h1:26379,h2:26379`. */
export function describeRedisTarget(url: string): string {
  try {
    const t = parseRedisTarget(url);
    const list = (ns: readonly RedisNode[]) =>
      ns.map((n) => `${n.host.includes(":") ? `[${n.host}]` : n.host}:${n.port}`).join(",");
    if (t.kind === "sentinel") return `${t.tls ? "rediss" : "redis"} sentinel ${t.name} via ${list(t.sentinels)}`;
    if (t.kind === "cluster") return `${t.tls ? "rediss" : "redis"} cluster ${list(t.nodes)}`;
    const p = new URL(t.url);
    return `${p.protocol.replace(/:$/, "")} ${p.host}${p.pathname === "/" || p.pathname === "" ? "" : p.pathname}`;
  } catch {
    return "(unreadable URL)";
  }
}
