/**
 * Self-service for keys' own MCP credentials (`/admin/v1/me/mcp…`): a developer signed in with their own
 * minted key sets, lists and removes the key's own credential for a server (their GitHub token), without handing
 * it to an administrator. Stored encrypted, never answered, audited as the key's change.
 */
import type { z } from "zod";
import { keySubject } from "../data/mcp-credentials.js";
import { serverAllowed } from "../mcp/access.js";
import type { McpAdminDeps } from "./mcp-admin-deps.js";
import { credentialSetter, credentialView, type Show } from "./mcp-credentials-route.js";
import { McpCredential, McpCredentialDeleted, McpCredentialList, McpOwnCredentialSet } from "./mcp-schemas.js";
import { AdminError, type AdminRoute, type RouteInput } from "./route.js";

function keyOf(input: RouteInput): string {
  if (!input.self?.keyId)
    throw new AdminError(403, "this self-service route takes a minted key (lx-…), not an admin key or a sign-in");
  return input.self.keyId;
}

export function meMcpRoutes(d: McpAdminDeps, show: Show): AdminRoute[] {
  const set = credentialSetter(d);
  const path = "/admin/v1/me/mcp/servers/{id}/credentials";
  return [
    {
      method: "GET",
      path: "/admin/v1/me/mcp/credentials",
      summary: "The signed-in key's own MCP credentials, by server (never the values)",
      auth: "self",
      status: 200,
      answer: McpCredentialList,
      run: async (input) => ({ data: (await d.credentials.ofSubject(keySubject(keyOf(input)))).map(credentialView) }),
    },
    {
      method: "POST",
      path,
      summary: "Set the signed-in key's own credential for an MCP server (stored encrypted, never answered)",
      auth: "self",
      audit: { action: "mcp_credential.set", target: "mcp_server" },
      body: McpOwnCredentialSet,
      status: 201,
      answer: McpCredential,
      byId: true,
      run: async (input) => {
        const keyId = keyOf(input);
        const server = await show(input.params.id!);
        if (!server) return undefined;
        if (!serverAllowed(input.self?.mcp, server.name))
          throw new AdminError(403, `The MCP server '${server.name}' is not allowed for this API key.`);
        return set(server, keySubject(keyId), input.body as z.infer<typeof McpOwnCredentialSet>);
      },
    },
    {
      method: "DELETE",
      path,
      summary: "Remove the signed-in key's own credential for an MCP server",
      auth: "self",
      audit: { action: "mcp_credential.delete", target: "mcp_server" },
      status: 200,
      answer: McpCredentialDeleted,
      byId: true,
      run: async (input) => {
        const keyId = keyOf(input);
        if (!(await d.credentials.delete(input.params.id!, keySubject(keyId)))) return undefined;
        await d.changed();
        return { server: input.params.id!, key_id: keyId, team_id: null, deleted: true as const };
      },
    },
  ];
}
