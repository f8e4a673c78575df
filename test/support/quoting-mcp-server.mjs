// A stdio MCP server (the official SDK's low-level Server) whose one tool fails with a JSON-RPC error quoting
// the token in its environment, as a careless server's error would: for the tests that llmux never writes it.
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from "@modelcontextprotocol/sdk/types.js";

const server = new Server({ name: "quoting", version: "1.0.0" }, { capabilities: { tools: {} } });
server.setRequestHandler(ListToolsRequestSchema, async () => ({
  tools: [{ name: "fail", description: "Fails, quoting its token.", inputSchema: { type: "object", properties: {} } }],
}));
server.setRequestHandler(CallToolRequestSchema, async () => {
  throw new McpError(ErrorCode.InternalError, `upstream refused the token ${process.env.SERVER_TOKEN}`);
});
await server.connect(new StdioServerTransport());
