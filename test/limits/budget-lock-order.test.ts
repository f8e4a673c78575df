/**
 * A configuration file's key settling (its cost moved from its lease to the window's unledgered spend) while
 * a grant on the same window runs, on SQLite and PostgreSQL: both lock the window's row first, so neither
 * aborts the other (on PostgreSQL, the other order was a deadlock that lost the settled cost).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { budgetState, grantLease, settleUnledgered } from "../../src/data/budget-leases.js";
import { Data } from "../../src/data/data.js";
import { windowOf } from "../../src/limits/windows.js";
import { ENGINES, type TestLocation } from "../support/engines.js";

describe.each(ENGINES)("a settle and a grant at once on $engine", { timeout: 60_000 }, ({ fresh }) => {
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

  it("neither fails, and every settled cost is in the window's spend", async () => {
    const failures: string[] = [];
    const spent: number[] = [];
    for (let i = 0; i < 15; i++) {
      const w = { scope: "user" as const, subject: `u${i}`, ...windowOf("day", Date.now()) };
      const terms = { expiresAt: Date.now() + 60_000, orphanUntil: Date.now() + 120_000, held: 0 };
      expect(await grantLease(data, w, "h1", 100, 10_000, Date.now(), terms)).toBe(true);
      const r = await Promise.allSettled([
        settleUnledgered(data, w, "h1", 50),
        grantLease(data, w, "h1", 100, 10_000, Date.now(), terms),
        settleUnledgered(data, w, "h1", 30),
        grantLease(data, w, "h1", 100, 10_000, Date.now(), terms),
      ]);
      for (const x of r) if (x.status === "rejected") failures.push(String(x.reason));
      const st = await budgetState(data, w, "nobody", Date.now());
      spent.push(st.spent);
      // The lease: three grants of 100, less the 80 settled.
      expect(st.leased).toBe(220);
    }
    expect(failures).toEqual([]);
    expect(spent).toEqual(Array.from({ length: 15 }, () => 80));
  });
});
