/**
 * A budget window spends within its limit but for one request's overshoot (its cost less its hold), also once
 * that overshoot has happened. The window's one request admitted without its worst covered (uncovered) holds
 * only beside the worst of every other request in flight on its slice; what it spends past its hold comes out
 * of their cover, and is then owed to the book (added to its lease beyond the limit), so no later grant or
 * claim, on that instance or another, is decided as if it had not happened. Each step is driven by hand: one
 * instance on the memory book, two on the database's book (SQLite and PostgreSQL).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BudgetWindowRef, budgetState, claimUncovered } from "../../src/data/budget-leases.js";
import { Data } from "../../src/data/data.js";
import { type BudgetBook, dataBook, memoryBook } from "../../src/limits/budget-book.js";
import { Escrow, type Held, type Taken } from "../../src/limits/budget-escrow.js";
import { ENGINES, type TestLocation } from "../support/engines.js";

/** Each request holds 10 and may cost 100 at worst. */
const NEED = 10;
const WORST = 100;

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
    const limit = 250;
    const escrow = new Escrow(memoryBook(), { waitMs: 300 });
    try {
      const w = windowRef();
      const r1 = held(await escrow.take(w, limit, NEED, WORST));
      const r2 = held(await escrow.take(w, limit, NEED, WORST));
      expect([r1.uncovered, r2.uncovered]).toEqual([false, false]);
      // The book has 50 left, less than a worst: the third is admitted as the window's one uncovered request.
      const u1 = held(await escrow.take(w, limit, NEED, WORST));
      expect(u1.uncovered).toBe(true);
      escrow.settle(u1, WORST, false);
      // Its 100 came out of the cover of r1 and r2: a fourth would overshoot a second time.
      expect((await escrow.take(w, limit, NEED, WORST)).ok).toBe(false);
      escrow.settle(r1, WORST, false);
      escrow.settle(r2, WORST, false);
      // Spent 300: the limit and u1's overshoot (90). The window is past its limit: the next is refused.
      expect((await escrow.take(w, limit, NEED, WORST)).ok).toBe(false);
    } finally {
      escrow.close();
    }
  });

  it("an uncovered request's hold does not come out of the cover of the requests in flight", async () => {
    // 200: two covered requests' worst and nothing more. A third, uncovered, that spent only its hold would
    // still take the window past its limit if r1 and r2 spent their worst.
    const limit = 200;
    const escrow = new Escrow(memoryBook(), { waitMs: 300 });
    try {
      const w = windowRef();
      const r1 = held(await escrow.take(w, limit, NEED, WORST));
      const r2 = held(await escrow.take(w, limit, NEED, WORST));
      expect((await escrow.take(w, limit, NEED, WORST)).ok).toBe(false);
      escrow.settle(r1, WORST, false);
      escrow.settle(r2, WORST, false);
    } finally {
      escrow.close();
    }
  });
});

