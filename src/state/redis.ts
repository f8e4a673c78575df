import {
  assertInteger,
  assertWrites,
  type HotState,
  type HotWrite,
  type OpId,
  type Throttled,
  type Within,
} from "./hot-state.js";
import { connectRedis, reconnectWhenEnded } from "./ioredis.js";
import { hashTag, hotKeys } from "./keys.js";
import { bounded, RedisNotSent } from "./redis-bounded.js";
import { ADD_WITHIN, ADJUST, INCR, type Scripted, THROTTLE, WRITE_MANY, writeManyArgs } from "./redis-scripts.js";
import { holdTurn } from "./redis-turn.js";
import { parseRedisTarget } from "./redis-url.js";

export { RedisNotSent, RedisTimeout } from "./redis-bounded.js";

/** Operations per bitmap of an instance's operation ids (8 KiB each). */
const OPS_PER_CHUNK = 65_536;
/** How long Redis remembers an operation id after that instance's last operation in its chunk. */
export const OP_ID_TTL_MS = 10 * 60_000;

/**
 * How many operations of an instance await their answers before its commands start to wait for the end of the
 * event loop's turn and leave with the others of the turn (see `run`), until none awaits an answer: one request's
 * own commands (two reads side by side, a count sent off) stay under it, so a lone request never waits a turn for
 * nothing (its commands of one turn still leave in one write: `holdTurn`).
 */
const BATCH_FROM = 4;

/** An operation id as the scripts take it: the bitmap's key, the bit (-1: none), the bitmap's lifetime. */
type Once = [opsKey: string, bit: number, ttl: number];

export interface RedisStateOptions {
  /** `state.url`: one server, Sentinels (`redis+sentinel://`) or a Redis Cluster (`redis+cluster://`). */
  url: string;
  /** Prepended to every key, so several deployments (or test runs) can share one Redis. */
  prefix?: string;
  /** An operation that takes longer fails (then the failure policy decides). Default 500 ms. */
  timeoutMs?: number;
  /**
   * Sentinel only: how long after the connection to the primary is lost (or a write is refused with READONLY)
   * operations wait for the client to reach the primary the Sentinels name, instead of failing at once.
   * Default 2 s or twice `timeoutMs`, whichever is longer.
   */
  switchWaitMs?: number | undefined;
}

/** A write refused by a server that has become a replica (a failover): Redis did not apply it. */
const readOnly = (err: unknown) => err instanceof Error && /READONLY/.test(err.message);
/** A command flushed when its connection closed (ioredis with maxRetriesPerRequest 0): its fate unknown. */
const cut = (err: unknown) =>
  err instanceof Error && (err.name === "MaxRetriesPerRequestError" || /Connection is closed/.test(err.message));

/**
 * Hot state in Redis, shared by every instance that points at the same server and prefix. Counters use
 * Lua scripts so check-and-add is one atomic step on the server.
 */
export class RedisState implements HotState {
  readonly engine = "redis" as const;
  readonly client: Scripted;
  /** A Redis Cluster: keys used together must share a hash slot. */
  readonly cluster: boolean;
  private readonly prefix: string;
  /** Settles once the first connection attempt ended (ready, failed, or timed out). */
  private first: Promise<void> | undefined;
  private readonly timeoutMs: number;
  /** Sentinel: a lost primary is followed (operations wait, bounded, for the switch: see `run`). */
  private readonly follows: boolean;
  private readonly switchWaitMs: number;
  /** Until when operations wait for the client to reach the (new) primary (ms since the epoch; 0: no switch). */
  private switchUntil = 0;
  private wasReady = false;
  /** Operations sent and not answered yet. */
  private awaited = 0;
  /** Commands leave together (from BATCH_FROM operations awaiting answers until none does). */
  private together = false;
  /** Resolves at the client's next `ready`. */
  private nextReady: Promise<void> | undefined;
  private readyNow: (() => void) | undefined;
  /** Stops connecting a client ioredis gave up again (called by `close`). */
  private readonly stopReconnecting: () => void;

