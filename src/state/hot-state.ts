/**
 * Hot shared state: counters, reservations, in-flight counts, cooldowns, latency averages, affinity
 * bindings. One interface, two engines: in-process memory (one instance) and Redis (`state.url`, every
 * instance agrees). Every operation is atomic on its key; keys carry the engine's own prefix.
 *
 * Numbers are integers (tokens, micro-dollars, request counts); a TTL is in milliseconds and, where an
 * operation creates a key, applies only when it creates it (a window does not slide on every hit).
 */
export interface HotState {
  /** Which engine answers: `memory` or `redis`. */
  readonly engine: "memory" | "redis";
  /** Adds `delta` (may be negative) to a counter and returns its new value; a new key gets `ttlMs`. */
  incr(key: string, delta: number, ttlMs?: number): Promise<number>;
  /**
   * Adds `delta` only when the result stays at or under `limit` (a reservation, a rate window, a
   * concurrency slot). Returns whether it was added and the counter's value afterwards.
   */
  addWithin(key: string, delta: number, limit: number, ttlMs?: number): Promise<Within>;
  /** A counter's value (0 when absent or expired). */
  count(key: string): Promise<number>;
  get(key: string): Promise<string | undefined>;
  /** Sets a value; `ttlMs` makes it expire (cooldowns, affinity bindings). */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets a value only when the key is absent; true when this call set it (a half-open probe slot). */
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean>;
  /** Milliseconds until the key expires; undefined when absent or without expiry. */
  ttl(key: string): Promise<number | undefined>;
  del(key: string): Promise<void>;
  close(): Promise<void>;
}

export interface Within {
  readonly ok: boolean;
  readonly value: number;
}

/** Checks that a counter operation's numbers are integers, so both engines agree exactly. */
export function assertInteger(name: string, n: number): void {
  if (!Number.isSafeInteger(n)) throw new TypeError(`hot state: ${name} must be a safe integer, got ${n}`);
}
