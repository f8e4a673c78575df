import { z } from "zod";
import { type AdminModule, type AdminRoute, listOf, listRoute } from "./route.js";

export const McpServerView = z
  .object({
    name: z.string().describe("The server's name: the prefix of its tools (name__tool) and its endpoint /mcp/{name}."),
    source: z
      .enum(["config", "api"])
      .describe("config: the configuration file's; api: added through the admin API (changed and removed there)."),
    transport: z.enum(["stdio", "http", "sse"]),
    target: z.string().describe("stdio: the command (without its arguments); http, sse: the URL (without its query)."),
    status: z
      .enum(["connecting", "ready", "down", "closed", "unknown"])
      .describe("As this instance sees it (unknown: not served by this process, e.g. the CLI on the store)."),
    last_error: z.string().nullable().describe("Why it is down (no credentials)."),
    restarts: z.number().int().describe("Times this instance connected it again (a stdio server: restarted it)."),
    pid: z.number().int().nullable().describe("stdio: the process of this instance's copy."),
    tools: z
      .array(
        z.object({
          name: z.string().describe("The tool's own name on the server."),
          description: z.string().nullable(),
          offered: z.boolean().describe("Whether tools.allow / tools.deny offer it."),
          needs_approval: z.boolean(),
        }),
      )
      .describe("What the server lists (every tool, offered or not)."),
    prompts: z.number().int(),
    resources: z.number().int(),
  })
  .meta({ id: "McpServer" });

export const McpServerList = listOf(McpServerView, "McpServerList");

export type McpServerRow = z.infer<typeof McpServerView>;

/** `GET /admin/v1/mcp/servers`: the MCP servers (the file's and the API's), their health and their tools. */
export function mcpRoutes(list: () => Promise<McpServerRow[]>): AdminRoute[] {
  return [
    listRoute(
      "/admin/v1/mcp/servers",
      "Each MCP server: where it is defined, transport, health, restarts and the tools it lists",
      McpServerList,
      list,
    ),
  ];
}

/** The MCP servers as this instance serves them, read only: without MCP storage (src/admin/mcp-servers-route.ts). */
export const admin: AdminModule<{ mcp?: unknown; mcpServers?: (() => McpServerRow[]) | undefined }> = {
  needs: [],
  routes: (c) => (c.mcp ? [] : mcpRoutes(async () => c.mcpServers?.() ?? [])),
};
