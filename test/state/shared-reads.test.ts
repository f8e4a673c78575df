/**
 * Reads the requests of one instance share while one is under way (src/state/shared-reads.ts): a deployment's
 * availability and a session's running cost. Under load many requests ask within one round trip and share it;
 * a write of the instance itself ends the sharing, so a request that starts after it reads anew. Both engines.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { addSessionCost, sessionCostSoFar } from "../../src/pipeline/cost-headers.js";
import type { Provider } from "../../src/providers/types.js";
import { type Deployment, routingOf } from "../../src/routing/deployments.js";
import { DeploymentHealth } from "../../src/routing/health.js";
import type { HotState } from "../../src/state/hot-state.js";
import { MemoryState } from "../../src/state/memory.js";
import { RedisState } from "../../src/state/redis.js";
import { SharedReads } from "../../src/state/shared-reads.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const ENGINES: { engine: string; open: () => HotState }[] = [
  { engine: "memory", open: () => new MemoryState() },
  {
    engine: "redis",
    open: () => new RedisState({ url: REDIS, prefix: `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:` }),
  },
];

const d: Deployment = { id: "p/m", name: "m", provider: { name: "p" } as Provider, model: "m", weight: 1 };
const routing = routingOf({ provider: "p" });
const events = { coolDown() {}, recovered() {} };

/**
 * A hot state whose reads are sent at once (their value is the store's at that moment) but answer only when
 * released: a read "under way" for as long as a test needs. Counts the reads sent.
 */
function held(state: HotState) {
  const gates: (() => void)[] = [];
  let sent = 0;
  const hold = <T>(read: Promise<T>): Promise<T> => {
    sent++;
    return new Promise<T>((resolve, reject) => gates.push(() => read.then(resolve, reject)));
  };
  const getMany = state.getMany.bind(state);
  const count = state.count.bind(state);
  state.getMany = (keys) => hold(getMany(keys));
  state.count = (key) => hold(count(key));
  return {
    sent: () => sent,
    release: () => {
      for (const g of gates.splice(0)) g();
    },
  };
}

let open: HotState[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

describe("SharedReads", () => {
  it("shares a read under way, reads anew once it is done, and after a write", async () => {
    const reads = new SharedReads<number>();
    let fetched = 0;
    let value = 1;
    const gates: (() => void)[] = [];
    const fetch = () => {
      fetched++;
      const v = value;
      return new Promise<number>((r) => gates.push(() => r(v)));
    };
    const a = reads.read("k", fetch);
    const b = reads.read("k", fetch);
    const other = reads.read("j", fetch);
    expect(b).toBe(a);
    expect(other).not.toBe(a);
    expect(fetched).toBe(2);
    value = 2;
    await reads.wrote("k", Promise.resolve());
    const c = reads.read("k", fetch);
    expect(c).not.toBe(a);
    for (const g of gates.splice(0)) g();
    expect([await a, await b, await c]).toEqual([1, 1, 2]);
    // Done: the next read is a new one.
    reads.read("k", fetch);
    expect(fetched).toBe(4);
    for (const g of gates.splice(0)) g();
  });

  it("does not share a failed read after it failed", async () => {
    const reads = new SharedReads<number>();
    const failing = reads.read("k", () => Promise.reject(new Error("down")));
    await expect(failing).rejects.toThrow("down");
    await expect(reads.read("k", () => Promise.resolve(7))).resolves.toBe(7);
  });
});

describe.each(ENGINES)("shared reads on $engine", ({ open: openState }) => {
  it("a deployment's availability: one read for the requests that ask while it is under way", async () => {
    const state = openState();
    open.push(state);
    const h = held(state);
    const health = new DeploymentHealth(state, events);
    const asks = Array.from({ length: 20 }, () => health.availability(d));
    expect(h.sent()).toBe(1);
    h.release();
    expect(await Promise.all(asks)).toEqual(Array(20).fill("ok"));
    // Done: the next request reads again.
    const next = health.availability(d);
    expect(h.sent()).toBe(2);
    h.release();
    expect(await next).toBe("ok");
  });

  it("a deployment's availability: a request after the instance cooled it reads anew and sees the cooldown", async () => {
    const state = openState();
    open.push(state);
    const h = held(state);
    const health = new DeploymentHealth(state, events);
    const before = health.availability(d);
    await health.failed(d, routing, { class: "rate_limited", retryAfterMs: 60_000 }, false);
    const after = health.availability(d);
    expect(h.sent()).toBe(2);
    h.release();
    expect(await before).toBe("ok");
    expect(await after).toBe("cooling");
  });

  it("a session's running cost: shared while under way, read anew after the session's own settlement", async () => {
    const state = openState();
    open.push(state);
    const h = held(state);
    const first = sessionCostSoFar(state, "owner-1", "s-1");
    const same = sessionCostSoFar(state, "owner-1", "s-1");
    const otherSession = sessionCostSoFar(state, "owner-1", "s-2");
    const otherOwner = sessionCostSoFar(state, "owner-2", "s-1");
    expect(h.sent()).toBe(3);
    expect(same).toBe(first);
    addSessionCost(state, "owner-1", "s-1", 5_000);
    // The settlement is sent before any later read (one connection, in order), so the next read sees it.
    const after = sessionCostSoFar(state, "owner-1", "s-1");
    expect(h.sent()).toBe(4);
    h.release();
    expect(await first).toBe(0);
    expect(await otherSession).toBe(0);
    expect(await otherOwner).toBe(0);
    expect(await after).toBe(5_000);
    // No session: nothing is read.
    expect(await sessionCostSoFar(state, "owner-1", undefined)).toBeUndefined();
    expect(h.sent()).toBe(4);
  });
});
