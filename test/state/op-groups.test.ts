/**
 * Operation ids in a Redis Cluster (src/state/resilient.ts nextId, src/state/redis.ts opGroup): each group of
 * keys (a hash tag) is numbered on its own from 0, so the bitmap of ids that sits in the group's hash slot
 * grows with that group's operations only; one server keeps one numbering; past MAX_GROUPS groups the
 * instance takes a new origin (ids stay unique).
 */
import { describe, expect, it } from "vitest";
import type { OpId } from "../../src/state/hot-state.js";
import { MemoryState } from "../../src/state/memory.js";
import { RedisState } from "../../src/state/redis.js";
import { ResilientState } from "../../src/state/resilient.js";

/** The memory engine, recording the id each counter operation came with, grouped as a cluster groups keys. */
class Recording extends MemoryState {
  readonly ids: { key: string; op: OpId | undefined }[] = [];
  constructor(private readonly group: ((key: string) => string | null | undefined) | undefined) {
    super();
  }
  opGroup(key: string): string | null | undefined {
    return this.group?.(key);
  }
  override incr(key: string, delta: number, ttlMs?: number, op?: OpId): Promise<number> {
    this.ids.push({ key, op });
    return super.incr(key, delta, ttlMs);
  }
}

const events = { down: () => undefined, up: () => undefined };

describe("operation ids by group", () => {
  it("a cluster numbers each hash tag on its own; one server numbers every key in one sequence", async () => {
    const cluster = new Recording((k) => /\{([^}]+)\}/.exec(k)?.[1]);
    const rc = new ResilientState(cluster, "degrade", events);
    for (const k of ["rpm:{a}", "tpm:{a}", "rpm:{b}", "rpm:{a}"]) await rc.incr(k, 1);
    expect(cluster.ids.map((i) => i.op?.seq)).toEqual([0, 1, 0, 2]);
    expect(new Set(cluster.ids.map((i) => i.op?.origin)).size).toBe(1);

    const one = new Recording(undefined);
    const r1 = new ResilientState(one, "degrade", events);
    for (const k of ["rpm:{a}", "tpm:{a}", "rpm:{b}"]) await r1.incr(k, 1);
    expect(one.ids.map((i) => i.op?.seq)).toEqual([0, 1, 2]);
  });

  it("past 50,000 groups a new origin starts (an id is never given twice)", async () => {
    const many = new Recording((k) => k);
    const r = new ResilientState(many, "degrade", events);
    for (let i = 0; i <= 50_000; i++) await r.incr(`k${i}`, 1);
    await r.incr("k0", 1);
    const first = many.ids[0]!.op!;
    const last = many.ids.at(-1)!.op!;
    expect(many.ids[50_000]!.op!.origin).not.toBe(first.origin);
    expect(last).toEqual({ origin: many.ids[50_000]!.op!.origin, seq: 0 });
  });

  it("RedisState groups by the key's hash tag only on a cluster, and never across prefixes' braces", () => {
    const single = new RedisState({ url: "redis://127.0.0.1:1", prefix: "p:" });
    const cluster = new RedisState({ url: "redis+cluster://127.0.0.1:1", prefix: "p:" });
    const tagged = new RedisState({ url: "redis+cluster://127.0.0.1:1", prefix: "{all}:" });
    try {
      expect(single.opGroup("rpm:{key:a}")).toBeUndefined();
      expect(cluster.opGroup("rpm:{key:a}")).toBe("key:a");
      expect(cluster.opGroup("session-cost:o:s")).toBe("p:session-cost:o:s");
      expect(cluster.opGroup("odd:a}b")).toBeNull();
      expect(tagged.opGroup("rpm:{key:a}")).toBeUndefined();
    } finally {
      void single.close();
      void cluster.close();
      void tagged.close();
    }
  });
});
