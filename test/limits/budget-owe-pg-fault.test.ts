/**
 * The window's one uncovered request spent past its hold while its instance was cut from PostgreSQL (a TCP
 * proxy the test controls): what it owes cannot be written, so the instance keeps the claim; meanwhile no other
 * instance admits an uncovered request, not even once the claim has lapsed (its holder's lease still counts).
 * Once the database answers again, the next renewal writes what is owed and lets the claim go.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type BudgetWindowRef, budgetState, claimUncovered } from "../../src/data/budget-leases.js";
import { dataBook } from "../../src/limits/budget-book.js";
import { Escrow, type Held, type Taken } from "../../src/limits/budget-escrow.js";
import { pgThroughProxyForTests } from "../support/pg-through-proxy.js";

/** Each request holds 10 and may cost 100 at worst; the window's limit is 250. */
const NEED = 10;
const WORST = 100;
const LIMIT = 250;

function held(t: Taken): Held {
  if (!t.ok) throw new Error(`refused: ${JSON.stringify({ ...t })}`);
  return t.held;
}

describe("an owed overshoot while PostgreSQL is cut", { timeout: 60_000 }, () => {
  const db = pgThroughProxyForTests();

  it("keeps the claim while it cannot write what it owes, then writes it and lets go", async () => {
    const a = new Escrow(dataBook(db.viaProxy), { waitMs: 300 });
    const b = new Escrow(dataBook(db.direct), { waitMs: 300 });
    const w: BudgetWindowRef = {
      scope: "key",
      subject: `k_${randomBytes(4).toString("hex")}`,
      start: Date.UTC(2026, 10, 26),
      end: Date.UTC(2026, 10, 27),
    };
    try {
      const r1 = held(await a.take(w, LIMIT, NEED, WORST));
      // a's ticks from here on are this test's own.
      a.close();
      const r3 = held(await b.take(w, LIMIT, NEED, WORST));
      const u1 = held(await a.take(w, LIMIT, NEED, WORST));
      expect(u1.uncovered).toBe(true);
      db.pg.cut();
      // It spends its worst, 90 past its hold, out of r1's cover; a cannot tell the database (its ledger row
      // would wait in the journal likewise).
      a.settle(u1, WORST, true);
      for (let i = 0; i < 5; i++) await a.tick();
      const st = await budgetState(db.direct, w, "nobody", Date.now());
      expect(st).toEqual({ spent: 0, leased: 210, mine: 0 });
      // b leases room for an uncovered request's hold beside r3's worst (10 more), but not its claim: a keeps it.
      expect((await b.take(w, LIMIT, NEED, WORST)).ok).toBe(false);
      expect((await budgetState(db.direct, w, "nobody", Date.now())).leased).toBe(220);
      // Nor is it taken over once it lapsed: a's lease still counts (its shortfall is not written).
      const lapsed = Date.now() + 31_000;
      expect(await claimUncovered(db.direct, w, "another", lapsed, lapsed + 1000, 10 * LIMIT)).toBe(false);
      db.pg.restore();
      // The next renewal writes what a owes (90) beyond the limit, then lets the claim go.
      await expect
        .poll(
          async () => {
            for (let i = 0; i < 5; i++) await a.tick();
            return (await budgetState(db.direct, w, "nobody", Date.now())).leased;
          },
          { timeout: 20_000, interval: 200 },
        )
        .toBe(220 + 90);
      await expect
        .poll(() => claimUncovered(db.direct, w, "probe", Date.now(), Date.now() + 1, 10 * LIMIT), { timeout: 20_000 })
        .toBe(true);
      a.settle(r1, NEED, false);
      b.settle(r3, NEED, false);
    } finally {
      db.pg.restore();
      a.close();
      b.close();
    }
  });
});
