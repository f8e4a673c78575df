import type { Migration } from "./migration.js";

export const m090: Migration = {
  id: "090_budget_leases",
  /**
   * Budgets kept by the database (src/data/budget-leases.ts): `budget_leases`, the slices of a budget window
   * each instance holds (escrow), and `budget_windows`, one row per window that a lease takes a lock on so
   * that two grants in the same window are decided one after the other. The ledger's `lease_holder` and
   * `lease_at` name the lease a request was admitted under: its insert takes the row's cost off that lease in
   * the same transaction (the spend moves from the lease to the ledger, counted once). Rolling deploys: the
   * release before keeps its budgets in the hot state; upgrade the instances of a shared database together.
   */
  async up(db) {
    await db.schema.alterTable("ledger").addColumn("lease_holder", "text").execute();
    await db.schema.alterTable("ledger").addColumn("lease_at", "bigint").execute();
    await db.schema
      .createTable("budget_windows")
      .addColumn("scope", "text", (c) => c.notNull())
      .addColumn("subject", "text", (c) => c.notNull())
      .addColumn("window_start", "bigint", (c) => c.notNull())
      .addColumn("touched", "bigint", (c) => c.notNull())
      .addColumn("uncovered_holder", "text")
      .addColumn("uncovered_until", "bigint", (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint("budget_windows_pk", ["scope", "subject", "window_start"])
      .execute();
    await db.schema
      .createTable("budget_leases")
      .addColumn("scope", "text", (c) => c.notNull())
      .addColumn("subject", "text", (c) => c.notNull())
      .addColumn("window_start", "bigint", (c) => c.notNull())
      .addColumn("window_end", "bigint", (c) => c.notNull())
      .addColumn("holder", "text", (c) => c.notNull())
      .addColumn("nanos", "bigint", (c) => c.notNull())
      .addColumn("held", "bigint", (c) => c.notNull())
      .addColumn("expires_at", "bigint", (c) => c.notNull())
      .addColumn("orphan_until", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("budget_leases_pk", ["scope", "subject", "window_start", "holder"])
      .execute();
    await db.schema.createIndex("budget_leases_holder").on("budget_leases").column("holder").execute();
  },
};
