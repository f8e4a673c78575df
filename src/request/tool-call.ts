/** An MCP tool call a request carried (POST /mcp with tools/call): what the request log keeps of it. */
export interface ToolCall {
  /** The upstream MCP server's name (a key of `mcp.servers`). */
  readonly server: string;
  /** The tool's own name on that server. */
  readonly tool: string;
  /** The MCP session it was made in (the Mcp-Session-Id). */
  readonly session?: string | undefined;
}
