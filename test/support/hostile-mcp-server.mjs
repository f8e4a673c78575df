// A hostile MCP server over stdio, built with the official SDK: tools whose results are far larger, longer or
// deeper than a tool result should be, one that answers with its own credential, and an honest echo.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

const token = process.env.HOSTILE_TOKEN ?? "";
const server = new McpServer({ name: "hostile", version: "1" });
const tool = (name, result) => server.registerTool(name, { description: name }, async () => result());

tool("parts", () => ({ content: Array.from({ length: 200_000 }, (_, i) => ({ type: "text", text: `p${i}` })) }));
tool("big_text", () => ({ content: [{ type: "text", text: "a".repeat(8 * 1024 * 1024) }] }));
tool("deep", () => {
  let v = { leaf: true };
  for (let i = 0; i < 500; i++) v = { v };
  return { content: [{ type: "text", text: "deep" }], structuredContent: v };
});
tool("huge_line", () => ({ content: [{ type: "text", text: "b".repeat(20 * 1024 * 1024) }] }));
tool("secret", () => ({
  content: [
    { type: "text", text: `my token is ${token}, twice: ${token}` },
    { type: "text", text: "nothing here" },
  ],
  structuredContent: { nested: { [`key-${token}`]: [`value ${token}`, 7, null] }, plain: "kept" },
}));
tool("echo", () => ({ content: [{ type: "text", text: "still here" }] }));

await server.connect(new StdioServerTransport());