  constructor(opts: RedisStateOptions) {
    this.timeoutMs = opts.timeoutMs ?? 500;
    this.prefix = opts.prefix ?? "llmux:";
    const target = parseRedisTarget(opts.url);
    this.cluster = target.kind === "cluster";
    this.follows = target.kind === "sentinel";
    this.switchWaitMs = opts.switchWaitMs ?? Math.max(2000, 2 * this.timeoutMs);
    const client = connectRedis(target, {
      keyPrefix: this.prefix,
      // While disconnected, operations fail at once instead of queueing behind a reconnect: the failure
      // policy (resilient.ts) answers them, and the request path never waits on a Redis that is away.
      offlineQueue: false,
      // Only a backstop that clears commands a silent server never answers: operations are bounded by
      // `bounded` (above), which tells a late timer from a late answer.
      commandTimeout: Math.max(5_000, 10 * this.timeoutMs),
      // Behind Sentinels, each attempt asks them for the primary: a failover is followed within a second of
      // their switch (a server killed: after their down-after-milliseconds and election).
      retry: this.follows ? (times) => Math.min(100 * times, 1000) : (times) => Math.min(200 * times, 2000),
    });
    client.defineCommand("llmuxIncr", { numberOfKeys: 2, lua: INCR });
    client.defineCommand("llmuxAddWithin", { numberOfKeys: 2, lua: ADD_WITHIN });
    client.defineCommand("llmuxAdjust", { numberOfKeys: 2, lua: ADJUST });
    client.defineCommand("llmuxThrottle", { numberOfKeys: 2, lua: THROTTLE });
    client.defineCommand("llmuxWriteMany", { lua: WRITE_MANY });
    // Connection errors surface on the operations that fail; the emitter must not crash the process.
    client.on("error", () => undefined);
    client.on("ready", () => {
      this.wasReady = true;
      this.readyNow?.();
      this.nextReady = undefined;
      this.readyNow = undefined;
    });
    // An established connection lost (a failover, or the primary gone): the switch begins.
    client.on("close", () => {
      if (this.wasReady) this.beginSwitch();
      this.wasReady = false;
    });
    this.client = client as unknown as Scripted;
    this.stopReconnecting = reconnectWhenEnded(client, this.follows ? 1000 : 2000);
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

  /** A switch to the primary the Sentinels name begins now (unless one is under way). */
  private beginSwitch(): void {
    if (this.follows && Date.now() >= this.switchUntil) this.switchUntil = Date.now() + this.switchWaitMs;
  }

  /** True once the client is ready again (its next `ready`), false at `deadline`. */
  private readyBy(deadline: number): Promise<boolean> {
    this.nextReady ??= new Promise<void>((resolve) => {
      this.readyNow = resolve;
    });
    const ready = this.nextReady;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
      timer.unref();
      void ready.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * One operation on the client, bounded by the timeout. One the connection cannot take now fails with
   * RedisNotSent (surely not executed); a timeout or a connection lost meanwhile leaves it unknown.
   *
   * Behind Sentinels, a failover is followed rather than answered by the failure policy: a write the old
   * primary refused (READONLY: not applied; the client reconnects) or one the connection could not take
   * while the client switches (the Sentinels announced the new primary, or the connection to the old one was
   * lost) waits for the client to be ready again, until `switchWaitMs` after the switch began (one deadline
   * for every operation), and is sent again, to the new primary. Writes answered by the old primary after the
   * Sentinels promoted its replica and before the client heard of it are lost with the old primary's data
   * (Redis replicates asynchronously): docs/deploy.md.
   */
  private async run<T>(op: (c: Scripted) => Promise<T>): Promise<T> {
    const c = await this.c();
    let deadline: number | undefined;
    for (;;) {
      try {
        if (c.status !== "ready") throw new RedisNotSent(`the connection is ${c.status}`);
        // Alone, a command leaves within its turn, in one write with the turn's others; under load (BATCH_FROM
        // answers awaited) each is held to the end of the event loop's turn and leaves with the commands of every
        // request served in it, until no answer is awaited (redis-turn.ts). Redis reads, runs and answers them in
        // one turn too. Not in a Cluster, whose commands go to each key's node. The timeout allows for a command
        // sent after a blocked turn (redis-bounded.ts).
        if (!this.cluster) {
          if (this.awaited === 0) this.together = false;
          else if (this.awaited >= BATCH_FROM) this.together = true;
          holdTurn(c.stream, this.together);
        }
        this.awaited++;
        return await bounded(
          op(c).then(
            (v) => {
              this.awaited--;
              return v;
            },
            (err: unknown) => {
              this.awaited--;
              if (err instanceof Error && /isn't writeable/.test(err.message)) throw new RedisNotSent(err.message);
              throw err;
            },
          ),
          this.timeoutMs,
        );
      } catch (err) {
        if (!this.follows || !(err instanceof RedisNotSent || readOnly(err) || cut(err))) throw err;
        // Sent again once the client reaches the primary, within the switch's deadline: not applied (READONLY,
        // not sent), or cut with the old primary's connection (a counter's operation id makes it count once).
        if (!(err instanceof RedisNotSent) || /isn't writeable/.test(err.message)) this.beginSwitch();
        deadline ??= this.switchUntil;
        if (Date.now() >= deadline || !(await this.readyBy(deadline))) throw err;
      }
    }
  }

  /**
   * Which operation ids a counter's key shares (resilient.ts numbers each group's operations on its own):
   * undefined on one server (one numbering per instance); in a Redis Cluster, the key's hash tag (or the
   * whole key), so the bitmap of ids (`ops:{group}:…`) sits in the counter's hash slot and the script's two
   * keys are in one slot; null when no bitmap can share the key's slot (a key with braces but no tag):
   * its operations are sent without an id.
   */
  opGroup(key: string): string | null | undefined {
    if (!this.cluster || hashTag(this.prefix) !== undefined) return undefined;
    const full = this.prefix + key;
    const tag = hashTag(full);
    if (tag !== undefined) return tag;
    return /[{}]/.test(full) ? null : full;
  }

  /** The bitmap, bit and lifetime of an operation id on `key` (without one, the key itself stands in). */
  private once(key: string, op: OpId | undefined): Once {
    const group = op === undefined ? null : this.opGroup(key);
    if (op === undefined || group === null) return [key, -1, 0];
    const chunk = Math.floor(op.seq / OPS_PER_CHUNK);
    const ops = group === undefined ? hotKeys.opsSeen(op.origin, chunk) : hotKeys.opsSeenIn(group, op.origin, chunk);
    return [ops, op.seq % OPS_PER_CHUNK, OP_ID_TTL_MS];
  }

  /** With `op`: applied once, however often it is sent with that id (a replay: see resilient.ts). */
  async incr(key: string, delta: number, ttlMs?: number, op?: OpId): Promise<number> {
    assertInteger("delta", delta);
    const [ops, bit, opTtl] = this.once(key, op);
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
    const [ops, bit, opTtl] = this.once(key, op);
    const [added, value, absent] = await this.run((c) =>
      c.llmuxAddWithin(key, ops, delta, limit, ttlMs ?? 0, existing ? "1" : "0", bit, opTtl),
    );
    return absent === 1 ? { ok: false, value: 0, absent: true } : { ok: added === 1, value: Number(value) };
  }

  async adjust(key: string, delta: number, op?: OpId): Promise<number | undefined> {
    assertInteger("delta", delta);
    const [ops, bit, opTtl] = this.once(key, op);
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
    const [ops, bit, opTtl] = this.once(key, op);
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

  /** In a Redis Cluster, one MGET per hash tag (keys of different slots cannot be read in one command). */
  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    if (!this.cluster) {
      const vs = await this.run((c) => c.mget(...keys));
      return vs.map((v) => v ?? undefined);
    }
    const out: (string | undefined)[] = new Array(keys.length).fill(undefined);
    await this.run((c) =>
      Promise.all(
        this.bySlot(keys).map(async (at) => {
          const vs = await c.mget(...at.map((i) => keys[i] as string));
          at.forEach((i, j) => {
            out[i] = vs[j] ?? undefined;
          });
        }),
      ),
    );
    return out;
  }

  /** One script; in a Redis Cluster one per hash tag (keys of different slots cannot be in one script). */
  async writeMany(writes: readonly HotWrite[]): Promise<void> {
    assertWrites(writes);
    if (writes.length === 0) return;
    const groups = this.cluster ? this.bySlot(writes.map((w) => w.key)) : [writes.map((_, i) => i)];
    await this.run((c) =>
      Promise.all(
        groups.map((at) => {
          return c.llmuxWriteMany(at.length, ...writeManyArgs(at.map((i) => writes[i] as HotWrite)));
        }),
      ),
    );
  }

  /** The positions of `keys` grouped by Redis Cluster hash slot (the hash tag, or the whole key), in order. */
  private bySlot(keys: readonly string[]): number[][] {
    const groups = new Map<string, number[]>();
    keys.forEach((k, i) => {
      const g = hashTag(this.prefix + k) ?? `\0${k}`;
      const at = groups.get(g);
      if (at) at.push(i);
      else groups.set(g, [i]);
    });
    return [...groups.values()];
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
    this.stopReconnecting();
    if (this.client.status === "ready") await this.client.quit().catch(() => this.client.disconnect());
    else this.client.disconnect();
  }
}
