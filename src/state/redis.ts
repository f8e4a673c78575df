import type { Redis } from "ioredis";
import { assertInteger, type HotState, type OpId, type Throttled, type Within } from "./hot-state.js";
import { redisClient } from "./ioredis.js";
import { hotKeys } from "./keys.js";

/** Operations per bitmap of an instance's operation ids (8 KiB each). */
const OPS_PER_CHUNK = 65_536;
/** How long Redis remembers an operation id after that instance's last operation in its chunk. */
export const OP_ID_TTL_MS = 10 * 60_000;

/**
 * The first lines of every counter script: an operation that comes with an id (`KEYS[2]` the bitmap of its
 * instance's ids, `ARGV[#ARGV - 1]` its bit, `ARGV[#ARGV]` how long the bitmap is kept) is applied once:
 * its bit is set as it is, and an operation whose bit was set already (a replay of one Redis executed but
 * whose answer was lost) changes nothing. Without an id (bit -1), it is applied as always.
 */
const ONCE = `
local function seen()
  local bit = tonumber(ARGV[#ARGV - 1])
  if bit < 0 then return false end
  local before = redis.call('SETBIT', KEYS[2], bit, 1)
  redis.call('PEXPIRE', KEYS[2], ARGV[#ARGV])
  return before == 1
end
`;

/**
 * INCRBY that sets the expiry only on a key without one (a window does not slide on every hit). A decrement
 * (a release, a refund) changes only a counter that exists, and never below 0: one whose key expired or was
 * lost meanwhile is not brought back negative and without expiry.
 */
const INCR = `${ONCE}
if seen() then return tonumber(redis.call('GET', KEYS[1]) or '0') end
local d = tonumber(ARGV[1])
if d < 0 and redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local v = redis.call('INCRBY', KEYS[1], d)
if v < 0 then
  redis.call('SET', KEYS[1], 0, 'KEEPTTL')
  v = 0
end
if tonumber(ARGV[2]) > 0 and redis.call('PTTL', KEYS[1]) == -1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`;

/** Adds only when the result stays within the limit; answers {added, value, absent}. */
const ADD_WITHIN = `${ONCE}
if seen() then return {1, tonumber(redis.call('GET', KEYS[1]) or '0')} end
if ARGV[4] == '1' and redis.call('EXISTS', KEYS[1]) == 0 then return {0, 0, 1} end
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local delta = tonumber(ARGV[1])
if cur + delta > tonumber(ARGV[2]) then return {0, cur} end
local v = redis.call('INCRBY', KEYS[1], delta)
if cur == 0 and redis.call('PTTL', KEYS[1]) == -1 and tonumber(ARGV[3]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return {1, v}`;

/** Adds to a counter that exists, never below 0, keeping its expiry; -1 when it is absent. */
const ADJUST = `${ONCE}
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if seen() then return tonumber(redis.call('GET', KEYS[1])) end
local v = redis.call('INCRBY', KEYS[1], tonumber(ARGV[1]))
if v < 0 then
  redis.call('SET', KEYS[1], 0, 'KEEPTTL')
  v = 0
end
return v`;

/** GCRA (hot-state.ts gcraStep, the same arithmetic): answers {ok, remaining, retryMs, resetMs}. */
const THROTTLE = `${ONCE}
if seen() then return {1, 0, 0, 0} end
local stored = tonumber(redis.call('GET', KEYS[1]))
local cost = tonumber(ARGV[1])
local period = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local per = period / tonumber(ARGV[2])
local from = stored or now
if from < now then from = now end
local nxt = from + cost * per
local function left(at)
  local n = math.floor((period - (at - now)) / per + 1e-9)
  if n < 0 then return 0 end
  return n
end
if ARGV[5] ~= '1' and nxt - period > now then
  return {0, left(from), math.ceil(nxt - period - now), math.ceil(from - now)}
end
if nxt > now then
  redis.call('SET', KEYS[1], string.format('%.3f', nxt), 'PX', math.ceil(nxt - now) + 1)
else
  redis.call('DEL', KEYS[1])
end
local at = nxt
if at < now then at = now end
return {1, left(at), 0, math.ceil(at - now)}`;

/** An operation id as the scripts take it: the bitmap's key, the bit (-1: none), the bitmap's lifetime. */
type Once = [opsKey: string, bit: number, ttl: number];

