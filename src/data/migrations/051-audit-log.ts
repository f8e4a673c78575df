import type { Migration } from "./migration.js";

export const m051: Migration = {
  id: "051_audit_log",
  /**
   * The audit log: every change made through the admin API, the CLI and the web UI (keys, teams, credentials,
   * sign-ins), who made it, from where, and what it changed (before and after, never a secret). Rows are only
   * ever added: nothing in llmux updates or deletes them.
   */
  async up(db) {
    await db.schema
      .createTable("audit_log")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("at", "bigint", (c) => c.notNull())
      .addColumn("actor", "text", (c) => c.notNull())
      .addColumn("via", "text", (c) => c.notNull())
      .addColumn("source", "text", (c) => c.notNull())
      .addColumn("address", "text")
      .addColumn("action", "text", (c) => c.notNull())
      .addColumn("target_type", "text")
      .addColumn("target_id", "text")
      .addColumn("target_name", "text")
      .addColumn("team_id", "text")
      .addColumn("outcome", "text", (c) => c.notNull())
      .addColumn("before", "text")
      .addColumn("after", "text")
      .execute();
    await db.schema.createIndex("audit_log_at").on("audit_log").columns(["at", "id"]).execute();
    await db.schema.createIndex("audit_log_target").on("audit_log").columns(["target_id", "at"]).execute();
  },
};
