/**
 * A budget window spends within its limit but for one request's overshoot, also when that overshoot has
 * happened: the window's one request admitted without its worst covered (uncovered) that spent past its hold
 * took it from the cover of the requests still in flight beside it, so no other uncovered request is admitted
 * after it, on that instance (its slice no longer covers what is in flight) or on another (the claim is kept,
 * and taken over only while the book's spend and leases fit the limit). Each step is driven by hand: one
 * instance on the memory book, two on the database's book (SQLite and PostgreSQL).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BudgetWindowRef, budgetState, claimUncovered } from "../../src/data/budget-leases.js";
import { Data } from "../../src/data/data.js";
import { dataBook, memoryBook } from "../../src/limits/budget-book.js";
import { Escrow, type Held, type Taken } from "../../src/limits/budget-escrow.js";
import { ENGINES, type TestLocation } from "../support/engines.js";

/** Each request holds 10 and may cost 100 at worst; the window's limit is 250. */
const NEED = 10;
const WORST = 100;
const LIMIT = 250;

const windowRef = (): BudgetWindowRef => ({
  scope: "key",
  subject: `k_${randomBytes(4).toString("hex")}`,
  start: Date.UTC(2026, 10, 26),
  end: Date.UTC(2026, 10, 27),
});

function held(t: Taken): Held {
  if (!t.ok) throw new Error(`refused: ${JSON.stringify({ ...t })}`);
  return t.held;
}

describe("one instance (the memory book)", () => {
  it("an uncovered request that spent its worst: no second one while the requests it spent the cover of are in flight", async () => {
    const escrow = new Escrow(memoryBook(), { waitMs: 300 });
    try {
      const w = windowRef();
      const r1 = held(await escrow.take(w, LIMIT, NEED, WORST));
      const r2 = held(await escrow.take(w, LIMIT, NEED, WORST));
      expect([r1.uncovered, r2.uncovered]).toEqual([false, false]);
      // The book has 50 left, less than a worst: the third is admitted as the window's one uncovered request.
      const u1 = held(await escrow.take(w, LIMIT, NEED, WORST));
      expect(u1.uncovered).toBe(true);
      escrow.settle(u1, WORST, false);
      // Its 100 came out of the cover of r1 and r2: a fourth would overshoot a second time.
      const u2 = await escrow.take(w, LIMIT, NEED, WORST);
      expect(u2.ok).toBe(false);
      escrow.settle(r1, WORST, false);
      escrow.settle(r2, WORST, false);
      // Spent: 300, within the limit and one request's overshoot (its cost less its hold); the window is over
      // its limit, so the next request is refused.
      expect((await escrow.take(w, LIMIT, NEED, WORST)).ok).toBe(false);
    } finally {
      escrow.close();
    }
  });
});

describe.each(ENGINES)("two instances on $engine", { timeout: 60_000 }, ({ fresh }) => {
  let where: TestLocation;
  let data: Data;
  beforeAll(async () => {
    where = await fresh();
    data = new Data({ path: where.path, ...(where.url ? { url: where.url } : {}) });
    await data.db();
  });
  afterAll(async () => {
    await data.close();
    await where.drop();
  });

  it("after one instance's uncovered request spent past its hold, the other admits no uncovered request", async () => {
    const a = new Escrow(dataBook(data), { waitMs: 300 });
    const b = new Escrow(dataBook(data), { waitMs: 300 });
    try {
      const w = windowRef();
      // a and b each lease a worst's slice (100 + 100 of 250) and admit one covered request on it.
      const r1 = held(await a.take(w, LIMIT, NEED, WORST));
      const r3 = held(await b.take(w, LIMIT, NEED, WORST));
      expect([r1.uncovered, r3.uncovered]).toEqual([false, false]);
      // 50 left in the book: a's next request is the window's one uncovered request.
      const u1 = held(await a.take(w, LIMIT, NEED, WORST));
      expect(u1.uncovered).toBe(true);
      // It spends its worst (its cost moved to the window's spend, as a settled request's is).
      a.settle(u1, WORST, false);
      await expect.poll(async () => (await budgetState(data, w, "nobody", Date.now())).spent).toBe(WORST);
      // b's next request finds no cover for its worst; uncovered, it would overshoot the limit a second time
      // (r1 and r3 may still spend their worst: 100 + 100 + 100 + 100 against 250).
      const u2 = await b.take(w, LIMIT, NEED, WORST);
      expect(u2.ok).toBe(false);
      a.settle(r1, WORST, false);
      b.settle(r3, WORST, false);
      await expect.poll(async () => (await budgetState(data, w, "nobody", Date.now())).spent).toBe(3 * WORST);
      // Once a's claim has lapsed, no one takes it over: the spend is past the limit. With room, one would.
      const later = Date.now() + 10 * 60_000;
      expect(await claimUncovered(data, w, "another", later, later + 1000, LIMIT)).toBe(false);
      expect(await claimUncovered(data, w, "another", later, later + 1000, 10 * LIMIT)).toBe(true);
    } finally {
      a.close();
      b.close();
    }
  });

  it("an uncovered request that spent within its lease lets go of the claim: the other instance may admit one", async () => {
    const a = new Escrow(dataBook(data), { waitMs: 300 });
    const b = new Escrow(dataBook(data), { waitMs: 300 });
    try {
      const w = windowRef();
      const r1 = held(await a.take(w, LIMIT, NEED, WORST));
      const r3 = held(await b.take(w, LIMIT, NEED, WORST));
      const u1 = held(await a.take(w, LIMIT, NEED, WORST));
      expect(u1.uncovered).toBe(true);
      // It spent only what it held: the slice still covers r1's worst.
      a.settle(u1, NEED, false);
      const u2 = held(await b.take(w, LIMIT, NEED, WORST));
      expect(u2.uncovered).toBe(true);
      for (const [e, h] of [
        [a, r1],
        [b, r3],
        [b, u2],
      ] as const)
        e.settle(h, NEED, false);
    } finally {
      a.close();
      b.close();
    }
  });
});
