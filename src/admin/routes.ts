import type { z } from "zod";
import { type Price, PriceTable } from "../billing/prices.js";
import type { Data } from "../data/data.js";
import { type Keys, NoMasterKey, UnknownTeam } from "../data/keys.js";
import { DuplicateName, type Teams } from "../data/teams.js";
import { alertRoutes } from "./alerts-route.js";
import { auditRoutes } from "./audit-route.js";
import { type DeploymentRow, deploymentRoutes } from "./deployments-route.js";
import { keyWithState, withState } from "./key-state.js";
import type { McpAdminDeps } from "./mcp-admin-deps.js";
import { type McpServerRow, mcpRoutes } from "./mcp-route.js";
import { mcpServerRoutes } from "./mcp-servers-route.js";
import { meRoutes } from "./me-routes.js";
import { priceRoutes } from "./prices-route.js";
import { requestRoutes } from "./requests-route.js";
import { AdminError, type AdminRoute, type TeamScope } from "./route.js";
import * as S from "./schemas.js";
import { sessionRoutes } from "./sessions-route.js";
import { signinSessionRoutes } from "./signin-sessions-route.js";
import { spendRoutes } from "./spend-route.js";
import { withSpendAll } from "./spend-views.js";

export interface AdminDeps {
  teams: Teams;
  keys: Keys;
  /** Called after every change to keys or teams (this instance forgets what it remembered). */
  changed(): void;
  /** The health of every deployment (GET /admin/v1/deployments). */
  deployments?: (() => Promise<DeploymentRow[]>) | undefined;
  /** The MCP servers, their health and tools (GET /admin/v1/mcp/servers), when some are configured. */
  mcpServers?: (() => McpServerRow[]) | undefined;
  /** MCP servers and keys' own credentials kept in the database (added, changed, removed through the API). */
  mcp?: Omit<McpAdminDeps, "live"> | undefined;
  /** The ledger's database (spend) and the budget time zone. */
  data?: Data | undefined;
  timezone?: string | undefined;
  /** billing.alert_at: a key's answer says whether its spend has reached this share of its budget. */
  alertAt?: number | undefined;
  /** The configuration's `prices:` (over the shipped table): the spend report names models without a price. */
  prices?: Record<string, Price> | undefined;
  /** Called after a price list is stored (POST /admin/v1/prices): this instance reads it at once. */
  pricesChanged?: (() => Promise<void> | undefined) | undefined;
}

/** Errors of the repositories, as the admin API answers them. */
async function mapped<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof UnknownTeam) throw new AdminError(400, err.message, "team_id");
    if (err instanceof NoMasterKey) throw new AdminError(400, err.message, "credentials");
    if (err instanceof DuplicateName) throw new AdminError(409, err.message, "name");
    throw err;
  }
}

