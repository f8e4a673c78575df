import { migration } from "./migration.js";

/**
 * The MCP gateway: a request-log row says which MCP server, tool and session a tool call went to; keys and
 * teams carry their MCP allow-lists (JSON `{servers?: globs, tools?: globs}`; null: every server and tool).
 * Nullable columns only: the release before neither reads nor writes them.
 */
export const m060 = migration("060_mcp", async (s) => {
  await s.add("request_log", "mcp_server text, mcp_tool text, mcp_session text");
  for (const table of ["api_keys", "teams"]) await s.add(table, "mcp text");
});
