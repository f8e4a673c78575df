import type { Migration } from "./migration.js";

export const m061: Migration = {
  id: "061_mcp_servers",
  /**
   * MCP servers added through the admin API (the configuration file's stay there), and the credentials keys and
   * teams hold for them (a developer's own GitHub token). Settings are JSON without their secrets; the values of
   * a server's env and headers are sealed with the master key (`sealed`, `key_version`), their names kept in the
   * clear (`secret_names`) so the API can say which are set. The `mcp` revision counter tells every instance
   * to read them again.
   */
  async up(db) {
    await db.schema
      .createTable("mcp_servers")
      .addColumn("name", "text", (c) => c.primaryKey())
      .addColumn("settings", "text", (c) => c.notNull())
      .addColumn("secret_names", "text", (c) => c.notNull())
      .addColumn("sealed", "text")
      .addColumn("key_version", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("mcp_credentials")
      .addColumn("subject", "text", (c) => c.notNull())
      .addColumn("server", "text", (c) => c.notNull())
      .addColumn("secret_names", "text", (c) => c.notNull())
      .addColumn("sealed", "text", (c) => c.notNull())
      .addColumn("key_version", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("mcp_credentials_pk", ["subject", "server"])
      .execute();
    await db.schema.createIndex("mcp_credentials_server").on("mcp_credentials").column("server").execute();
    await db.insertInto("revisions").values({ name: "mcp", value: 0 }).execute();
  },
};
