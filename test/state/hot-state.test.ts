import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HotState } from "../../src/state/hot-state.js";
import { MemoryState } from "../../src/state/memory.js";
import { openHotState } from "../../src/state/open.js";
import { RedisState } from "../../src/state/redis.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";

/** Each run gets its own prefix, so parallel runs on one Redis never see each other's keys. */
function prefix(): string {
  return `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`;
}

const ENGINES = [
  { name: "memory", open: (): HotState => new MemoryState() },
  { name: "redis", open: (): HotState => new RedisState({ url: REDIS, prefix: prefix() }) },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(ENGINES)("hot state on $name", ({ name, open }) => {
  let s: HotState;
  beforeAll(() => {
    s = open();
  });
  afterAll(async () => {
    await s.close();
  });

  it("says which engine it is", () => {
    expect(s.engine).toBe(name);
  });

  it("counts up and down; an absent counter is 0", async () => {
    expect(await s.count("c1")).toBe(0);
    expect(await s.incr("c1", 5)).toBe(5);
    expect(await s.incr("c1", -2)).toBe(3);
    expect(await s.count("c1")).toBe(3);
  });

  it("a decrement neither brings back a counter that is gone nor goes below 0, and keeps the expiry", async () => {
    // A release after the counter expired or was lost (Redis restarted): nothing, not a -1 forever.
    expect(await s.incr("gone", -1, 60_000)).toBe(0);
    expect(await s.get("gone")).toBeUndefined();
    expect(await s.incr("slots", 1, 60_000)).toBe(1);
    expect(await s.incr("slots", -3, 60_000)).toBe(0);
    expect(await s.count("slots")).toBe(0);
    expect(await s.ttl("slots")).toBeGreaterThan(50_000);
    // A counter made without an expiry gets one from the next call that gives one.
    await s.incr("bare", 2);
    expect(await s.ttl("bare")).toBeUndefined();
    expect(await s.incr("bare", 1, 60_000)).toBe(3);
    expect(await s.ttl("bare")).toBeGreaterThan(50_000);
  });

  it("gives a new counter its TTL once: later increments do not extend the window", async () => {
    await s.incr("w1", 1, 60_000);
    await s.incr("w1", 1, 120_000);
    const left = await s.ttl("w1");
    expect(left).toBeDefined();
    expect(left!).toBeLessThanOrEqual(60_000);
    expect(left!).toBeGreaterThan(0);
    // The window ends when its first increment said (polled: how soon the machine gets there is not the question).
    await s.incr("w2", 1, 20);
    await expect.poll(() => s.count("w2"), { timeout: 5000, interval: 20 }).toBe(0);
  });

  it("adds within a limit atomically: 50 concurrent reservations of 3 against 100 admit exactly 33", async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => s.addWithin("budget", 3, 100)));
    const admitted = results.filter((r) => r.ok).length;
    expect(admitted).toBe(33);
    expect(await s.count("budget")).toBe(99);
    const refused = results.find((r) => !r.ok)!;
    expect(refused.value).toBeLessThanOrEqual(100);
    // Releasing makes room again.
    await s.incr("budget", -3);
    expect((await s.addWithin("budget", 3, 100)).ok).toBe(true);
  });

  it("adds to an existing counter only when asked so: an absent one is not made (a budget window to seed first)", async () => {
    expect(await s.addWithin("seedme", 5, 100, 60_000, true)).toEqual({ ok: false, value: 0, absent: true });
    expect(await s.get("seedme")).toBeUndefined();
    await s.set("seedme", "90", 60_000);
    expect(await s.addWithin("seedme", 5, 100, 60_000, true)).toEqual({ ok: true, value: 95 });
    expect((await s.addWithin("seedme", 6, 100, 60_000, true)).ok).toBe(false);
  });

  it("adjusts a counter that exists, either way, never below 0 and keeping its expiry; an absent one stays absent", async () => {
    expect(await s.adjust("settle-gone", 7)).toBeUndefined();
    expect(await s.get("settle-gone")).toBeUndefined();
    await s.incr("settle", 10, 60_000);
    expect(await s.adjust("settle", 5)).toBe(15);
    expect(await s.adjust("settle", -20)).toBe(0);
    expect(await s.ttl("settle")).toBeGreaterThan(50_000);
  });

  it("throttles by GCRA: 50 concurrent takes against 20 a minute admit exactly 20, then one every 3 s, never a burst at a minute's edge", async () => {
    const t0 = Date.parse("2026-11-22T10:00:59Z");
    const first = await Promise.all(Array.from({ length: 50 }, () => s.throttle("g1", 1, 20, 60_000, t0)));
    expect(first.filter((r) => r.ok)).toHaveLength(20);
    const refused = first.find((r) => !r.ok)!;
    expect(refused.remaining).toBe(0);
    expect(refused.retryMs).toBe(3000);
    expect(refused.resetMs).toBe(60_000);
    // Two seconds later, across the minute's edge: still nothing (a fixed window would admit 20 more).
    expect((await s.throttle("g1", 1, 20, 60_000, t0 + 2000)).ok).toBe(false);
    const later = await Promise.all(Array.from({ length: 5 }, () => s.throttle("g1", 1, 20, 60_000, t0 + 3000)));
    expect(later.filter((r) => r.ok)).toHaveLength(1);
    // A settlement gives units back (force, negative cost) or takes more than was reserved.
    await s.throttle("g1", -2, 20, 60_000, t0 + 3000, true);
    const back = await Promise.all(Array.from({ length: 5 }, () => s.throttle("g1", 1, 20, 60_000, t0 + 3000)));
    expect(back.filter((r) => r.ok)).toHaveLength(2);
    // A minute after the last take the bucket is full again.
    const full = await s.throttle("g1", 20, 20, 60_000, t0 + 63_000);
    expect(full).toMatchObject({ ok: true, remaining: 0 });
  });

  it("throttles token amounts: a bucket of 1,000 tokens a minute admits 300 + 300 + 300, not a fourth", async () => {
    const t0 = Date.parse("2026-11-22T10:00:00Z");
    const r = [];
    for (let i = 0; i < 4; i++) r.push(await s.throttle("g2", 300, 1000, 60_000, t0));
    expect(r.map((x) => x.ok)).toEqual([true, true, true, false]);
    expect(r[2]!.remaining).toBe(100);
    expect(r[3]!.retryMs).toBe(12_000);
  });

  it("sets values with and without expiry", async () => {
    await s.set("k", "v");
    expect(await s.get("k")).toBe("v");
    expect(await s.ttl("k")).toBeUndefined();
    await s.set("cool", "until", 60_000);
    expect(await s.get("cool")).toBe("until");
    expect(await s.ttl("cool")).toBeGreaterThan(0);
    // A value past its expiry is gone (polled: how soon the machine gets there is not the question).
    await s.set("brief", "until", 20);
    await expect.poll(() => s.get("brief"), { timeout: 5000, interval: 20 }).toBeUndefined();
    await s.del("k");
    expect(await s.get("k")).toBeUndefined();
  });

  it("reads several values in one step, each as get reads it (absent and expired ones undefined)", async () => {
    await s.set("m1", "one");
    await s.set("m3", "three", 60_000);
    await s.incr("m4", 7);
    expect(await s.getMany(["m1", "m2", "m3", "m4"])).toEqual(["one", undefined, "three", "7"]);
    // Once get reads a value as expired, getMany reads it so too.
    await s.set("m5", "five", 20);
    await expect.poll(() => s.get("m5"), { timeout: 5000, interval: 20 }).toBeUndefined();
    expect(await s.getMany(["m5", "m1"])).toEqual([undefined, "one"]);
    expect(await s.getMany([])).toEqual([]);
  });

  it("applies several writes in one step, each as incr, set and del would", async () => {
    await s.set("w-gone", "x");
    await s.incr("w-kept", 3, 60_000);
    await s.writeMany([
      // A new counter takes the TTL; one that exists keeps its own.
      { op: "incr", key: "w-new", delta: 2, ttlMs: 60_000 },
      { op: "incr", key: "w-kept", delta: -1, ttlMs: 1 },
      // A decrement neither makes an absent counter nor takes one below 0.
      { op: "incr", key: "w-absent", delta: -1, ttlMs: 60_000 },
      { op: "incr", key: "w-new", delta: -5 },
      { op: "set", key: "w-value", value: "12.5", ttlMs: 60_000 },
      { op: "set", key: "w-forever", value: "v" },
      { op: "del", key: "w-gone" },
    ]);
    expect(await s.getMany(["w-new", "w-kept", "w-absent", "w-value", "w-forever", "w-gone"])).toEqual([
      "0",
      "2",
      undefined,
      "12.5",
      "v",
      undefined,
    ]);
    expect(await s.ttl("w-new")).toBeGreaterThan(50_000);
    expect(await s.ttl("w-kept")).toBeGreaterThan(50_000);
    expect(await s.ttl("w-value")).toBeGreaterThan(50_000);
    expect(await s.ttl("w-forever")).toBeUndefined();
    await s.writeMany([]);
    // Later writes of one batch see the earlier ones, in order.
    await s.writeMany([
      { op: "set", key: "w-order", value: "first" },
      { op: "del", key: "w-order" },
      { op: "incr", key: "w-order2", delta: 1 },
      { op: "incr", key: "w-order2", delta: 1 },
    ]);
    expect(await s.getMany(["w-order", "w-order2"])).toEqual([undefined, "2"]);
  });

  it("refuses, before applying any of it, a batch with a replayed counter or a fractional amount", async () => {
    await expect(
      s.writeMany([
        { op: "set", key: "w-untouched", value: "1" },
        { op: "incr", key: "rpm:{key:k}", delta: 1 },
      ]),
    ).rejects.toThrow(/replayed/);
    await expect(
      s.writeMany([
        { op: "set", key: "w-untouched", value: "1" },
        { op: "incr", key: "w-f", delta: 0.5 },
      ]),
    ).rejects.toThrow(/integer/);
    expect(await s.get("w-untouched")).toBeUndefined();
  });

  it("lets exactly one of many callers take a probe slot", async () => {
    const took = await Promise.all(Array.from({ length: 20 }, (_, i) => s.setIfAbsent("probe", String(i), 1000)));
    expect(took.filter(Boolean)).toHaveLength(1);
    expect(await s.setIfAbsent("probe", "again", 1000)).toBe(false);
  });

  it("keeps a set: each member once, renewed expiry, gone when it expires", async () => {
    expect(await s.members("set1")).toEqual([]);
    await s.addMember("set1", "a", 60_000);
    await s.addMember("set1", "b", 60_000);
    await s.addMember("set1", "a", 60_000);
    expect((await s.members("set1")).sort()).toEqual(["a", "b"]);
    expect(await s.ttl("set1")).toBeGreaterThan(50_000);
    await s.addMember("set2", "x", 100);
    await sleep(250);
    expect(await s.members("set2")).toEqual([]);
  });

  it("refuses fractional amounts (both engines keep integers exactly)", async () => {
    await expect(s.incr("f", 0.5)).rejects.toThrow(/integer/);
    await expect(s.addWithin("f", 1, 1.5)).rejects.toThrow(/integer/);
  });
});

