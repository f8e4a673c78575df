import type { Migration } from "./migration.js";

export const m043: Migration = {
  id: "043_alerts",
  /**
   * The alerts llmux pushed (GET /admin/v1/alerts): one row per alert, written by the instance that claimed it,
   * with how each destination took it. Never a destination's URL or secret. A new table: the release before
   * neither reads nor writes it.
   */
  async up(db) {
    await db.schema
      .createTable("alerts")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("at", "bigint", (c) => c.notNull())
      .addColumn("rule", "text", (c) => c.notNull())
      .addColumn("scope", "text", (c) => c.notNull())
      .addColumn("subject", "text", (c) => c.notNull())
      .addColumn("window_start", "text", (c) => c.notNull())
      .addColumn("message", "text", (c) => c.notNull())
      .addColumn("fields", "text")
      .addColumn("deliveries", "text", (c) => c.notNull())
      .addColumn("state", "text", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("alerts_at").on("alerts").columns(["at", "id"]).execute();
  },
};