function once(op: OpId | undefined): Once {
  if (!op) return [hotKeys.opsSeen("-", 0), -1, 0];
  return [hotKeys.opsSeen(op.origin, Math.floor(op.seq / OPS_PER_CHUNK)), op.seq % OPS_PER_CHUNK, OP_ID_TTL_MS];
}

interface Scripted extends Redis {
  llmuxThrottle(
    key: string,
    opsKey: string,
    cost: number,
    limit: number,
    periodMs: number,
    nowMs: number,
    force: string,
    bit: number,
    opTtl: number,
  ): Promise<[number, number, number, number]>;
  llmuxIncr(key: string, opsKey: string, delta: number, ttl: number, bit: number, opTtl: number): Promise<number>;
  llmuxAddWithin(
    key: string,
    opsKey: string,
    delta: number,
    limit: number,
    ttl: number,
    existing: string,
    bit: number,
    opTtl: number,
  ): Promise<[number, number, number?]>;
  llmuxAdjust(key: string, opsKey: string, delta: number, bit: number, opTtl: number): Promise<number>;
}

export interface RedisStateOptions {
  url: string;
  /** Prepended to every key, so several deployments (or test runs) can share one Redis. */
  prefix?: string;
  /** An operation that takes longer fails (then the failure policy decides). Default 500 ms. */
  timeoutMs?: number;
}

/**
 * An operation that was never sent: the connection was not ready (Redis away, reconnecting). Unlike a
 * timeout or a connection lost while it waited, Redis surely did not execute it.
 */
export class RedisNotSent extends Error {
  constructor(why: string) {
    super(`not sent to Redis: ${why}`);
    this.name = "RedisNotSent";
  }
}