describe("two Redis clients with one prefix", () => {
  it("share every counter (two instances agree)", async () => {
    const p = prefix();
    const a = openHotState({ url: REDIS, prefix: p });
    const b = openHotState({ url: REDIS, prefix: p });
    try {
      await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).addWithin("rpm", 1, 20)));
      expect(await a.count("rpm")).toBe(20);
      expect(await b.count("rpm")).toBe(20);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("share a GCRA bucket exactly: 60 a minute across three instances admits 60, not 180", async () => {
    const p = prefix();
    const all = [0, 1, 2].map(() => openHotState({ url: REDIS, prefix: p }));
    try {
      const t = Date.now();
      const r = await Promise.all(Array.from({ length: 180 }, (_, i) => all[i % 3]!.throttle("rpm", 1, 60, 60_000, t)));
      expect(r.filter((x) => x.ok)).toHaveLength(60);
    } finally {
      for (const s of all) await s.close();
    }
  });

  it("are kept apart by different prefixes", async () => {
    const a = openHotState({ url: REDIS, prefix: prefix() });
    const b = openHotState({ url: REDIS, prefix: prefix() });
    try {
      await a.incr("x", 7);
      expect(await b.count("x")).toBe(0);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe("openHotState", () => {
  it("is memory without a URL", async () => {
    const s = openHotState();
    expect(s.engine).toBe("memory");
    await s.close();
  });
});
