/**
 * MCP servers through the admin API: added, shown, changed and removed (the configuration file's are shown,
 * and changed in the file only). A change applies on this instance before the answer, on every other one
 * within the `mcp` revision's poll (a second). Secrets (env, headers) are stored sealed and never answered.
 */
import type { z } from "zod";
import { type McpServerConfig, typeAsTransport } from "../config/schema-mcp.js";
import { NoMasterKey } from "../data/keys.js";
import { InvalidMcpServer, McpServerExists, type StoredMcpServer } from "../data/mcp-servers.js";
import { privateHostOf } from "../http/private-address.js";
import type { Given } from "./context.js";
import type { McpAdminDeps } from "./mcp-admin-deps.js";
import { mcpCredentialRoutes } from "./mcp-credentials-route.js";
import { type McpServerRow, mcpRoutes } from "./mcp-route.js";
import { McpServerCreate, McpServerPatch, McpServerSettings, setOf } from "./mcp-schemas.js";
import { meMcpRoutes } from "./me-mcp-routes.js";
import { AdminError, type AdminModule, type AdminRoute } from "./route.js";
import { Deleted } from "./schemas.js";

type Settings = z.infer<typeof McpServerSettings>;
const iso = (s: number) => new Date(s * 1000).toISOString();

/** A server's settings as answered: its secrets by name only. */
function settingsView(
  name: string,
  source: "config" | "api",
  s: Record<string, unknown>,
  secrets: { env: string[]; headers: string[] },
  times?: { created_at: number; updated_at: number },
): Settings {
  const tools = (s.tools ?? {}) as { allow?: string[]; deny?: string[]; approval?: string[] };
  const str = (k: string) => (typeof s[k] === "string" ? (s[k] as string) : null);
  return {
    name,
    source,
    transport: s.transport as Settings["transport"],
    command: str("command"),
    args: Array.isArray(s.args) ? (s.args as string[]) : null,
    cwd: str("cwd"),
    url: str("url"),
    env: setOf(secrets.env),
    headers: setOf(secrets.headers),
    tools: { allow: tools.allow ?? null, deny: tools.deny ?? [], approval: tools.approval ?? [] },
    timeout_ms: s.timeout_ms as number,
    connect_timeout_ms: s.connect_timeout_ms as number,
    own_credential: (s.own_credential as Settings["own_credential"]) ?? "optional",
    own_credential_fields: (s.own_credential_fields as string[] | undefined) ?? [],
    created_at: times ? iso(times.created_at) : null,
    updated_at: times ? iso(times.updated_at) : null,
  };
}

export const storedView = (s: StoredMcpServer): Settings => settingsView(s.name, "api", s.settings, s.secrets, s);

function configView(name: string, cfg: McpServerConfig): Settings {
  const { env, headers, ...rest } = cfg as McpServerConfig & { env?: object; headers?: object };
  return settingsView(name, "config", rest, {
    env: Object.keys(env ?? {}).sort(),
    headers: Object.keys(headers ?? {}).sort(),
  });
}

/** Errors of the repository, as the admin API answers them. */
async function mapped<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof InvalidMcpServer) throw new AdminError(400, err.message, err.field);
    if (err instanceof McpServerExists) throw new AdminError(409, err.message, "name");
    if (err instanceof NoMasterKey) throw new AdminError(400, err.message, "env");
    throw err;
  }
}

