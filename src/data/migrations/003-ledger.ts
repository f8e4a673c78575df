import type { Migration } from "./migration.js";

export const m003: Migration = {
  id: "003_ledger",
  async up(db) {
    await db.schema
      .createTable("ledger")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("at", "bigint", (c) => c.notNull())
      .addColumn("key_id", "text", (c) => c.notNull())
      .addColumn("team_id", "text")
      .addColumn("user_label", "text")
      .addColumn("alias", "text")
      .addColumn("provider", "text")
      .addColumn("deployment", "text")
      .addColumn("model", "text")
      .addColumn("client", "text")
      .addColumn("status", "integer", (c) => c.notNull())
      .addColumn("outcome", "text", (c) => c.notNull())
      .addColumn("input_tokens", "bigint", (c) => c.notNull())
      .addColumn("output_tokens", "bigint", (c) => c.notNull())
      .addColumn("cache_read_tokens", "bigint", (c) => c.notNull())
      .addColumn("cache_write_tokens", "bigint", (c) => c.notNull())
      .addColumn("reasoning_tokens", "bigint", (c) => c.notNull())
      .addColumn("cost_nanos", "bigint", (c) => c.notNull())
      .addColumn("estimated", "integer", (c) => c.notNull())
      .addColumn("latency_ms", "integer", (c) => c.notNull())
      .addColumn("ttft_ms", "integer")
      .execute();
    await db.schema.createIndex("ledger_at").on("ledger").column("at").execute();
    await db.schema.createIndex("ledger_key_at").on("ledger").columns(["key_id", "at"]).execute();
    await db.schema.createIndex("ledger_team_at").on("ledger").columns(["team_id", "at"]).execute();
  },
};
