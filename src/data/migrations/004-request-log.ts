import type { Migration } from "./migration.js";

export const m004: Migration = {
  id: "004_request_log",
  async up(db, engine) {
    const real = engine === "postgres" ? "double precision" : "real";
    await db.schema
      .createTable("request_log")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("at", "bigint", (c) => c.notNull())
      .addColumn("key_id", "text")
      .addColumn("key_name", "text")
      .addColumn("team_id", "text")
      .addColumn("user_label", "text")
      .addColumn("method", "text", (c) => c.notNull())
      .addColumn("path", "text", (c) => c.notNull())
      .addColumn("client_dialect", "text")
      .addColumn("client_tool", "text")
      .addColumn("requested_model", "text")
      .addColumn("alias", "text")
      .addColumn("provider", "text")
      .addColumn("deployment", "text")
      .addColumn("model", "text")
      .addColumn("stream", "integer")
      .addColumn("status", "integer", (c) => c.notNull())
      .addColumn("outcome", "text", (c) => c.notNull())
      .addColumn("error_class", "text")
      .addColumn("reason", "text")
      .addColumn("latency_ms", real, (c) => c.notNull())
      .addColumn("ttft_ms", real)
      .addColumn("overhead_ms", real)
      .addColumn("input_tokens", "bigint", (c) => c.notNull())
      .addColumn("output_tokens", "bigint", (c) => c.notNull())
      .addColumn("cache_read_tokens", "bigint", (c) => c.notNull())
      .addColumn("cache_write_tokens", "bigint", (c) => c.notNull())
      .addColumn("reasoning_tokens", "bigint", (c) => c.notNull())
      .addColumn("estimated", "integer", (c) => c.notNull())
      .addColumn("cost_nanos", "bigint", (c) => c.notNull())
      .addColumn("attempts", "integer", (c) => c.notNull())
      .addColumn("route", "text")
      .addColumn("warnings", "text")
      .addColumn("has_bodies", "integer", (c) => c.notNull())
      .execute();
    // The list is read newest first, by time then id (a keyset cursor); per key and per team the same way.
    await db.schema.createIndex("request_log_at").on("request_log").columns(["at", "id"]).execute();
    await db.schema.createIndex("request_log_key_at").on("request_log").columns(["key_id", "at", "id"]).execute();
    await db.schema.createIndex("request_log_team_at").on("request_log").columns(["team_id", "at", "id"]).execute();
    await db.schema
      .createTable("request_bodies")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("at", "bigint", (c) => c.notNull())
      .addColumn("data", engine === "postgres" ? "bytea" : "blob", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("request_bodies_at").on("request_bodies").columns(["at", "id"]).execute();
  },
};
