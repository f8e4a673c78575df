import { randomBytes } from "node:crypto";
import type { ErrorInfo } from "../ir/types.js";
import { assertWrites, type HotState, type HotWrite, type OpId, type Throttled, type Within } from "./hot-state.js";
import { isReplayed } from "./keys.js";
import { MemoryState } from "./memory.js";
import { OP_ID_TTL_MS, RedisNotSent } from "./redis.js";

/** What happens when the shared engine (Redis) cannot be reached. */
export type StateFailurePolicy = "degrade" | "fail-closed";

/** Raised under `fail-closed` while the shared engine is unreachable: the request is refused with 503. */
export class StateUnavailable extends Error {
  constructor(cause: unknown) {
    super(`shared state (Redis) is unreachable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "StateUnavailable";
  }
}

/**
 * What a client is told when its request needed shared state that `fail-closed` refused: a 503 to retry
 * shortly (undefined: `err` is something else).
 */
export function unavailableAnswer(err: unknown): ErrorInfo | undefined {
  if (!(err instanceof StateUnavailable)) return undefined;
  return {
    status: 503,
    kind: "overloaded",
    message:
      "llmux cannot reach its shared state (Redis) and is set to refuse requests that need it (state.on_failure: fail-closed); try again shortly",
    retryAfter: "5",
  };
}

/** Where the wrapper reports that the shared engine went away and came back. */
export interface StateEvents {
  down(err: unknown): void;
  up(): void;
}

/**
 * The shared engine as the failure policy drives it: its counter operations take an operation id, which it
 * applies once however often it is sent (src/state/redis.ts). The memory engine, which ignores ids, is one.
 */
export interface SharedState extends HotState {
  incr(key: string, delta: number, ttlMs?: number, op?: OpId): Promise<number>;
  addWithin(key: string, delta: number, limit: number, ttlMs?: number, existing?: boolean, op?: OpId): Promise<Within>;
  adjust(key: string, delta: number, op?: OpId): Promise<number | undefined>;
  throttle(
    key: string,
    cost: number,
    limit: number,
    periodMs: number,
    nowMs: number,
    force?: boolean,
    op?: OpId,
  ): Promise<Throttled>;
  /**
   * Which numbering of operation ids a counter's key takes (src/state/redis.ts opGroup): undefined or null,
   * the instance's one numbering; a string, that group's own (in a Redis Cluster, the key's hash slot keeps
   * the ids of its group).
   */
  opGroup?(key: string): string | null | undefined;
}

/** A counter operation applied on this instance while the shared engine was away, to replay to it. */
type Replay =
  | { readonly kind: "incr"; readonly key: string; readonly delta: number; readonly ttlMs: number | undefined }
  | { readonly kind: "adjust"; readonly key: string; readonly delta: number }
  | {
      readonly kind: "throttle";
      readonly key: string;
      readonly cost: number;
      readonly limit: number;
      readonly periodMs: number;
      readonly nowMs: number;
    };

interface Owed {
  readonly replay: Replay;
  readonly id: OpId;
  /** When it was applied here (ms). */
  readonly at: number;
  /** It may have reached Redis (sent, its answer late or lost): replayed only while Redis remembers its id. */
  readonly maybeSent: boolean;
}

/**
 * An operation that may have reached Redis is replayed only this long after it was made: within the time
 * Redis keeps operation ids (with a margin), so one it executed is recognised and not applied again.
 */
const REPLAY_WITHIN_MS = OP_ID_TTL_MS - 60_000;
/** Operations replayed together (pipelined), each slice within the operation timeout of a busy Redis. */
const REPLAY_SLICE = 500;
/** Operations kept to replay at most (an outage under heavy load): the oldest go first. */
const MAX_OWED = 200_000;
/** Groups numbered at most; one more starts a new origin with fresh numberings (ids stay unique). */
const MAX_GROUPS = 50_000;

/**
 * The shared engine with a failure policy around it. `degrade` (default): while Redis cannot be reached,
 * every operation is answered by this instance's memory, so serving continues with per-instance limits,
 * and the change is reported once each way. `fail-closed`: operations throw StateUnavailable, so requests
 * that need shared counters are refused rather than admitted unchecked.
 *
 * Under `degrade`, the counter operations this instance applies meanwhile to rate limits (keys.ts
 * `isReplayed`: rpm and tpm buckets, concurrency slots) are kept in order and replayed to Redis when it
 * answers again, before any new operation (budgets are not kept here: the database keeps them,
 * src/limits/budget-escrow.ts). Every counter operation carries an id that
 * Redis records as it applies it, so an operation Redis executed but whose answer was lost or late (a hang,
 * a connection cut while it waited) is not applied twice when replayed. One that may have reached Redis is
 * replayed only while Redis still remembers ids (REPLAY_WITHIN_MS); one that surely never left (the
 * connection was down) is replayed whenever Redis returns.
 */
export class ResilientState implements HotState {
  readonly engine: HotState["engine"];
  private readonly local = new MemoryState();
  private degraded = false;
  /** Counter operations applied locally while the shared engine was away, oldest first. */
  private owed: Owed[] = [];
  private catching: Promise<void> | undefined;
  /** This instance's operations: a random origin and a number (in a Redis Cluster, one per group). */
  private origin = randomBytes(6).toString("hex");
  private seq = 0;
  private readonly groupSeq = new Map<string, number>();

  constructor(
    private readonly shared: SharedState,
    private readonly policy: StateFailurePolicy,
    private readonly events: StateEvents,
    private readonly now: () => number = Date.now,
  ) {
    this.engine = shared.engine;
  }

  /** True while the shared engine is unreachable (operations answered locally or refused). */
  get isDegraded(): boolean {
    return this.degraded;
  }

  /** Counter operations waiting to be replayed to the shared engine. */
  get owedCount(): number {
    return this.owed.length;
  }

  /**
   * One operation on the shared engine, after what is owed to it; while it is away, on this instance's
   * memory, and kept to be replayed when `replay` names what to replay (given the local answer).
   */
  private async run<T>(
    shared: (id: OpId) => Promise<T>,
    local: () => Promise<T>,
    replay?: (v: T) => Replay | undefined,
    key?: string,
  ): Promise<T> {
    const id = this.nextId(key);
    let sent = false;
    try {
      if (this.owed.length > 0) await this.catchUp();
      sent = true;
      const v = await shared(id);
      if (this.degraded) {
        this.degraded = false;
        this.events.up();
      }
      return v;
    } catch (err) {
      if (err instanceof TypeError) throw err;
      if (!this.degraded) {
        this.degraded = true;
        this.events.down(err);
      }
      if (this.policy === "fail-closed") throw new StateUnavailable(err);
      const v = await local();
      const r = replay?.(v);
      if (r && isReplayed(r.key))
        this.owe({ replay: r, id, at: this.now(), maybeSent: sent && !(err instanceof RedisNotSent) });
      return v;
    }
  }

  /** The id of the next operation on `key` (a counter's: numbered in its group, when the engine has groups). */
  private nextId(key: string | undefined): OpId {
    const group = key === undefined ? undefined : this.shared.opGroup?.(key);
    if (typeof group !== "string") return { origin: this.origin, seq: this.seq++ };
    if (!this.groupSeq.has(group) && this.groupSeq.size >= MAX_GROUPS) {
      this.origin = randomBytes(6).toString("hex");
      this.groupSeq.clear();
    }
    const seq = this.groupSeq.get(group) ?? 0;
    this.groupSeq.set(group, seq + 1);
    return { origin: this.origin, seq };
  }

  private owe(o: Owed): void {
    this.owed.push(o);
    if (this.owed.length > MAX_OWED) this.owed.splice(0, this.owed.length - MAX_OWED);
  }

  /** Replays what is owed (once at a time, whoever asks); throws while the shared engine is still away. */
  private catchUp(): Promise<void> {
    this.catching ??= this.payBack().finally(() => {
      this.catching = undefined;
    });
    return this.catching;
  }

  /**
   * Replays the owed operations in their order (pipelined on the one connection), each with its id, then
   * drops the local copies of their counters. When one fails, they all stay owed (their ids make the ones
   * that were applied meanwhile count once).
   */
  private async payBack(): Promise<void> {
    const now = this.now();
    const batch = this.owed.filter((o) => !o.maybeSent || now - o.at <= REPLAY_WITHIN_MS);
    this.owed = [];
    for (let i = 0; i < batch.length; i += REPLAY_SLICE) {
      try {
        await Promise.all(batch.slice(i, i + REPLAY_SLICE).map((o) => this.replayOne(o)));
      } catch (err) {
        // This slice again (what it applied counts once), and everything after it.
        this.owed = [...batch.slice(i), ...this.owed];
        throw err;
      }
    }
    await Promise.all([...new Set(batch.map((o) => o.replay.key))].map((k) => this.local.del(k)));
  }

  private replayOne({ replay: r, id }: Owed): Promise<unknown> {
    if (r.kind === "throttle") return this.shared.throttle(r.key, r.cost, r.limit, r.periodMs, r.nowMs, true, id);
    if (r.kind === "adjust") return this.shared.adjust(r.key, r.delta, id);
    return this.shared.incr(r.key, r.delta, r.ttlMs, id);
  }

  incr(key: string, delta: number, ttlMs?: number): Promise<number> {
    return this.run(
      (id) => this.shared.incr(key, delta, ttlMs, id),
      () => this.local.incr(key, delta, ttlMs),
      () => (delta === 0 ? undefined : { kind: "incr", key, delta, ttlMs }),
      key,
    );
  }
  addWithin(key: string, delta: number, limit: number, ttlMs?: number, existing?: boolean): Promise<Within> {
    return this.run(
      (id) => this.shared.addWithin(key, delta, limit, ttlMs, existing, id),
      () => this.local.addWithin(key, delta, limit, ttlMs, existing),
      (r) => (r.ok && delta !== 0 ? { kind: "incr", key, delta, ttlMs } : undefined),
      key,
    );
  }
  adjust(key: string, delta: number): Promise<number | undefined> {
    return this.run(
      (id) => this.shared.adjust(key, delta, id),
      () => this.local.adjust(key, delta),
      () => (delta === 0 ? undefined : { kind: "adjust", key, delta }),
      key,
    );
  }
  throttle(
    key: string,
    cost: number,
    limit: number,
    periodMs: number,
    nowMs: number,
    force?: boolean,
  ): Promise<Throttled> {
    return this.run(
      (id) => this.shared.throttle(key, cost, limit, periodMs, nowMs, force, id),
      () => this.local.throttle(key, cost, limit, periodMs, nowMs, force),
      (r) => (r.ok && cost !== 0 ? { kind: "throttle", key, cost, limit, periodMs, nowMs } : undefined),
      key,
    );
  }
  count(key: string): Promise<number> {
    return this.plain((s) => s.count(key));
  }
  get(key: string): Promise<string | undefined> {
    return this.plain((s) => s.get(key));
  }
  getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return this.plain((s) => s.getMany(keys));
  }
  writeMany(writes: readonly HotWrite[]): Promise<void> {
    // Refused here, before either engine: a replayed counter would be counted locally and never replayed.
    assertWrites(writes);
    return this.plain((s) => s.writeMany(writes));
  }
  set(key: string, value: string, ttlMs?: number): Promise<void> {
    return this.plain((s) => s.set(key, value, ttlMs));
  }
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    return this.plain((s) => s.setIfAbsent(key, value, ttlMs));
  }
  ttl(key: string): Promise<number | undefined> {
    return this.plain((s) => s.ttl(key));
  }
  del(key: string): Promise<void> {
    return this.plain((s) => s.del(key));
  }
  addMember(key: string, member: string, ttlMs: number): Promise<void> {
    return this.plain((s) => s.addMember(key, member, ttlMs));
  }
  members(key: string): Promise<string[]> {
    return this.plain((s) => s.members(key));
  }

  /** An operation that is not replayed: the same on the shared engine or, while it is away, on memory. */
  private plain<T>(op: (s: HotState) => Promise<T>): Promise<T> {
    return this.run(
      () => op(this.shared),
      () => op(this.local),
    );
  }

  async close(): Promise<void> {
    await this.local.close();
    await this.shared.close();
  }
}
