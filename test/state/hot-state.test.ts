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

  it("gives a new counter its TTL once: later increments do not extend the window", async () => {
    await s.incr("w1", 1, 300);
    await sleep(150);
    await s.incr("w1", 1, 300);
    const left = await s.ttl("w1");
    expect(left).toBeDefined();
    expect(left!).toBeLessThanOrEqual(160);
    await sleep(250);
    expect(await s.count("w1")).toBe(0);
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

  it("sets values with and without expiry", async () => {
    await s.set("k", "v");
    expect(await s.get("k")).toBe("v");
    expect(await s.ttl("k")).toBeUndefined();
    await s.set("cool", "until", 100);
    expect(await s.get("cool")).toBe("until");
    expect(await s.ttl("cool")).toBeGreaterThan(0);
    await sleep(150);
    expect(await s.get("cool")).toBeUndefined();
    await s.del("k");
    expect(await s.get("k")).toBeUndefined();
  });

  it("lets exactly one of many callers take a probe slot", async () => {
    const took = await Promise.all(Array.from({ length: 20 }, (_, i) => s.setIfAbsent("probe", String(i), 1000)));
    expect(took.filter(Boolean)).toHaveLength(1);
    expect(await s.setIfAbsent("probe", "again", 1000)).toBe(false);
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
