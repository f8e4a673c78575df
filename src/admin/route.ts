import { z } from "zod";
import type { RowScope } from "../data/row-scope.js";
import type { McpAccess } from "../mcp/access.js";

/**
 * What every admin route file shares: the route's shape, its input and the error it answers with. The route
 * files import this; `routes.ts` finds them (their `admin` export) and makes the table the router and the OpenAPI
 * document are made from.
 */

/** A person on a self-service route: signed in with /login (a sign-in token) or to the web UI (OIDC). */
export interface Member {
  email: string;
  /** Their team: a sign-in's (signin.groups), a team admin's; undefined: found from the teams' member_caps. */
  teamId?: string | undefined;
  groups: readonly string[];
  via: "signin" | "oidc";
}

/**
 * The caller of a self-service route: a minted key (its id, and its and its team's MCP allow-lists), or a
 * member signed in (their own keys: /admin/v1/me/keys).
 */
export interface SelfCaller {
  keyId?: string | undefined;
  mcp?: McpAccess | undefined;
  member?: Member | undefined;
}

export { AdminError } from "./admin-error.js";

/** Who made an admin call, and through what (the audit log's who and from where). */
export interface Actor {
  /** An admin key (`admin key abcd…`), an OIDC sign-in's email, a key's name, the CLI's user. */
  name: string;
  via: "admin_key" | "oidc" | "key" | "cli" | "signin";
  source: "api" | "ui" | "cli";
  /** The client's address; null for the CLI on the store. */
  address: string | null;
  /** A team admin's team (its id): what the caller reads is filtered to it, what it changes must belong to it. */
  team?: string | undefined;
}

/**
 * What a team admin may do with a route, and how its target's team is found. A route without one is for full
 * admins only (a team admin is refused, 403). Reads of another team's id answer 404, changes 403.
 */
export interface TeamScope {
  /** The team of the route's `{id}` target (null: no team's; undefined: no such id). */
  of?: (id: string, query: unknown) => Promise<string | null | undefined>;
  /** The body names the team (`team_id`): a team admin's body gets theirs, and may name no other. */
  body?: boolean;
}

/** What a route's data queries are confined to: a minted key (self-service) or a team (a team admin). */
export type Scope = RowScope;

/** What a change route records in the audit log: its action, and how to read its target before the change. */
export interface AuditSpec {
  action: string;
  target: "key" | "team" | "mcp_server" | "price_list" | "signin_session" | "routing_rules" | "guardrails" | "config";
  /**
   * The target as the API shows it, before the change (PATCH, DELETE, rotate, a price list replaced); `query`
   * is the route's query; `id` is "" on a route without one; `params` are every parameter of the path.
   */
  read?: (id: string, query: unknown, params: Record<string, string>) => Promise<unknown>;
}

export interface RouteInput {
  params: Record<string, string>;
  body: unknown;
  query: unknown;
  /** Self-service routes: the minted key that signed in (every answer is scoped to it). */
  self?: SelfCaller | undefined;
  /** A team admin's call: the team every answer is confined to (lists filtered in their queries). */
  scope?: Scope | undefined;
  /** Who made the call (what a change records beside the audit log, e.g. a configuration version). */
  actor?: Actor | undefined;
}

/** One admin route: how it is called, what it answers, and what it does. The OpenAPI document is made from these. */
export interface AdminRoute {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  status: number;
  answer: z.ZodType;
  /** Whether `{id}` can name nothing (404). */
  byId?: boolean;
  /** `self`: called with a minted key (self-service, /admin/v1/me…) instead of an admin key. */
  auth?: "self";
  /** Whether (and how) a team admin may call it; absent: full admins only. */
  team?: TeamScope;
  /** A change: recorded in the audit log with who, from where, before and after. */
  audit?: AuditSpec;
  /** undefined: the id names nothing (404). */
  run(input: RouteInput): Promise<unknown>;
}

/** The CLI on the store directly: the operating system's user. */
export function cliActor(): Actor {
  const user = process.env.USER ?? process.env.USERNAME ?? process.env.LOGNAME;
  return { name: user ? `cli:${user}` : "cli", via: "cli", source: "cli", address: null };
}

/**
 * What a route module exports as `admin` (src/admin/routes.ts lists every `*-route.ts` and `*-routes.ts` of
 * this folder that exports one): the parts of the admin context its routes need (without one of them, they are not served), and
 * its routes, made from the context (src/admin/context.ts).
 */
export interface AdminModule<C> {
  readonly needs: readonly string[];
  routes(c: C): AdminRoute[];
}

/** The answer of a read-only list route: `{data: [...]}` of `item`, named `id` in the OpenAPI document. */
export const listOf = <T extends z.ZodType>(item: T, id: string) => z.object({ data: z.array(item) }).meta({ id });

/** A read-only list route: `GET path`, answering `{data}` with what `list` reads. */
export function listRoute<Row>(
  path: string,
  summary: string,
  answer: z.ZodType,
  list: () => Promise<Row[]>,
): AdminRoute {
  return { method: "GET", path, summary, status: 200, answer, run: async () => ({ data: await list() }) };
}
