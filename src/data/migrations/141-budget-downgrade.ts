import { migration } from "./migration.js";

/**
 * `budget_downgrade` on minted keys and teams: a soft budget's `{at, to}` as JSON (past `at` of the budget,
 * requests are served by the cheaper alias `to`); null: none. Nullable columns only: the release before
 * neither reads nor writes them (its keys keep their hard budgets).
 */
export const m141 = migration("141_budget_downgrade", async (s) => {
  await s.add("api_keys", "budget_downgrade text");
  await s.add("teams", "budget_downgrade text");
});
