import { Redis } from "ioredis";
import { assertInteger, type HotState, type Within } from "./hot-state.js";

/** INCRBY that sets the expiry only when it created the key (a window does not slide on every hit). */
const INCR = `
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if v == tonumber(ARGV[1]) and tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`;

/** Adds only when the result stays within the limit; answers {added, value}. */
const ADD_WITHIN = `
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
local delta = tonumber(ARGV[1])
if cur + delta > tonumber(ARGV[2]) then return {0, cur} end
local v = redis.call('INCRBY', KEYS[1], delta)
if cur == 0 and redis.call('PTTL', KEYS[1]) == -1 and tonumber(ARGV[3]) > 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return {1, v}`;

interface Scripted extends Redis {
  llmuxIncr(key: string, delta: number, ttl: number): Promise<number>;
  llmuxAddWithin(key: string, delta: number, limit: number, ttl: number): Promise<[number, number]>;
}

export interface RedisStateOptions {
  url: string;
  /** Prepended to every key, so several deployments (or test runs) can share one Redis. */
  prefix?: string;
}

/**
 * Hot state in Redis, shared by every instance that points at the same server and prefix. Counters use
 * Lua scripts so check-and-add is one atomic step on the server.
 */
export class RedisState implements HotState {
  readonly engine = "redis" as const;
  readonly client: Scripted;

  constructor(opts: RedisStateOptions) {
    const client = new Redis(opts.url, {
      keyPrefix: opts.prefix ?? "llmux:",
      lazyConnect: false,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: true,
    });
    client.defineCommand("llmuxIncr", { numberOfKeys: 1, lua: INCR });
    client.defineCommand("llmuxAddWithin", { numberOfKeys: 1, lua: ADD_WITHIN });
    // Connection errors surface on the operations that fail; the emitter must not crash the process.
    client.on("error", () => undefined);
    this.client = client as Scripted;
  }

  async incr(key: string, delta: number, ttlMs?: number): Promise<number> {
    assertInteger("delta", delta);
    return Number(await this.client.llmuxIncr(key, delta, ttlMs ?? 0));
  }

  async addWithin(key: string, delta: number, limit: number, ttlMs?: number): Promise<Within> {
    assertInteger("delta", delta);
    assertInteger("limit", limit);
    const [added, value] = await this.client.llmuxAddWithin(key, delta, limit, ttlMs ?? 0);
    return { ok: added === 1, value: Number(value) };
  }

  async count(key: string): Promise<number> {
    const v = await this.client.get(key);
    return v === null ? 0 : Number(v) || 0;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.client.get(key)) ?? undefined;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    if (ttlMs === undefined) await this.client.set(key, value);
    else await this.client.set(key, value, "PX", Math.max(1, Math.ceil(ttlMs)));
  }

  async setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    const r =
      ttlMs === undefined
        ? await this.client.set(key, value, "NX")
        : await this.client.set(key, value, "PX", Math.max(1, Math.ceil(ttlMs)), "NX");
    return r === "OK";
  }

  async ttl(key: string): Promise<number | undefined> {
    const ms = await this.client.pttl(key);
    return ms < 0 ? undefined : ms;
  }

  async del(key: string): Promise<void> {
    await this.client.del(key);
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
