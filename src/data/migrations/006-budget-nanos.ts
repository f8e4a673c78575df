import { migration } from "./migration.js";

/**
 * One money unit: budgets in integer nano-dollars (`budget_nanos`), as costs and spend already are,
 * backfilled from `budget_micros` × 1000. Rolling deploys: the release before reads and writes only
 * `budget_micros`, so this release keeps writing `budget_micros` too (the same budget, rounded to the
 * micro-dollar) and, where the two disagree, reads `budget_micros` (the release before changed that budget
 * since): see src/data/quota.ts. Once no instance of the release before is left, a later release can stop
 * writing `budget_micros`, and only then read `budget_nanos` alone.
 */
export const m006 = migration("006_budget_nanos", async (s) => {
  for (const table of ["api_keys", "teams"]) {
    await s.add(table, "budget_nanos bigint");
    await s.db
      .updateTable(table)
      .set((eb) => ({ budget_nanos: eb("budget_micros", "*", 1000) }))
      .where("budget_micros", "is not", null)
      .execute();
  }
});
