import type { Migration } from "./migration.js";

export const m060: Migration = {
  id: "060_mcp",
  /**
   * The MCP gateway: a request-log row says which MCP server, tool and session a tool call went to; keys and
   * teams carry their MCP allow-lists (JSON `{servers?: globs, tools?: globs}`; null: every server and tool).
   * Nullable columns only: the release before neither reads nor writes them.
   */
  async up(db) {
    for (const column of ["mcp_server", "mcp_tool", "mcp_session"])
      await db.schema.alterTable("request_log").addColumn(column, "text").execute();
    for (const table of ["api_keys", "teams"]) await db.schema.alterTable(table).addColumn("mcp", "text").execute();
  },
};
