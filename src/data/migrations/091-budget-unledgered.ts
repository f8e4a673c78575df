import { migration } from "./migration.js";

/**
 * A budget window's spend that no ledger row carries (`budget_windows.unledgered`): requests made with a
 * key of the configuration file, under a user or tag budget, have no ledger row (the ledger is per minted
 * key), so their settled cost moves from the lease to this column instead, in one transaction.
 */
export const m091 = migration("091_budget_unledgered", async (s) => {
  await s.add("budget_windows", "unledgered bigint not null default 0");
});
