import type { Migration } from "./migration.js";

export const m005: Migration = {
  id: "005_upstream_owners",
  async up(db) {
    // Who made each response (and output item) an upstream keeps for llmux's account: the first claim wins.
    await db.schema
      .createTable("upstream_owners")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("owner", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("upstream_owners_created").on("upstream_owners").column("created_at").execute();
  },
};
