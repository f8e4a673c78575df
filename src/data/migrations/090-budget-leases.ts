import { migration } from "./migration.js";

/**
 * Budgets kept by the database (src/data/budget-leases.ts): `budget_leases`, the slices of a budget window
 * each instance holds (escrow), and `budget_windows`, one row per window that a lease takes a lock on so
 * that two grants in the same window are decided one after the other. The ledger's `lease_holder` and
 * `lease_at` name the lease a request was admitted under: its insert takes the row's cost off that lease in
 * the same transaction (the spend moves from the lease to the ledger, counted once). Rolling deploys: the
 * release before keeps its budgets in the hot state; upgrade the instances of a shared database together.
 */
export const m090 = migration("090_budget_leases", async (s) => {
  await s.add("ledger", "lease_holder text, lease_at bigint");
  await s.table(
    "budget_windows",
    `scope text not null, subject text not null, window_start bigint not null, touched bigint not null,
     uncovered_holder text, uncovered_until bigint not null default 0`,
    { key: ["scope", "subject", "window_start"] },
  );
  await s.table(
    "budget_leases",
    `scope text not null, subject text not null, window_start bigint not null, window_end bigint not null,
     holder text not null, nanos bigint not null, held bigint not null, expires_at bigint not null,
     orphan_until bigint not null`,
    { key: ["scope", "subject", "window_start", "holder"], indexes: { budget_leases_holder: "holder" } },
  );
});
