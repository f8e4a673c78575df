import { migration } from "./migration.js";

/**
 * A request's tags (`,project=checkout,cost-center=42,`: sorted, each matched whole with like) on the
 * request log and the ledger: spend grouped by tag, and tag budgets seeded from the ledger. Nullable.
 */
export const m041 = migration("041_tags", async (s) => {
  for (const table of ["request_log", "ledger"]) await s.add(table, "tags text");
});
