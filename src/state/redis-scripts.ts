import type { Redis } from "ioredis";
import type { HotWrite } from "./hot-state.js";

/**
 * The Lua scripts of the Redis engine's counters (src/state/redis.ts). Each takes two keys: the counter
 * (`KEYS[1]`) and the bitmap of operation ids (`KEYS[2]`), which share a hash slot in a Redis Cluster
 * (RedisState.opsKey).
 */

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
export const INCR = `${ONCE}
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
export const ADD_WITHIN = `${ONCE}
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
export const ADJUST = `${ONCE}
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if seen() then return tonumber(redis.call('GET', KEYS[1])) end
local v = redis.call('INCRBY', KEYS[1], tonumber(ARGV[1]))
if v < 0 then
  redis.call('SET', KEYS[1], 0, 'KEEPTTL')
  v = 0
end
return v`;

/** GCRA (hot-state.ts gcraStep, the same arithmetic): answers {ok, remaining, retryMs, resetMs}. */
export const THROTTLE = `${ONCE}
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

/**
 * Several writes in one step (HotState.writeMany): `KEYS[i]` takes the write `ARGV[3i-2]` (`i`: incr, as INCR
 * above without an operation id; `s`: set; `d`: del) with `ARGV[3i-1]` (the delta or the value) and `ARGV[3i]`
 * (the TTL in ms, 0: none). Answers how many writes it applied.
 */
export const WRITE_MANY = `
for i = 1, #KEYS do
  local k = KEYS[i]
  local kind = ARGV[3 * i - 2]
  local ttl = tonumber(ARGV[3 * i])
  if kind == 'i' then
    local d = tonumber(ARGV[3 * i - 1])
    if d >= 0 or redis.call('EXISTS', k) == 1 then
      if redis.call('INCRBY', k, d) < 0 then redis.call('SET', k, 0, 'KEEPTTL') end
      if ttl > 0 and redis.call('PTTL', k) == -1 then redis.call('PEXPIRE', k, ttl) end
    end
  elseif kind == 's' then
    if ttl > 0 then redis.call('SET', k, ARGV[3 * i - 1], 'PX', ttl) else redis.call('SET', k, ARGV[3 * i - 1]) end
  else
    redis.call('DEL', k)
  end
end
return #KEYS`;

/** WRITE_MANY's keys, then its three arguments per key, for `writes`. */
export function writeManyArgs(writes: readonly HotWrite[]): (string | number)[] {
  const args: (string | number)[] = writes.map((w) => w.key);
  for (const w of writes) {
    const ttl = w.op === "del" || w.ttlMs === undefined ? 0 : Math.max(1, Math.ceil(w.ttlMs));
    if (w.op === "incr") args.push("i", w.delta, ttl);
    else if (w.op === "set") args.push("s", w.value, ttl);
    else args.push("d", "", 0);
  }
  return args;
}

/** The client with the scripts defined on it (one server and a Cluster take the same commands). */
export interface Scripted extends Redis {
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
  /** WRITE_MANY: the number of keys, the keys, then three arguments per key. */
  llmuxWriteMany(keys: number, ...args: (string | number)[]): Promise<number>;
}