describe.each(ENGINES)("two instances on $engine", { timeout: 60_000 }, ({ fresh }) => {
  const limit = 250;
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
  const state = (w: BudgetWindowRef) => budgetState(data, w, "nobody", Date.now());

  it("after one instance's uncovered request spent past its hold, the other admits no uncovered request", async () => {
    const a = new Escrow(dataBook(data), { waitMs: 300 });
    const b = new Escrow(dataBook(data), { waitMs: 300 });
    try {
      const w = windowRef();
      // a and b each lease a worst's slice (100 + 100 of 250) and admit one covered request on it.
      const r1 = held(await a.take(w, limit, NEED, WORST));
      const r3 = held(await b.take(w, limit, NEED, WORST));
      expect([r1.uncovered, r3.uncovered]).toEqual([false, false]);
      // 50 left in the book: a's next request is the window's one uncovered request (its hold leased beside r1's
      // worst).
      const u1 = held(await a.take(w, limit, NEED, WORST));
      expect(u1.uncovered).toBe(true);
      // Its claim, once lapsed (a cut from the database for 31 s), is not taken over while a's lease counts: what
      // a may owe is not written yet.
      const lapsed = Date.now() + 31_000;
      expect(await claimUncovered(data, w, "another", lapsed, lapsed + 1000, 10 * limit)).toBe(false);
      // It spends its worst (its cost moved to the window's spend, as a settled request's is): 90 past its hold,
      // out of r1's cover, which a's lease now owes beyond the limit.
      a.settle(u1, WORST, false);
      await expect
        .poll(async () => await state(w), { timeout: 10_000 })
        .toEqual({ spent: WORST, leased: 200, mine: 0 });
      // Owed, the claim is let go: with room, another holder could take it at once.
      await expect
        .poll(() => claimUncovered(data, w, "probe", Date.now(), Date.now() + 1, 10 * limit), { timeout: 10_000 })
        .toBe(true);
      // b's next request finds no cover for its worst; uncovered, it would overshoot the limit a second time
      // (r1 and r3 may still spend their worst: 100 + 100 + 100 + 100 against 250).
      expect((await b.take(w, limit, NEED, WORST)).ok).toBe(false);
      // Nor can anyone claim for a new uncovered request: the spend (100) is within the limit, the spend and the
      // leases (300) are not. With room, one could.
      const now = Date.now();
      expect(await claimUncovered(data, w, "another", now, now + 1000, limit)).toBe(false);
      expect(await claimUncovered(data, w, "another", now, now + 1000, 300)).toBe(true);
      a.settle(r1, WORST, false);
      b.settle(r3, WORST, false);
      await expect.poll(async () => (await state(w)).spent, { timeout: 10_000 }).toBe(3 * WORST);
    } finally {
      a.close();
      b.close();
    }
  });

  it("a release of the claim that failed is sent again at the next renewal", async () => {
    const book = dataBook(data);
    let failures = 1;
    const flaky: BudgetBook = {
      ...book,
      unclaim: async (...a) => {
        if (failures-- > 0) throw new Error("the database did not answer");
        return book.unclaim(...a);
      },
    };
    const a = new Escrow(flaky, { waitMs: 300 });
    try {
      const w = windowRef();
      const r1 = held(await a.take(w, limit, NEED, WORST));
      // Its ticks from here on are this test's own (the window's slot is made: no timer starts again).
      a.close();
      held(await a.take(w, limit, NEED, WORST));
      const u1 = held(await a.take(w, limit, NEED, WORST));
      expect(u1.uncovered).toBe(true);
      // It spent its hold only: nothing owed, the claim is let go, and that release fails.
      a.settle(u1, NEED, false);
      await expect.poll(() => failures, { timeout: 10_000 }).toBe(0);
      const now = Date.now();
      expect(await claimUncovered(data, w, "probe", now, now + 1, 10 * limit)).toBe(false);
      // The next renewal (every fifth tick) sends it again.
      for (let i = 0; i < 5; i++) await a.tick();
      await expect
        .poll(() => claimUncovered(data, w, "probe", Date.now(), Date.now() + 1, 10 * limit), { timeout: 10_000 })
        .toBe(true);
      a.settle(r1, NEED, false);
    } finally {
      a.close();
    }
  });

  it("an uncovered request that spent within its hold lets go of the claim: the other instance may admit one", async () => {
    const a = new Escrow(dataBook(data), { waitMs: 300 });
    const b = new Escrow(dataBook(data), { waitMs: 5000 });
    try {
      const w = windowRef();
      const r1 = held(await a.take(w, limit, NEED, WORST));
      const r3 = held(await b.take(w, limit, NEED, WORST));
      const u1 = held(await a.take(w, limit, NEED, WORST));
      expect(u1.uncovered).toBe(true);
      // It spent only what it held: the slice still covers r1's worst, nothing is owed.
      a.settle(u1, NEED, false);
      const u2 = held(await b.take(w, limit, NEED, WORST));
      expect(u2.uncovered).toBe(true);
      await expect.poll(async () => (await state(w)).leased, { timeout: 10_000 }).toBe(220 - NEED);
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
