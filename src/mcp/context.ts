import type { AuthInfo } from "@modelcontextprotocol/sdk/server/auth/types.js";
import type { Principal } from "../identity/principal.js";
import type { Trail } from "../request/trail.js";
import type { McpAccess } from "./access.js";

/** What a handler of an MCP request knows of the HTTP request that carried it. */
export interface CallContext {
  readonly principal: Principal;
  readonly access: McpAccess | undefined;
  readonly trail: Trail;
  readonly session: string | undefined;
  /**
   * Ends the HTTP answer that waits for a request the client cancelled (no result is sent for it, and the
   * stream would otherwise stay open until the client goes).
   */
  readonly endCancelled: (requestId: string | number) => void;
}

const CONTEXT = "llmux";

/** The context, carried to the SDK's handlers as the request's auth info (the SDK passes it through as is). */
export function authInfoOf(ctx: CallContext): AuthInfo {
  return { token: "", clientId: ctx.principal.owner, scopes: [], extra: { [CONTEXT]: ctx } };
}

export function contextOf(info: AuthInfo | undefined): CallContext {
  const ctx = info?.extra?.[CONTEXT] as CallContext | undefined;
  if (!ctx) throw new Error("an MCP request without its caller");
  return ctx;
}

/** The caller's MCP access rules (minted keys: the key's and its team's). */
export function accessOf(principal: Principal): McpAccess | undefined {
  return principal.mcp;
}
