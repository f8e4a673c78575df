import type { Migration } from "./migration.js";

export const m091: Migration = {
  id: "091_budget_unledgered",
  /**
   * A budget window's spend that no ledger row carries (`budget_windows.unledgered`): requests made with a
   * key of the configuration file, under a user or tag budget, have no ledger row (the ledger is per minted
   * key), so their settled cost moves from the lease to this column instead, in one transaction.
   */
  async up(db) {
    await db.schema
      .alterTable("budget_windows")
      .addColumn("unledgered", "bigint", (c) => c.notNull().defaultTo(0))
      .execute();
  },
};
