import type { Config } from "../config/schema.js";
import type { Data } from "../data/data.js";
import type { Keys } from "../data/keys.js";
import type { Teams } from "../data/teams.js";
import type { Explained } from "../pipeline/explain.js";
import type { Keyring } from "../secrets/cipher.js";
import type { DeploymentRow } from "./deployments-route.js";
import type { McpAdminDeps } from "./mcp-admin-deps.js";
import type { McpServerRow } from "./mcp-route.js";

/**
 * Everything an admin route may use, handed whole to every route module (src/admin/routes.ts): a route takes
 * what it needs from here, so a new route threads nothing through the gateway. Built once by the team's parts
 * (src/server/team-parts.ts).
 */
export interface AdminContext {
  /** The configuration (the budget time zone, billing.alert_at, prices…). */
  readonly config: AdminConfig;
  readonly teams: Teams;
  readonly keys: Keys;
  /** Called after every change to keys or teams (this instance forgets what it remembered). */
  changed(): void;
  /** The ledger's database: spend, the request log, sessions, audit (absent: those routes are not served). */
  readonly data?: Data | undefined;
  /** The health of every deployment (absent where no gateway runs: the CLI). */
  readonly deployments?: (() => Promise<DeploymentRow[]>) | undefined;
  /** The MCP servers as this instance serves them, their health and tools. */
  readonly mcpServers?: (() => McpServerRow[]) | undefined;
  /** MCP servers and keys' own credentials kept in the database (added, changed, removed through the API). */
  readonly mcp?: Omit<McpAdminDeps, "live"> | undefined;
  /** Called after a price list is stored (POST /admin/v1/prices): this instance reads it at once. */
  readonly pricesChanged?: (() => Promise<void> | undefined) | undefined;
  /** Called after routing rules are stored (PUT /admin/v1/routing/rules): this instance reads them at once. */
  readonly routingChanged?: (() => Promise<void> | undefined) | undefined;
  /** Called after guardrails policies are stored (PUT /admin/v1/guardrails…): this instance reads them at once. */
  readonly guardrailsChanged?: (() => Promise<void> | undefined) | undefined;
  /** Called after models or providers are stored (/admin/v1/config/…): this instance puts them in force at once. */
  readonly configChanged?: (() => Promise<void> | undefined) | undefined;
  /** Seals and opens stored credentials (secrets.master_key); absent without one. */
  readonly keyring?: Keyring | undefined;
  /** The routing decision for a request and a key, without sending it (absent where no gateway runs). */
  readonly explainRoute?: ((ask: ExplainAsk) => Promise<Explained>) | undefined;
}

/** What POST /admin/v1/routing/explain asks: a request (its path, headers and body) and the client key to explain it for. */
export interface ExplainAsk {
  readonly path?: string | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly body: Readonly<Record<string, unknown>>;
  readonly key?: string | undefined;
}

/** The parts of the configuration the admin routes read (the whole configuration fits). */
export type AdminConfig = {
  readonly billing: Partial<Pick<Config["billing"], "timezone" | "alert_at">>;
  readonly prices?: Config["prices"] | undefined;
  /** The aliases routing rules may name, and the configuration's own rules. */
  readonly models?: Config["models"] | undefined;
  readonly routing?: Config["routing"] | undefined;
  /** The providers stored models may name (the base layer of /admin/v1/config). */
  readonly providers?: Config["providers"] | undefined;
  /** The guardrails' policy (GET /admin/v1/guardrails shows it). */
  readonly guardrails?: Config["guardrails"] | undefined;
};

/** The context's parts a route module can need (absent ones: its routes are not served). */
export type Optional = "data" | "deployments" | "mcpServers" | "mcp" | "pricesChanged" | "explainRoute";

/** What a module's routes are given: the context, with the parts it needs present. */
export type Given<N extends Optional> = AdminContext & { readonly [K in N]-?: NonNullable<AdminContext[K]> };
