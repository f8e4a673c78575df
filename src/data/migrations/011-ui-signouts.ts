import type { Migration } from "./migration.js";

export const m011: Migration = {
  id: "011_ui_signouts",
  async up(db) {
    // Web UI sign-ins ended by signing out, by a digest of their cookie, until the cookie would have expired.
    await db.schema
      .createTable("ui_signouts")
      .addColumn("digest", "text", (c) => c.primaryKey())
      .addColumn("until", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("ui_signouts_until").on("ui_signouts").column("until").execute();
  },
};
