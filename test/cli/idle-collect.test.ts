/**
 * A full collection once a served process falls idle after load (src/cli/idle-collect.ts).
 *
 * - When: the event loop's real use, read by the module, with the bytes held set by the test (V8 may collect
 *   on its own at any moment, so the real heap cannot say when the module should): once idle for two looks in a
 *   row and grown past the threshold; never while the loop is busy; not again while nothing new is held.
 * - What: the collection itself, on this process's real heap (V8's own figures): what a burst left is gone.
 */
import { afterEach, describe, expect, it } from "vitest";
import { collectGarbage, collectWhenIdle, heldBytes, type IdleCollector } from "../../src/cli/idle-collect.js";

const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let running: IdleCollector | undefined;
afterEach(() => running?.stop());

/** A collector looking every 50 ms at `held` (bytes the test sets), counting its collections. */
function watch(held: { bytes: number }) {
  const collections: { before: number; after: number }[] = [];
  running = collectWhenIdle({
    everyMs: 50,
    // A worker of the test runner, idle, reads 1–2 % busy at 50 ms (a served process at 5 s: far less).
    idleBelow: 0.05,
    growthBytes: 32 * MB,
    held: () => held.bytes,
    // What is still alive after a collection: more than at the start (caches filled meanwhile).
    collect: () => {
      held.bytes = 60 * MB;
    },
    collected: (before, after) => collections.push({ before, after }),
  });
  return collections;
}

describe("a full collection once idle after load", () => {
  it("comes once the loop is idle after the heap grew, and not again while nothing new is held", async () => {
    const held = { bytes: 20 * MB };
    const collections = watch(held);
    // Grown, but by less than the threshold: ten idle looks, nothing.
    held.bytes = 50 * MB;
    await sleep(500);
    expect(collections).toEqual([]);
    held.bytes = 200 * MB;
    await expect.poll(() => collections.length, { timeout: 5000, interval: 25 }).toBe(1);
    expect(collections[0]).toEqual({ before: 200 * MB, after: 60 * MB });
    // Idle, holding nothing new since (measured from what the collection left): ten more looks, no second one.
    await sleep(500);
    expect(collections).toHaveLength(1);
    // A later burst: collected again once idle.
    held.bytes = 120 * MB;
    await expect.poll(() => collections.length, { timeout: 5000, interval: 25 }).toBe(2);
  });

  it("never comes while the event loop is busy", async () => {
    const held = { bytes: 20 * MB };
    const collections = watch(held);
    held.bytes = 200 * MB;
    // Busy three quarters of the time: twelve looks, none idle.
    const busy = setInterval(() => {
      const until = performance.now() + 15;
      while (performance.now() < until);
    }, 20);
    try {
      await sleep(600);
      expect(collections).toEqual([]);
    } finally {
      clearInterval(busy);
    }
    await expect.poll(() => collections.length, { timeout: 5000, interval: 25 }).toBe(1);
  });

  it("frees what a burst left on this process's heap", () => {
    const box: { kept: unknown[] | undefined } = { kept: [] };
    // About 100 MB of small objects, alive long enough to be promoted to the old generation.
    for (let i = 0; i < 600_000; i++) box.kept?.push({ i, s: `request ${i}`, body: [i, i + 1] });
    const grown = heldBytes();
    box.kept = undefined;
    collectGarbage();
    expect(heldBytes()).toBeLessThan(grown - 32 * MB);
  });
});
