import type { Migration } from "./migration.js";

export const m041: Migration = {
  id: "041_tags",
  /**
   * A request's tags (`,project=checkout,cost-center=42,`: sorted, each matched whole with like) on the
   * request log and the ledger: spend grouped by tag, and tag budgets seeded from the ledger. Nullable.
   */
  async up(db) {
    for (const table of ["request_log", "ledger"])
      await db.schema.alterTable(table).addColumn("tags", "text").execute();
  },
};