export function adminRoutes(d: AdminDeps): AdminRoute[] {
  const change = async <T>(run: () => Promise<T>): Promise<T> => {
    const out = await mapped(run);
    d.changed();
    return out;
  };
  const deleted = (id: string) => (ok: boolean) => (ok ? { id, deleted: true } : undefined);
  // A team admin's scope (src/admin/team-gate.ts): a key's team, or a team itself.
  const keyTeam: TeamScope = { of: async (id) => (await d.keys.get(id))?.team_id };
  const ownTeam: TeamScope = { of: async (id) => (await d.teams.get(id))?.id };
  return [
    {
      method: "POST",
      path: "/admin/v1/teams",
      summary: "Create a team",
      audit: { action: "team.create", target: "team" },
      body: S.TeamCreate,
      status: 201,
      answer: S.Team,
      run: ({ body }) => change(() => d.teams.create(body as z.infer<typeof S.TeamCreate>)),
    },
    {
      method: "GET",
      path: "/admin/v1/teams",
      summary: "List teams",
      status: 200,
      answer: S.TeamList,
      team: {},
      run: async ({ scope }) => {
        const teams = await d.teams.list({ id: scope?.teamId });
        return { data: d.data ? await withSpendAll(d.data, "team", teams, d.timezone ?? "UTC", d.alertAt) : teams };
      },
    },
    {
      method: "GET",
      path: "/admin/v1/teams/{id}",
      summary: "Show a team",
      status: 200,
      answer: S.Team,
      byId: true,
      team: ownTeam,
      run: async ({ params }) => {
        const team = await d.teams.get(params.id!);
        return team && d.data ? (await withSpendAll(d.data, "team", [team], d.timezone ?? "UTC", d.alertAt))[0] : team;
      },
    },
    {
      method: "PATCH",
      path: "/admin/v1/teams/{id}",
      summary: "Change a team",
      audit: { action: "team.update", target: "team", read: (id) => d.teams.get(id) },
      body: S.TeamPatch,
      status: 200,
      answer: S.Team,
      byId: true,
      run: ({ params, body }) => change(() => d.teams.update(params.id!, body as z.infer<typeof S.TeamPatch>)),
    },
    {
      method: "DELETE",
      path: "/admin/v1/teams/{id}",
      summary: "Delete a team (its keys are revoked)",
      audit: { action: "team.delete", target: "team", read: (id) => d.teams.get(id) },
      status: 200,
      answer: S.Deleted,
      byId: true,
      run: ({ params }) => change(() => d.teams.delete(params.id!)).then(deleted(params.id!)),
    },
    {
      method: "POST",
      path: "/admin/v1/keys",
      summary: "Mint a key (the secret is in this answer only)",
      audit: { action: "key.create", target: "key" },
      body: S.KeyCreate,
      status: 201,
      answer: S.MintedKey,
      team: { body: true },
      run: ({ body }) => change(() => d.keys.create(body as z.infer<typeof S.KeyCreate>)),
    },
    {
      method: "GET",
      path: "/admin/v1/keys",
      summary: "List keys (never their secrets)",
      query: S.KeyListQuery,
      status: 200,
      answer: S.KeyList,
      team: {},
      run: async ({ query, scope }) => {
        const q = query as z.infer<typeof S.KeyListQuery>;
        const revoked = q.revoked === "true" ? "only" : q.revoked === "all" ? "all" : "no";
        if (scope?.teamId !== undefined && q.team_id !== undefined && q.team_id !== scope.teamId) return { data: [] };
        const keys = await d.keys.list({ teamId: scope?.teamId ?? q.team_id, revoked });
        if (!d.data) return { data: keys };
        const tz = d.timezone ?? "UTC";
        const spent = await withSpendAll(d.data, "key", keys, tz, d.alertAt);
        return { data: await withState(d.data, d.teams, spent, tz, d.alertAt) };
      },
    },
    {
      method: "GET",
      path: "/admin/v1/keys/{id}",
      summary: "Show a key",
      status: 200,
      answer: S.Key,
      byId: true,
      team: keyTeam,
      run: async ({ params }) => {
        const view = await d.keys.get(params.id!);
        if (!d.data || !view) return view;
        return keyWithState(d.data, d.teams, view, d.timezone ?? "UTC", d.alertAt);
      },
    },
    {
      method: "PATCH",
      path: "/admin/v1/keys/{id}",
      summary: "Change a key (any create field, and disabled)",
      audit: { action: "key.update", target: "key", read: (id) => d.keys.get(id) },
      body: S.KeyPatch,
      status: 200,
      answer: S.Key,
      byId: true,
      team: { ...keyTeam, body: true },
      run: ({ params, body }) => change(() => d.keys.update(params.id!, body as z.infer<typeof S.KeyPatch>)),
    },
    {
      method: "DELETE",
      path: "/admin/v1/keys/{id}",
      summary: "Revoke a key, on every instance within 2 seconds",
      audit: { action: "key.revoke", target: "key", read: (id) => d.keys.get(id) },
      status: 200,
      answer: S.Deleted,
      byId: true,
      team: keyTeam,
      run: ({ params }) => change(() => d.keys.revoke(params.id!)).then(deleted(params.id!)),
    },
    {
      method: "POST",
      path: "/admin/v1/keys/{id}/rotate",
      summary: "Rotate a key: a new secret; the old one works grace_s more seconds",
      audit: { action: "key.rotate", target: "key", read: (id) => d.keys.get(id) },
      body: S.KeyRotate,
      status: 201,
      answer: S.RotatedKey,
      byId: true,
      team: keyTeam,
      run: ({ params, body }) => change(() => d.keys.rotate(params.id!, (body as z.infer<typeof S.KeyRotate>).grace_s)),
    },
    ...(d.deployments ? deploymentRoutes(d.deployments) : []),
    ...(d.mcp ? mcpServerRoutes({ ...d.mcp, live: d.mcpServers }) : mcpRoutes(async () => d.mcpServers?.() ?? [])),
    ...(d.data ? spendRoutes(d.data, new PriceTable(d.prices)) : []),
    ...(d.data ? priceRoutes(d.data, d.pricesChanged) : []),
    ...(d.data ? alertRoutes(d.data) : []),
    ...(d.data
      ? [
          ...requestRoutes(d.data),
          ...sessionRoutes(d.data),
          ...signinSessionRoutes(d.data),
          ...meRoutes(d, d.data),
          ...auditRoutes(d.data),
        ]
      : []),
  ];
}

/**
 * Every route of a server with a store and routing, for the OpenAPI document alone (scripts/admin-types.mjs
 * and its test): the routes are described, never run, so they are given no repositories.
 */
export function documentedRoutes(): AdminRoute[] {
  const notRun = {} as never;
  return adminRoutes({
    teams: notRun,
    keys: notRun,
    data: notRun,
    changed: () => {},
    deployments: async () => [],
    mcpServers: () => [],
    mcp: notRun,
  });
}
