import type { ErrorInfo } from "../ir/types.js";
import type { HotState, Throttled, Within } from "./hot-state.js";
import { isCarriedOver } from "./keys.js";
import { MemoryState } from "./memory.js";

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
 * The shared engine with a failure policy around it. `degrade` (default): while Redis cannot be reached,
 * every operation is answered by this instance's memory, so serving continues with per-instance limits,
 * and the change is reported once each way. `fail-closed`: operations throw StateUnavailable, so requests
 * that need shared counters are refused rather than admitted unchecked.
 *
 * Under `degrade`, what this instance adds meanwhile to counters of money (budget windows: keys.ts
 * `isCarriedOver`) is kept, and added to Redis's counters when it answers again (only to counters Redis
 * still has: one it lost is seeded from the ledger, which holds that spend already).
 */
export class ResilientState implements HotState {
  readonly engine: HotState["engine"];
  private readonly local = new MemoryState();
  private degraded = false;
  /** What was added locally to counters of money while the shared engine was away, by key. */
  private readonly owed = new Map<string, number>();

  constructor(
    private readonly shared: HotState,
    private readonly policy: StateFailurePolicy,
    private readonly events: StateEvents,
  ) {
    this.engine = shared.engine;
  }

  /** True while the shared engine is unreachable (operations answered locally or refused). */
  get isDegraded(): boolean {
    return this.degraded;
  }

  /** One operation on the shared engine; while it is away, on this instance's memory (`local` sees the answer). */
  private async run<T>(op: (s: HotState) => Promise<T>, local?: (v: T) => void): Promise<T> {
    try {
      const v = await op(this.shared);
      if (this.degraded) {
        this.degraded = false;
        this.events.up();
        await this.payBack();
      }
      return v;
    } catch (err) {
      if (err instanceof TypeError) throw err;
      if (!this.degraded) {
        this.degraded = true;
        this.events.down(err);
      }
      if (this.policy === "fail-closed") throw new StateUnavailable(err);
      const v = await op(this.local);
      local?.(v);
      return v;
    }
  }

  private owe(key: string, delta: number): void {
    if (delta !== 0 && isCarriedOver(key)) this.owed.set(key, (this.owed.get(key) ?? 0) + delta);
  }

  /** Adds what was owed to the shared counters that still exist; the local copies are dropped. */
  private async payBack(): Promise<void> {
    const owed = [...this.owed];
    this.owed.clear();
    await Promise.all(
      owed.map(async ([key, delta]) => {
        await this.local.del(key);
        await this.shared.adjust(key, delta).catch(() => this.owe(key, delta));
      }),
    );
  }

  incr(key: string, delta: number, ttlMs?: number): Promise<number> {
    return this.run(
      (s) => s.incr(key, delta, ttlMs),
      () => this.owe(key, delta),
    );
  }
  addWithin(key: string, delta: number, limit: number, ttlMs?: number, existing?: boolean): Promise<Within> {
    return this.run(
      (s) => s.addWithin(key, delta, limit, ttlMs, existing),
      (r) => {
        if (r.ok) this.owe(key, delta);
      },
    );
  }
  adjust(key: string, delta: number): Promise<number | undefined> {
    return this.run(
      (s) => s.adjust(key, delta),
      () => this.owe(key, delta),
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
    return this.run((s) => s.throttle(key, cost, limit, periodMs, nowMs, force));
  }
  count(key: string): Promise<number> {
    return this.run((s) => s.count(key));
  }
  get(key: string): Promise<string | undefined> {
    return this.run((s) => s.get(key));
  }
  getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return this.run((s) => s.getMany(keys));
  }
  set(key: string, value: string, ttlMs?: number): Promise<void> {
    return this.run((s) => s.set(key, value, ttlMs));
  }
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    return this.run((s) => s.setIfAbsent(key, value, ttlMs));
  }
  ttl(key: string): Promise<number | undefined> {
    return this.run((s) => s.ttl(key));
  }
  del(key: string): Promise<void> {
    return this.run((s) => s.del(key));
  }
  addMember(key: string, member: string, ttlMs: number): Promise<void> {
    return this.run((s) => s.addMember(key, member, ttlMs));
  }
  members(key: string): Promise<string[]> {
    return this.run((s) => s.members(key));
  }
  async close(): Promise<void> {
    await this.local.close();
    await this.shared.close();
  }
}
