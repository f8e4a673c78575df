import { type BodyLimits, discardBody } from "../http/read-body.js";
import type { Principal } from "../identity/principal.js";
import { answerJson, type Exchange } from "../pipeline/exchange.js";
import { read } from "../pipeline/read.js";
import type { McpLoader } from "./mcp-loader.js";

/**
 * `/mcp`, `/mcp/{server}` once the caller is known: the servers added through the admin API read (the first
 * time), the body read within the limits, then the MCP endpoint.
 */
export async function serveMcp(
  loader: McpLoader | undefined,
  ex: Exchange,
  principal: Principal,
  scope: string | undefined,
  limits: BodyLimits,
): Promise<void> {
  const mcp = await loader?.ready();
  // Without servers, no session is opened (launchers ask this to know whether to register /mcp); sessions
  // opened before the last server was removed go on, with nothing to list.
  if (!mcp || (mcp.hub.size === 0 && ex.req.headers["mcp-session-id"] === undefined)) {
    discardBody(ex.req, limits);
    ex.trail.answer.reason = "no MCP servers are configured";
    return answerJson(ex, 404, {
      jsonrpc: "2.0",
      error: {
        code: -32001,
        message: "This llmux serves no MCP servers (none in mcp.servers, none added through the admin API).",
      },
      id: null,
    });
  }
  let body: unknown;
  if (ex.req.method === "POST") {
    const read_ = await read(ex, "openai-chat", limits);
    if (!read_) return;
    ex.trail.requestBytes = read_.raw.length;
    body = read_.json;
  } else discardBody(ex.req, limits);
  return mcp.endpoint.serve(ex, principal, scope, body);
}
