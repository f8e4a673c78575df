import type { Migration } from "./migration.js";
import { quota } from "./quota-columns.js";

export const m002: Migration = {
  id: "002_identity",
  async up(db) {
    await quota(
      db.schema
        .createTable("teams")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull().unique())
        .addColumn("models", "text"),
    )
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();
    await quota(
      db.schema
        .createTable("api_keys")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("prefix", "text", (c) => c.notNull())
        .addColumn("hash", "text", (c) => c.notNull().unique())
        .addColumn("previous_hash", "text")
        .addColumn("previous_until", "bigint")
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("user_label", "text")
        .addColumn("team_id", "text", (c) => c.references("teams.id"))
        .addColumn("models", "text")
        .addColumn("expires_at", "bigint")
        .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("revoked_at", "bigint"),
    )
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("api_keys_previous").on("api_keys").column("previous_hash").execute();
    await db.schema.createIndex("api_keys_team").on("api_keys").column("team_id").execute();
    await db.schema
      .createTable("credentials")
      .addColumn("key_id", "text", (c) => c.notNull().references("api_keys.id"))
      .addColumn("provider", "text", (c) => c.notNull())
      .addColumn("sealed", "text", (c) => c.notNull())
      .addColumn("key_version", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("credentials_pk", ["key_id", "provider"])
      .execute();
    await db.schema
      .createTable("revisions")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("value", "bigint", (c) => c.notNull())
      .execute();
    await db.insertInto("revisions").values({ name: "identity", value: 0 }).execute();
  },
};
