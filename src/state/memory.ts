import {
  assertInteger,
  assertWrites,
  gcraStep,
  type HotState,
  type HotWrite,
  type Throttled,
  type Within,
} from "./hot-state.js";

interface Entry {
  value: string;
  /** Epoch ms when the entry expires; Infinity when it does not. */
  expires: number;
}

const SWEEP_MS = 30_000;

/**
 * Hot state in this process: a map with expiries, for one instance (the default). Every operation is
 * synchronous underneath, so each one is atomic; expired entries are dropped when read and swept
 * periodically so an idle key does not stay forever.
 */
export class MemoryState implements HotState {
  readonly engine = "memory" as const;
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  private live(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  private expiry(ttlMs: number | undefined): number {
    return ttlMs === undefined ? Number.POSITIVE_INFINITY : this.now() + ttlMs;
  }

  private counter(key: string): number {
    const e = this.live(key);
    return e === undefined ? 0 : Number(e.value) || 0;
  }

  private put(key: string, n: number, ttlMs: number | undefined): void {
    const e = this.live(key);
    if (e === undefined) this.entries.set(key, { value: String(n), expires: this.expiry(ttlMs) });
    else e.value = String(n);
  }

  async incr(key: string, delta: number, ttlMs?: number): Promise<number> {
    return this.incrNow(key, delta, ttlMs);
  }

  /** `incr`, done now: `writeMany` applies its writes with it, no promise or turn of its own per write. */
  private incrNow(key: string, delta: number, ttlMs: number | undefined): number {
    assertInteger("delta", delta);
    const e = this.live(key);
    // A decrement changes only a counter that exists, and never below 0 (hot-state.ts).
    if (delta < 0 && e === undefined) return 0;
    const n = Math.max(0, (e === undefined ? 0 : Number(e.value) || 0) + delta);
    this.put(key, n, ttlMs);
    if (e !== undefined && e.expires === Number.POSITIVE_INFINITY && ttlMs !== undefined)
      e.expires = this.expiry(ttlMs);
    return n;
  }

  async addWithin(key: string, delta: number, limit: number, ttlMs?: number, existing = false): Promise<Within> {
    assertInteger("delta", delta);
    assertInteger("limit", limit);
    if (existing && this.live(key) === undefined) return { ok: false, value: 0, absent: true };
    const current = this.counter(key);
    const next = current + delta;
    if (next > limit) return { ok: false, value: current };
    this.put(key, next, ttlMs);
    return { ok: true, value: next };
  }

  async adjust(key: string, delta: number): Promise<number | undefined> {
    assertInteger("delta", delta);
    const e = this.live(key);
    if (e === undefined) return undefined;
    const n = Math.max(0, (Number(e.value) || 0) + delta);
    e.value = String(n);
    return n;
  }

  async throttle(
    key: string,
    cost: number,
    limit: number,
    periodMs: number,
    nowMs: number,
    force = false,
  ): Promise<Throttled> {
    const e = this.live(key);
    const { keep, answer } = gcraStep(e ? Number(e.value) : undefined, cost, limit, periodMs, nowMs, force);
    if (keep === undefined) this.entries.delete(key);
    else this.entries.set(key, { value: String(keep), expires: this.now() + Math.ceil(keep - nowMs) + 1 });
    return answer;
  }

  async count(key: string): Promise<number> {
    return this.counter(key);
  }

  async get(key: string): Promise<string | undefined> {
    return this.live(key)?.value;
  }

  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return keys.map((k) => this.live(k)?.value);
  }

  /** Each write applied in turn, all of them now (an answer's end makes three): one promise in all. */
  async writeMany(writes: readonly HotWrite[]): Promise<void> {
    assertWrites(writes);
    for (const w of writes) {
      if (w.op === "incr") this.incrNow(w.key, w.delta, w.ttlMs);
      else if (w.op === "set") this.entries.set(w.key, { value: w.value, expires: this.expiry(w.ttlMs) });
      else this.entries.delete(w.key);
    }
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.entries.set(key, { value, expires: this.expiry(ttlMs) });
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    if (this.live(key) !== undefined) return false;
    this.entries.set(key, { value, expires: this.expiry(ttlMs) });
    return true;
  }

  async ttl(key: string): Promise<number | undefined> {
    const e = this.live(key);
    if (e === undefined || e.expires === Number.POSITIVE_INFINITY) return undefined;
    return e.expires - this.now();
  }

  async del(key: string): Promise<void> {
    this.entries.delete(key);
  }

  /** Drops expired entries. */
  sweep(): void {
    const now = this.now();
    for (const [key, e] of this.entries) if (e.expires <= now) this.entries.delete(key);
  }

  async addMember(key: string, member: string, ttlMs: number): Promise<void> {
    const e = this.live(key);
    const set = new Set<string>(e ? (JSON.parse(e.value) as string[]) : []);
    set.add(member);
    this.entries.set(key, { value: JSON.stringify([...set]), expires: this.expiry(ttlMs) });
  }

  async members(key: string): Promise<string[]> {
    const e = this.live(key);
    return e ? (JSON.parse(e.value) as string[]) : [];
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
  }
}
