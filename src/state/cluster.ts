import type { Worker } from "node:cluster";
import { assertInteger, assertWrites, type HotState, type HotWrite, type Throttled, type Within } from "./hot-state.js";
import type { MemoryState } from "./memory.js";

/**
 * Hot state shared by the worker processes of one `llmux start --workers N` without Redis: the primary
 * process keeps it in memory and the workers ask it over the cluster's IPC channel. Every operation runs
 * on the primary's single thread, so each is atomic across workers.
 */

type Op =
  | "incr"
  | "addWithin"
  | "adjust"
  | "throttle"
  | "count"
  | "get"
  | "getMany"
  | "set"
  | "writeMany"
  | "setIfAbsent"
  | "ttl"
  | "del"
  | "addMember"
  | "members";

interface Ask {
  llmuxState: number;
  op: Op;
  args: unknown[];
}

interface Answer {
  llmuxState: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

function isAsk(m: unknown): m is Ask {
  return typeof m === "object" && m !== null && "llmuxState" in m && "op" in m;
}

function isAnswer(m: unknown): m is Answer {
  return typeof m === "object" && m !== null && "llmuxState" in m && "ok" in m;
}

/** The primary's side: answers one worker's state operations from the shared memory engine. */
export function serveClusterState(worker: Worker, state: MemoryState): void {
  worker.on("message", (m: unknown) => {
    if (!isAsk(m)) return;
    const fn = state[m.op] as (...a: unknown[]) => Promise<unknown>;
    // IPC carries JSON: an absent TTL arrives as null and must stay absent.
    const args = m.args.map((a) => (a === null ? undefined : a));
    fn.apply(state, args).then(
      (value) => {
        if (worker.isConnected()) worker.send({ llmuxState: m.llmuxState, ok: true, value } satisfies Answer);
      },
      (err: Error) => {
        if (worker.isConnected())
          worker.send({ llmuxState: m.llmuxState, ok: false, error: err.message } satisfies Answer);
      },
    );
  });
}

/** The worker's side: each operation is a message to the primary and its answer. */
export class ClusterState implements HotState {
  readonly engine = "memory" as const;
  private next = 1;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly onMessage = (m: unknown) => {
    if (!isAnswer(m)) return;
    const w = this.waiting.get(m.llmuxState);
    if (!w) return;
    this.waiting.delete(m.llmuxState);
    if (m.ok) w.resolve(m.value);
    else w.reject(new Error(m.error ?? "cluster state operation failed"));
  };

  constructor(private readonly proc: NodeJS.Process = process) {
    proc.on("message", this.onMessage);
  }

  private ask<T>(op: Op, args: unknown[]): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.send?.({ llmuxState: id, op, args } satisfies Ask);
    });
  }

  incr(key: string, delta: number, ttlMs?: number): Promise<number> {
    assertInteger("delta", delta);
    return this.ask("incr", [key, delta, ttlMs]);
  }
  addWithin(key: string, delta: number, limit: number, ttlMs?: number, existing?: boolean): Promise<Within> {
    assertInteger("delta", delta);
    assertInteger("limit", limit);
    return this.ask("addWithin", [key, delta, limit, ttlMs, existing ?? false]);
  }
  async adjust(key: string, delta: number): Promise<number | undefined> {
    assertInteger("delta", delta);
    return (await this.ask<number | null | undefined>("adjust", [key, delta])) ?? undefined;
  }
  throttle(
    key: string,
    cost: number,
    limit: number,
    periodMs: number,
    nowMs: number,
    force?: boolean,
  ): Promise<Throttled> {
    assertInteger("cost", cost);
    assertInteger("limit", limit);
    return this.ask("throttle", [key, cost, limit, periodMs, nowMs, force ?? false]);
  }
  count(key: string): Promise<number> {
    return this.ask("count", [key]);
  }
  async get(key: string): Promise<string | undefined> {
    return (await this.ask<string | null | undefined>("get", [key])) ?? undefined;
  }
  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    // IPC carries JSON: an absent value arrives as null.
    const vs = await this.ask<(string | null | undefined)[]>("getMany", [keys]);
    return vs.map((v) => v ?? undefined);
  }
  writeMany(writes: readonly HotWrite[]): Promise<void> {
    assertWrites(writes);
    return this.ask("writeMany", [writes]);
  }
  set(key: string, value: string, ttlMs?: number): Promise<void> {
    return this.ask("set", [key, value, ttlMs]);
  }
  setIfAbsent(key: string, value: string, ttlMs?: number): Promise<boolean> {
    return this.ask("setIfAbsent", [key, value, ttlMs]);
  }
  async ttl(key: string): Promise<number | undefined> {
    return (await this.ask<number | null | undefined>("ttl", [key])) ?? undefined;
  }
  del(key: string): Promise<void> {
    return this.ask("del", [key]);
  }
  addMember(key: string, member: string, ttlMs: number): Promise<void> {
    return this.ask("addMember", [key, member, ttlMs]);
  }
  members(key: string): Promise<string[]> {
    return this.ask("members", [key]);
  }
  async close(): Promise<void> {
    this.proc.off("message", this.onMessage);
    for (const w of this.waiting.values()) w.reject(new Error("cluster state closed"));
    this.waiting.clear();
  }
}
