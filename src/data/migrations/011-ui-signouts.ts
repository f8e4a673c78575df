import { migration } from "./migration.js";

/** Web UI sign-ins ended by signing out, by a digest of their cookie, until the cookie would have expired. */
export const m011 = migration("011_ui_signouts", async (s) => {
  await s.table("ui_signouts", "digest text primary key, until bigint not null", {
    indexes: { ui_signouts_until: "until" },
  });
});
