/**
 * Keys' and teams' own credentials for an MCP server (a developer's GitHub token), used instead of the
 * server's shared one for that key's calls (a team's for every key of the team without one of its own). Set,
 * listed (who holds one, never the values) and removed.
 */
import type { z } from "zod";
import { unsafeCredentialField } from "../config/schema-mcp.js";
import { NoMasterKey } from "../data/keys.js";
import { keySubject, type McpCredentialView, teamSubject } from "../data/mcp-credentials.js";
import type { McpAdminDeps } from "./mcp-admin-deps.js";
import {
  McpCredential,
  McpCredentialDeleted,
  McpCredentialList,
  McpCredentialSet,
  McpCredentialWho,
  type McpServerSettings,
  setOf,
} from "./mcp-schemas.js";
import { AdminError, type AdminRoute } from "./route.js";

const iso = (s: number) => new Date(s * 1000).toISOString();

export function credentialView(c: McpCredentialView): z.infer<typeof McpCredential> {
  return {
    server: c.server,
    key_id: c.key_id,
    team_id: c.team_id,
    env: setOf(c.secrets.env),
    headers: setOf(c.secrets.headers),
    created_at: iso(c.created_at),
    updated_at: iso(c.updated_at),
  };
}

/** The holder a body or query names: exactly one of key_id and team_id, and one that exists. */
async function subjectOf(d: McpAdminDeps, who: { key_id?: string | undefined; team_id?: string | undefined }) {
  if ((who.key_id === undefined) === (who.team_id === undefined))
    throw new AdminError(400, "key_id: give either key_id or team_id (whose credential this is)", "key_id");
  if (who.key_id !== undefined) {
    if (!(await d.keyExists(who.key_id))) throw new AdminError(400, `key_id '${who.key_id}' is not a key`, "key_id");
    return keySubject(who.key_id);
  }
  if (!(await d.teamExists(who.team_id!)))
    throw new AdminError(400, `team_id '${who.team_id}' is not a team`, "team_id");
  return teamSubject(who.team_id!);
}

/**
 * A key's or team's own credential fills only the variables (stdio) or headers (remote) the server declares
 * for it (`own_credential_fields`): anything else (NODE_OPTIONS, LD_PRELOAD, PATH…) is refused, naming it.
 */
function checkDeclared(server: z.infer<typeof McpServerSettings>, field: "env" | "headers", names: string[]): void {
  const declared = server.own_credential_fields;
  const norm = (n: string) => (field === "headers" ? n.toLowerCase() : n);
  const known = new Set(declared.map(norm));
  for (const name of names)
    if (!known.has(norm(name)) || unsafeCredentialField(server.transport, name))
      throw new AdminError(
        400,
        declared.length === 0
          ? `${field}.${name}: the MCP server '${server.name}' takes no own credentials (its own_credential_fields is empty)`
          : `${field}.${name}: not a credential the MCP server '${server.name}' takes (own_credential_fields: ${declared.join(", ")})`,
        `${field}.${name}`,
      );
}

export type Show = (name: string) => Promise<z.infer<typeof McpServerSettings> | undefined>;

/**
 * Sets a holder's credential for a server: env values for a stdio server, headers for a remote one (the other
 * kind is refused, naming the field); applied on this instance before it resolves.
 */
export function credentialSetter(d: McpAdminDeps) {
  return async (
    server: z.infer<typeof McpServerSettings>,
    subject: string,
    b: { env?: Record<string, string> | undefined; headers?: Record<string, string> | undefined },
  ): Promise<z.infer<typeof McpCredential>> => {
    const stdio = server.transport === "stdio";
    const field = stdio ? "env" : "headers";
    const given = stdio ? b.env : b.headers;
    if (!given || Object.keys(given).length === 0)
      throw new AdminError(
        400,
        `${field}: a ${server.transport} server's credential is ${stdio ? "environment values (env)" : "headers"}`,
        field,
      );
    if ((stdio ? b.headers : b.env) !== undefined)
      throw new AdminError(400, `${stdio ? "headers" : "env"}: not used by a ${server.transport} server`, field);
    checkDeclared(server, field, Object.keys(given));
    try {
      const c = await d.credentials.set(server.name, subject, { env: stdio ? given : {}, headers: stdio ? {} : given });
      await d.changed();
      return credentialView(c);
    } catch (err) {
      if (err instanceof NoMasterKey) throw new AdminError(400, err.message, field);
      throw err;
    }
  };
}

export function mcpCredentialRoutes(d: McpAdminDeps, show: Show): AdminRoute[] {
  const set = credentialSetter(d);
  const path = "/admin/v1/mcp/servers/{id}/credentials";
  const before = async (server: string, query: unknown) => {
    const q = query as z.infer<typeof McpCredentialWho>;
    if ((q.key_id === undefined) === (q.team_id === undefined)) return undefined;
    const c = await d.credentials.get(server, q.key_id ? keySubject(q.key_id) : teamSubject(q.team_id!));
    return c ? credentialView(c) : undefined;
  };
  return [
    {
      method: "GET",
      path,
      summary: "Who holds an own credential for an MCP server (keys, teams; never the values)",
      status: 200,
      answer: McpCredentialList,
      byId: true,
      run: async ({ params }) => {
        if (!(await show(params.id!))) return undefined;
        return { data: (await d.credentials.list(params.id!)).map(credentialView) };
      },
    },
    {
      method: "POST",
      path,
      summary: "Set a key's or a team's own credential for an MCP server (stored encrypted, never answered)",
      audit: { action: "mcp_credential.set", target: "mcp_server", read: (id, q) => before(id, q) },
      body: McpCredentialSet,
      status: 201,
      answer: McpCredential,
      byId: true,
      run: async ({ params, body }) => {
        const b = body as z.infer<typeof McpCredentialSet>;
        const server = await show(params.id!);
        if (!server) return undefined;
        return set(server, await subjectOf(d, b), b);
      },
    },
    {
      method: "DELETE",
      path,
      summary: "Remove a key's or a team's own credential for an MCP server",
      audit: { action: "mcp_credential.delete", target: "mcp_server", read: (id, q) => before(id, q) },
      query: McpCredentialWho,
      status: 200,
      answer: McpCredentialDeleted,
      byId: true,
      run: async ({ params, query }) => {
        const q = query as z.infer<typeof McpCredentialWho>;
        const subject = await subjectOf(d, q);
        if (!(await d.credentials.delete(params.id!, subject))) return undefined;
        await d.changed();
        return { server: params.id!, key_id: q.key_id ?? null, team_id: q.team_id ?? null, deleted: true as const };
      },
    },
  ];
}
