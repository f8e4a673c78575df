import { isReplayed } from "./keys.js";

/**
 * Hot shared state: counters, reservations, in-flight counts, cooldowns, latency averages, affinity
 * bindings. One interface, two engines: in-process memory (one instance) and Redis (`state.url`, every
 * instance agrees). Every operation is atomic on its key; keys carry the engine's own prefix.
 *
 * Numbers are integers (tokens, nano-dollars, request counts); a TTL is in milliseconds and, where an
 * operation creates a key, applies only when it creates it (a window does not slide on every hit).
 */
export interface HotState {
  /** Which engine answers: `memory` or `redis`. */
  readonly engine: "memory" | "redis";
  /**
   * Adds `delta` to a counter and returns its new value; a key without an expiry gets `ttlMs`. A negative
   * `delta` (a release, a refund) changes only a counter that exists and never takes it below 0: a counter
   * that expired or was lost meanwhile (Redis restarted) is not brought back negative, which would hand out
   * a slot too many for good, or keep a budget window from being seeded from the ledger again.
   */
  incr(key: string, delta: number, ttlMs?: number): Promise<number>;
  /**
   * Adds `delta` only when the result stays at or under `limit` (a reservation, a rate window, a
   * concurrency slot). Returns whether it was added and the counter's value afterwards. With `existing`,
   * a counter that is absent (never made, expired, or lost with a Redis that restarted) is not made: the
   * answer says `absent` (a budget window must then be seeded from the ledger first).
   */
  addWithin(key: string, delta: number, limit: number, ttlMs?: number, existing?: boolean): Promise<Within>;
  /**
   * Adds `delta` (either sign) to a counter only when it exists, never below 0 (a settlement): the new
   * value, or undefined when the counter is absent.
   */
  adjust(key: string, delta: number): Promise<number | undefined>;
  /**
   * A rate limit by GCRA (a token bucket kept as one timestamp): takes `cost` units from a bucket of `limit`
   * units that refills evenly over `periodMs`, when they are there, in one atomic step; with `force` it
   * always applies (a settlement; `cost` may then be negative, giving units back). `nowMs` is the caller's
   * clock (instances sharing Redis keep theirs in sync; tests inject it).
   */
  throttle(
    key: string,
    cost: number,
    limit: number,
    periodMs: number,
    nowMs: number,
    force?: boolean,
  ): Promise<Throttled>;
  /** A counter's value (0 when absent or expired). */
  count(key: string): Promise<number>;
  get(key: string): Promise<string | undefined>;
  /** Several values in one step (one round trip on Redis): each as `get` gives it, in the keys' order. */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /**
   * Several writes in one step (one round trip on Redis; in a Redis Cluster one per hash tag), each applied as
   * `incr`, `set` or `del` would apply it, in their order; the answers are not returned. For bookkeeping that
   * ends a request (a deployment's in-flight count, error window and TTFT average), not for the counters that
   * are replayed after an outage (keys.ts `isReplayed`), which take an operation id each: those are refused.
   */
  writeMany(writes: readonly HotWrite[]): Promise<void>;
  /** Sets a value; `ttlMs` makes it expire (cooldowns, affinity bindings). */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets a value only when the key is absent; true when this call set it (a half-open probe slot). */
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean>;
  /** Milliseconds until the key expires; undefined when absent or without expiry. */
  ttl(key: string): Promise<number | undefined>;
  del(key: string): Promise<void>;
  /** Adds `member` to the set at `key`; the set's expiry is set (or renewed) to `ttlMs`. */
  addMember(key: string, member: string, ttlMs: number): Promise<void>;
  /** The members of the set at `key` (none when absent or expired). */
  members(key: string): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * An operation's id: the instance that made it (random at its start) and its number there. Redis applies
 * an operation sent with an id once, however often it is sent (src/state/redis.ts): what an instance
 * replays after an outage is never counted twice.
 */
export interface OpId {
  readonly origin: string;
  readonly seq: number;
}

/** One write of `HotState.writeMany`: a counter's `incr`, a `set` or a `del`, as those methods take them. */
export type HotWrite =
  | { readonly op: "incr"; readonly key: string; readonly delta: number; readonly ttlMs?: number | undefined }
  | { readonly op: "set"; readonly key: string; readonly value: string; readonly ttlMs?: number | undefined }
  | { readonly op: "del"; readonly key: string };

/**
 * Checks a `writeMany` batch before anything of it is applied: counters' amounts are integers, and no
 * counter is one replayed after an outage (keys.ts isReplayed).
 */
export function assertWrites(writes: readonly HotWrite[]): void {
  for (const w of writes) {
    if (w.op !== "incr") continue;
    assertInteger("delta", w.delta);
    if (isReplayed(w.key))
      throw new TypeError(`hot state: ${w.key} is replayed after an outage, so writeMany cannot take it`);
  }
}

export interface Within {
  readonly ok: boolean;
  readonly value: number;
  /** Asked with `existing`: the counter was absent, so nothing was added. */
  readonly absent?: boolean;
}

export interface Throttled {
  readonly ok: boolean;
  /** Whole units left in the bucket afterwards. */
  readonly remaining: number;
  /** Refused: ms until `cost` units are there (0 when taken). */
  readonly retryMs: number;
  /** Ms until the bucket is full again. */
  readonly resetMs: number;
}

/**
 * One GCRA step on a stored theoretical arrival time (`tat`, epoch ms; undefined when the bucket is full):
 * the new `tat` to keep (undefined: delete) and the answer. The memory engine runs it as is; the Redis
 * engine's Lua script is the same arithmetic.
 */
export function gcraStep(
  tat: number | undefined,
  cost: number,
  limit: number,
  periodMs: number,
  now: number,
  force: boolean,
): { keep: number | undefined; answer: Throttled } {
  assertInteger("cost", cost);
  assertInteger("limit", limit);
  const per = periodMs / limit;
  const from = Math.max(tat ?? now, now);
  const next = from + cost * per;
  const left = (at: number) => Math.max(0, Math.floor((periodMs - (at - now)) / per + 1e-9));
  if (!force && next - periodMs > now) {
    return {
      keep: tat,
      answer: {
        ok: false,
        remaining: left(from),
        retryMs: Math.ceil(next - periodMs - now),
        resetMs: Math.ceil(from - now),
      },
    };
  }
  const at = Math.max(next, now);
  return {
    keep: next > now ? next : undefined,
    answer: { ok: true, remaining: left(at), retryMs: 0, resetMs: Math.ceil(at - now) },
  };
}

/** Checks that a counter operation's numbers are integers, so both engines agree exactly. */
export function assertInteger(name: string, n: number): void {
  if (!Number.isSafeInteger(n)) throw new TypeError(`hot state: ${name} must be a safe integer, got ${n}`);
}