export function mcpServerRoutes(d: McpAdminDeps): AdminRoute[] {
  const inFile = (name: string) => Object.hasOwn(d.configured, name);
  const notInFile = (name: string) => {
    if (inFile(name))
      throw new AdminError(
        409,
        `the MCP server '${name}' is defined in the configuration file (mcp.servers): change it there`,
        "name",
      );
  };
  const show = async (name: string): Promise<Settings | undefined> => {
    if (inFile(name)) return configView(name, d.configured[name]!);
    const s = await d.servers.get(name);
    return s ? storedView(s) : undefined;
  };
  /** A remote server's URL that names a private address as written (its resolved ones are checked on connect). */
  const publicUrl = (raw: Record<string, unknown>) => {
    if (d.allowPrivate || typeof raw.url !== "string") return;
    const why = privateHostOf(raw.url);
    if (why)
      throw new AdminError(
        400,
        `url: ${why}: a server added here may not point at llmux's host or a private network (set mcp.allow_private_addresses: true to allow it)`,
        "url",
      );
  };
  const change = async <T>(run: () => Promise<T>): Promise<T> => {
    const out = await mapped(run);
    await d.changed();
    return out;
  };
  const list = async (): Promise<McpServerRow[]> => {
    const live = d.live?.() ?? [];
    const seen = new Set(live.map((r) => r.name));
    const unknown = (name: string, source: "config" | "api", s: Settings): McpServerRow => ({
      name,
      source,
      transport: s.transport,
      target: s.command ?? s.url ?? "",
      status: "unknown",
      last_error: null,
      restarts: 0,
      pid: null,
      tools: [],
      prompts: 0,
      resources: 0,
    });
    const rows = [...live];
    for (const [name, cfg] of Object.entries(d.configured))
      if (!seen.has(name)) rows.push(unknown(name, "config", configView(name, cfg)));
    for (const s of await d.servers.list())
      if (!seen.has(s.name) && !inFile(s.name)) rows.push(unknown(s.name, "api", storedView(s)));
    return rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  };
  return [
    ...mcpRoutes(list),
    {
      method: "POST",
      path: "/admin/v1/mcp/servers",
      summary: "Add an MCP server (its env and headers are stored encrypted and never answered)",
      audit: { action: "mcp_server.create", target: "mcp_server" },
      body: McpServerCreate,
      status: 201,
      answer: McpServerSettings,
      run: ({ body }) => {
        const { name, ...raw } = typeAsTransport(body as { name: string } & Record<string, unknown>);
        notInFile(name);
        publicUrl(raw);
        return change(() => d.servers.create(name, raw)).then(storedView);
      },
    },
    {
      method: "GET",
      path: "/admin/v1/mcp/servers/{id}",
      summary: "Show an MCP server's settings (which secrets are set, never their values)",
      status: 200,
      answer: McpServerSettings,
      byId: true,
      run: ({ params }) => show(params.id!),
    },
    {
      method: "PATCH",
      path: "/admin/v1/mcp/servers/{id}",
      summary: "Change an MCP server: settings given replace the stored ones; env and headers change by name",
      audit: { action: "mcp_server.update", target: "mcp_server", read: (id) => show(id) },
      body: McpServerPatch,
      status: 200,
      answer: McpServerSettings,
      byId: true,
      run: async ({ params, body }) => {
        notInFile(params.id!);
        const given = typeAsTransport(body as Record<string, unknown>);
        publicUrl(given);
        const s = await change(() => d.servers.update(params.id!, given));
        return s ? storedView(s) : undefined;
      },
    },
    {
      method: "DELETE",
      path: "/admin/v1/mcp/servers/{id}",
      summary: "Remove an MCP server (and every key's credential for it), on every instance within 2 seconds",
      audit: { action: "mcp_server.delete", target: "mcp_server", read: (id) => show(id) },
      status: 200,
      answer: Deleted,
      byId: true,
      run: async ({ params }) => {
        notInFile(params.id!);
        const ok = await change(() => d.servers.delete(params.id!));
        return ok ? { id: params.id!, deleted: true } : undefined;
      },
    },
    ...mcpCredentialRoutes(d, show),
    ...meMcpRoutes(d, show),
  ];
}

/** MCP servers and credentials kept in the database: added, changed, removed. */
export const admin: AdminModule<Given<"mcp">> = {
  needs: ["mcp"],
  routes: (c) => mcpServerRoutes({ ...c.mcp, live: c.mcpServers }),
};
