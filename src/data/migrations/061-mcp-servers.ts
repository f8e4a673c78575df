import { migration } from "./migration.js";

/**
 * MCP servers added through the admin API (the configuration file's stay there), and the credentials keys and
 * teams hold for them (a developer's own GitHub token). Settings are JSON without their secrets; the values of
 * a server's env and headers are sealed with the master key (`sealed`, `key_version`), their names kept in the
 * clear (`secret_names`) so the API can say which are set. The `mcp` revision counter tells every instance
 * to read them again.
 */
export const m061 = migration("061_mcp_servers", async (s) => {
  await s.table(
    "mcp_servers",
    `name text primary key, settings text not null, secret_names text not null, sealed text, key_version text,
     created_at bigint not null, updated_at bigint not null`,
  );
  await s.table(
    "mcp_credentials",
    `subject text not null, server text not null, secret_names text not null, sealed text not null,
     key_version text not null, created_at bigint not null, updated_at bigint not null`,
    { key: ["subject", "server"], indexes: { mcp_credentials_server: "server" } },
  );
  await s.db.insertInto("revisions").values({ name: "mcp", value: 0 }).execute();
});