/** An operation Redis did not answer within `timeoutMs`. */
export class RedisTimeout extends Error {
  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms`);
    this.name = "RedisTimeout";
  }
}

/**
 * Bounds an operation by `ms`, without mistaking this process's own lateness for Redis's: when the timer
 * fires late (the event loop was busy), the answer may already be waiting in the socket, so pending I/O
 * is read first (a turn of the event loop) and only an answer still missing then is a timeout. A timeout
 * on the client itself would fire first and discard an answer that had arrived (Redis then counted the
 * operation, and the failure policy counted it again).
 */
function bounded<T>(op: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(
      () =>
        setImmediate(() => {
          if (settled) return;
          settled = true;
          reject(new RedisTimeout(ms));
        }),
      ms,
    );
    op.then(
      (v) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/**
 * Hot state in Redis, shared by every instance that points at the same server and prefix. Counters use
 * Lua scripts so check-and-add is one atomic step on the server.
 */
export class RedisState implements HotState {
  readonly engine = "redis" as const;
  readonly client: Scripted;
  /** Settles once the first connection attempt ended (ready, failed, or timed out). */
  private first: Promise<void> | undefined;
  private readonly timeoutMs: number;

  constructor(opts: RedisStateOptions) {
    this.timeoutMs = opts.timeoutMs ?? 500;
    const client = new (redisClient())(opts.url, {
      keyPrefix: opts.prefix ?? "llmux:",
      // While disconnected, operations fail at once instead of queueing behind a reconnect: the failure
      // policy (resilient.ts) answers them, and the request path never waits on a Redis that is away.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Only a backstop that clears commands a silent server never answers: operations are bounded by
      // `bounded` (above), which tells a late timer from a late answer.
      commandTimeout: Math.max(5_000, 10 * this.timeoutMs),
      retryStrategy: (times) => Math.min(200 * times, 2000),
    });
    client.defineCommand("llmuxIncr", { numberOfKeys: 2, lua: INCR });
    client.defineCommand("llmuxAddWithin", { numberOfKeys: 2, lua: ADD_WITHIN });
    client.defineCommand("llmuxAdjust", { numberOfKeys: 2, lua: ADJUST });
    client.defineCommand("llmuxThrottle", { numberOfKeys: 2, lua: THROTTLE });
    // Connection errors surface on the operations that fail; the emitter must not crash the process.
    client.on("error", () => undefined);
    this.client = client as Scripted;
    const wait = Math.max(1000, opts.timeoutMs ?? 500);
    this.first = new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off("ready", done);
        client.off("error", done);
        this.first = undefined;
        resolve();
      };
      const timer = setTimeout(done, wait);
      timer.unref();
      client.once("ready", done);
      client.once("error", done);
    });
  }

  /** Lets the operations of the first moments wait for the first connection instead of failing. */
  private async c(): Promise<Scripted> {
    if (this.first) await this.first;
    return this.client;
  }

  /**
   * One operation on the client, bounded by the timeout. One the connection cannot take now fails with
   * RedisNotSent (surely not executed); a timeout or a connection lost meanwhile leaves it unknown.
   */
  private async run<T>(op: (c: Scripted) => Promise<T>): Promise<T> {
    const c = await this.c();
    if (c.status !== "ready") throw new RedisNotSent(`the connection is ${c.status}`);
    return bounded(
      op(c).catch((err: unknown) => {
        if (err instanceof Error && /isn't writeable/.test(err.message)) throw new RedisNotSent(err.message);
        throw err;
      }),
      this.timeoutMs,
    );
  }

  /** With `op`: applied once, however often it is sent with that id (a replay: see resilient.ts). */
  async incr(key: string, delta: number, ttlMs?: number, op?: OpId): Promise<number> {
    assertInteger("delta", delta);
    const [ops, bit, opTtl] = once(op);
    return Number(await this.run((c) => c.llmuxIncr(key, ops, delta, ttlMs ?? 0, bit, opTtl)));
  }

  async addWithin(
    key: string,
    delta: number,
    limit: number,
    ttlMs?: number,
    existing = false,
    op?: OpId,
  ): Promise<Within> {
    assertInteger("delta", delta);
    assertInteger("limit", limit);
    const [ops, bit, opTtl] = once(op);
    const [added, value, absent] = await this.run((c) =>
      c.llmuxAddWithin(key, ops, delta, limit, ttlMs ?? 0, existing ? "1" : "0", bit, opTtl),
    );
    return absent === 1 ? { ok: false, value: 0, absent: true } : { ok: added === 1, value: Number(value) };
  }

  async adjust(key: string, delta: number, op?: OpId): Promise<number | undefined> {
    assertInteger("delta", delta);
    const [ops, bit, opTtl] = once(op);
    const v = Number(await this.run((c) => c.llmuxAdjust(key, ops, delta, bit, opTtl)));
    return v < 0 ? undefined : v;
  }

  async throttle(
    key: string,
    cost: number,
    limit: number,
    periodMs: number,
    nowMs: number,
    force = false,
    op?: OpId,
  ): Promise<Throttled> {
    assertInteger("cost", cost);
    assertInteger("limit", limit);
    const [ops, bit, opTtl] = once(op);
    const [ok, remaining, retryMs, resetMs] = await this.run((c) =>
      c.llmuxThrottle(key, ops, cost, limit, periodMs, nowMs, force ? "1" : "0", bit, opTtl),
    );
    return { ok: ok === 1, remaining: Number(remaining), retryMs: Number(retryMs), resetMs: Number(resetMs) };
  }

  async count(key: string): Promise<number> {
    const v = await this.run((c) => c.get(key));
    return v === null ? 0 : Number(v) || 0;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.run((c) => c.get(key))) ?? undefined;
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    const vs = await this.run((c) => c.mget(...keys));
    return vs.map((v) => v ?? undefined);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    await this.run((c) =>
      ttlMs === undefined ? c.set(key, value) : c.set(key, value, "PX", Math.max(1, Math.ceil(ttlMs))),
    );
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    const r = await this.run((c) =>
      ttlMs === undefined ? c.set(key, value, "NX") : c.set(key, value, "PX", Math.max(1, Math.ceil(ttlMs)), "NX"),
    );
    return r === "OK";
  }

  async ttl(key: string): Promise<number | undefined> {
    const ms = await this.run((c) => c.pttl(key));
    return ms < 0 ? undefined : ms;
  }

  async del(key: string): Promise<void> {
    await this.run((c) => c.del(key));
  }

  async addMember(key: string, member: string, ttlMs: number): Promise<void> {
    await this.run((c) =>
      c
        .multi()
        .sadd(key, member)
        .pexpire(key, Math.max(1, Math.ceil(ttlMs)))
        .exec(),
    );
  }

  async members(key: string): Promise<string[]> {
    return this.run((c) => c.smembers(key));
  }

  async close(): Promise<void> {
    if (this.client.status === "ready") await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }
}
