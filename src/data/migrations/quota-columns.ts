import type { Kysely } from "kysely";

/** The budget and limits columns of keys and teams (as 002_identity made them). */
export const quota = (t: ReturnType<Kysely<unknown>["schema"]["createTable"]>) =>
  t.addColumn("budget_micros", "bigint").addColumn("budget_period", "text").addColumn("limits", "text");
