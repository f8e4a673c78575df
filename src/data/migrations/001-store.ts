import type { Migration } from "./migration.js";

export const m001: Migration = {
  id: "001_store",
  async up(db) {
    await db.schema
      .createTable("meta")
      .ifNotExists()
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("value", "text", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("responses")
      .ifNotExists()
      .addColumn("owner", "text", (c) => c.notNull())
      .addColumn("id", "text", (c) => c.notNull())
      .addColumn("previous_id", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("input", "text", (c) => c.notNull())
      .addColumn("response", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("responses_pk", ["owner", "id"])
      .execute();
    await db.schema.createIndex("responses_created").ifNotExists().on("responses").column("created_at").execute();
    await db.schema
      .createTable("items")
      .ifNotExists()
      .addColumn("owner", "text", (c) => c.notNull())
      .addColumn("id", "text", (c) => c.notNull())
      .addColumn("response_id", "text", (c) => c.notNull())
      .addColumn("item", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("items_pk", ["owner", "id"])
      .execute();
    await db.schema.createIndex("items_response").ifNotExists().on("items").columns(["owner", "response_id"]).execute();
    await db.schema
      .createTable("reasoning")
      .ifNotExists()
      .addColumn("key", "text", (c) => c.primaryKey())
      .addColumn("value", "text", (c) => c.notNull())
      .addColumn("expires_at", "bigint", (c) => c.notNull())
      .addColumn("used_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("reasoning_used").ifNotExists().on("reasoning").column("used_at").execute();
  },
};
