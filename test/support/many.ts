/**
 * Three llmux processes behind HAProxy, sharing one PostgreSQL database (reached through a TCP proxy the
 * test can cut) and a Redis of the test's own (which it can stop and start): the setup of the
 * many-instances tests, and what they measure with (requests with their ids, the ledger).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freshPostgres, type TestLocation } from "./engines.js";
import { type Balancer, type Instance, startHaproxy, startInstance, stopInstance, writeConfig } from "./instances.js";
import { type RedisServer, startRedisServer } from "./redis-server.js";
import { type TcpProxy, tcpProxy } from "./tcp-proxy.js";

export const ADMIN = "admin-key-0123456789abcdef";
export const MASTER = "master-key-for-tests-0123456789";

export interface Cluster {
  where: TestLocation;
  /** PostgreSQL as the instances reach it: `pg.cut()` drops every connection and refuses new ones. */
  pg: TcpProxy;
  redis: RedisServer;
  /** Redis as the instances reach it, when started with `{ redisProxy: true }` (hang, cut, restore). */
  redisProxy?: TcpProxy | undefined;
  instances: Instance[];
  lb: Balancer;
  configFile: string;
  /** Starts instance `i` again (after a kill), as a supervisor would. */
  restart(i: number): Promise<Instance>;
  close(): Promise<void>;
}

/**
 * Starts the three instances (together: they migrate the empty database under its lock) and HAProxy; with
 * `redisProxy`, the instances reach Redis through a TCP proxy the test controls too.
 */
export async function startCluster(
  more: { providers: object; models: object; billing?: object },
  opts: { redisProxy?: boolean } = {},
): Promise<Cluster> {
  const where = await freshPostgres();
  const url = new URL(where.url!);
  const pg = await tcpProxy(url.hostname, Number(url.port || 5432));
  url.hostname = "127.0.0.1";
  url.port = String(pg.port);
  const redis = await startRedisServer();
  const redisProxy = opts.redisProxy ? await tcpProxy("127.0.0.1", redis.port) : undefined;
  const { billing, ...rest } = more;
  const configFile = writeConfig({
    store: { url: url.toString() },
    state: {
      url: redisProxy ? `redis://127.0.0.1:${redisProxy.port}` : redis.url,
      prefix: `llmux-test:${randomBytes(4).toString("hex")}:`,
    },
    // The instances' ledger journals and spools: their own directory, not the checkout's .llmux/.
    billing: { spool_dir: mkdtempSync(join(tmpdir(), "llmux-spool-")), ...billing },
    admin: { keys: [ADMIN] },
    secrets: { master_key: MASTER },
    logging: { pretty: false },
    ...rest,
  });
  const instances = await Promise.all([
    startInstance(configFile),
    startInstance(configFile),
    startInstance(configFile),
  ]);
  const lb = await startHaproxy(instances.map((i) => i.port));
  const cluster: Cluster = {
    where,
    pg,
    redis,
    redisProxy,
    instances,
    lb,
    configFile,
    async restart(i) {
      await stopInstance(instances[i]);
      instances[i] = await startInstance(configFile);
      return instances[i]!;
    },
    async close() {
      await lb.close();
      await Promise.all(instances.map(stopInstance));
      await redisProxy?.close();
      await redis.close();
      await pg.close();
      await where.drop();
    },
  };
  return cluster;
}

/** What one request got: status, body text, and the x-request-id llmux gave it (its ledger row's id). */
export interface Sent {
  status: number;
  body: string;
  id: string | undefined;
  /** The connection failed before a complete answer (reset, refused). */
  broken?: string;
  /** When its answer's headers came (ms since epoch). */
  headersAt?: number;
}

/**
 * One POST on a connection of its own (a killed instance resets only what was on it). An answer cut after
 * its headers keeps its id (a streamed request the gateway admitted).
 */
export function post(base: string, path: string, key: string, body: unknown, headers: object = {}): Promise<Sent> {
  return new Promise((resolve) => {
    const req = request(`${base}${path}`, {
      method: "POST",
      agent: false,
      headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers },
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (d: Buffer) => {
        text += d.toString();
      });
      const id = res.headers["x-request-id"] as string | undefined;
      const headersAt = Date.now();
      let ended = false;
      res.on("end", () => {
        ended = true;
        resolve({ status: res.statusCode ?? 0, body: text, id, headersAt });
      });
      res.on("error", (e) => resolve({ status: 0, body: text, id, headersAt, broken: `mid-answer: ${e.message}` }));
      res.on("close", () => {
        if (!ended) resolve({ status: 0, body: text, id, headersAt, broken: "mid-answer: closed" });
      });
    });
    req.on("error", (e) => resolve({ status: 0, body: "", id: undefined, broken: e.message }));
    req.end(JSON.stringify(body));
  });
}

/** `total` requests from `concurrency` clients, each waiting for its answer; `at[n]` runs before request n. */
export async function loadRun(
  total: number,
  concurrency: number,
  send: (n: number) => Promise<Sent>,
  at: Record<number, () => void | Promise<void>> = {},
): Promise<Sent[]> {
  const out: Sent[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const n = next++;
      await at[n]?.();
      out[n] = await send(n);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

export async function until<T>(check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A query on the test's database, directly (not through the proxy the instances use). */
export async function pgQuery<T>(where: TestLocation, sql: string, params: unknown[]): Promise<T[]> {
  const pg = (await import("pg")).default;
  const c = new pg.Client({ connectionString: where.url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** Which of these request ids have no row in `table` (waiting up to `ms` for the rows), and how many rows each has. */
async function rowsIn(
  table: "ledger" | "request_log",
  where: TestLocation,
  ids: string[],
  ms: number,
): Promise<{ missing: string[]; extra: number; byKey: number }> {
  let rows: { id: string }[] = [];
  const end = Date.now() + ms;
  for (;;) {
    rows = await pgQuery<{ id: string }>(where, `select id from ${table} where id = any($1)`, [ids]);
    if (new Set(rows.map((r) => r.id)).size >= ids.length || Date.now() > end) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const seen = new Set(rows.map((r) => r.id));
  return { missing: ids.filter((i) => !seen.has(i)), extra: rows.length - seen.size, byKey: rows.length };
}

/** Which of these request ids have no ledger row (waiting up to `ms` for the rows), and how many rows each has. */
export function ledgerRows(where: TestLocation, ids: string[], ms = 30_000) {
  return rowsIn("ledger", where, ids, ms);
}

/** Which of these request ids have no request-log row (waiting up to `ms`), and how many rows each has. */
export function requestLogRows(where: TestLocation, ids: string[], ms = 30_000) {
  return rowsIn("request_log", where, ids, ms);
}

/** Each key's summed cost in nano-dollars. */
export async function costs(where: TestLocation, keyIds: string[]): Promise<number[]> {
  const rows = await pgQuery<{ n: string }>(
    where,
    "select sum(cost_nanos) as n from ledger where key_id = any($1) group by key_id",
    [keyIds],
  );
  return rows.map((r) => Number(r.n));
}

/** The number of ledger rows of a key. */
export async function rowsOfKey(where: TestLocation, keyId: string): Promise<number> {
  const r = await pgQuery<{ n: string }>(where, "select count(*) as n from ledger where key_id = $1", [keyId]);
  return Number(r[0]?.n ?? 0);
}
