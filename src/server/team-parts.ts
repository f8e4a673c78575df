import type { IncomingMessage, ServerResponse } from "node:http";
import type { AdminApi } from "../admin/admin.js";
import type { AdminSession } from "../admin/auth.js";
import type { AdminContext } from "../admin/context.js";
import type { DeploymentRow } from "../admin/deployments-route.js";
import type { McpServerRow } from "../admin/mcp-route.js";
import type { SelfCaller } from "../admin/route.js";
import type { Signup } from "../admin/signup.js";
import { SIGNUP_PATH } from "../admin/signup-path.js";
import { WebUi } from "../admin/ui.js";
import { adminKeysOf } from "../config/admin-keys.js";
import type { Config } from "../config/schema.js";
import { appendAudit } from "../data/audit.js";
import { anyCredentials } from "../data/credentials.js";
import { Data } from "../data/data.js";
import { Keys } from "../data/keys.js";
import { McpCredentials } from "../data/mcp-credentials.js";
import { McpServers } from "../data/mcp-servers.js";
import { DataStore } from "../data/store.js";
import { Teams } from "../data/teams.js";
import { UiSignOuts } from "../data/ui-signouts.js";
import type { HttpNote } from "../http/note.js";
import type { BodyLimits } from "../http/read-body.js";
import type { Resolver } from "../identity/identify.js";
import { KeyDirectory } from "../identity/minted.js";
import { configKeys } from "../identity/resolvers.js";
import type { Provider } from "../providers/types.js";
import { type Keyring, keyringOf } from "../secrets/cipher.js";

/**
 * Everything that sits on the data layer, opened from the config: the store, the minted-key directory
 * (a Resolver), the repositories and the admin API. Nothing touches the database before it is needed.
 */
export class TeamParts {
  readonly data: Data;
  readonly store: DataStore;
  readonly directory: KeyDirectory;
  readonly keys: Keys;
  readonly teams: Teams;
  /** MCP servers added through the admin API, and keys' own credentials for them. */
  readonly mcpServers: McpServers;
  readonly mcpCredentials: McpCredentials;
  /** Seals and opens stored credentials (secrets.master_key); absent without one. */
  readonly keyring: Keyring | undefined;
  /** The admin API, built on its first request (its router and schemas are ~4 MB a gateway may never use). */
  private readonly buildAdmin: () => Promise<AdminApi>;
  private admin: Promise<AdminApi> | undefined;
  private adminSessions: ((req: IncomingMessage) => Promise<AdminSession | undefined>) | undefined;
  /** Self-service sign-up (signup.enabled), its module loaded at its first request. */
  readonly signup: (() => Promise<Signup>) | undefined;
  /** The web UI at /ui (admin.ui.enabled), and the sign-ins the admin API accepts from it. */
  readonly ui: WebUi | undefined;
  /** Called after `llmux prices update` stored a list (the gateway reads it at once). */
  pricesChanged: (() => Promise<void>) | undefined;
  /** Called after routing rules are stored through the admin API (the gateway reads them at once). */
  routingChanged: (() => Promise<void>) | undefined;
  /** Called after guardrails policies are stored through the admin API (the gateway reads them at once). */
  guardrailsChanged: (() => Promise<void>) | undefined;
  /** A Claude Code sign-in token as a member on the self-service routes (set when sign-in is on). */
  members: ((token: string) => Promise<SelfCaller | { refused: string } | undefined>) | undefined;
  /** Called after models or providers are stored through the admin API (the gateway puts them in force at once). */
  configChanged: (() => Promise<void>) | undefined;
  /**
   * The stored layers polled on this instance, by what they hold: `nextPoll()` resolves when a poll started
   * after the call has ended (a change stored on another instance is in force here by then).
   */
  readonly layers: Partial<Record<"config" | "rules" | "guardrails" | "prices", { nextPoll(): Promise<void> }>> = {};
  /** The gateway's routing decision for a request and a key (POST /admin/v1/routing/explain); set by the gateway. */
  explainRoute: AdminContext["explainRoute"];

  constructor(
    config: Config,
    limits: BodyLimits,
    opts: {
      pollMs?: number;
      providers?: ReadonlyMap<string, Provider>;
      deployments?: () => Promise<DeploymentRow[]>;
      mcpServers?: (() => McpServerRow[]) | undefined;
      /** After a change to the MCP servers or credentials: applied by this instance's gateway. */
      mcpChanged?: (() => Promise<void>) | undefined;
    } = {},
  ) {
    this.data = new Data({
      path: config.store.path,
      url: config.store.url,
      pool: {
        size: config.store.pool_size,
        connectTimeoutMs: config.store.connect_timeout_ms,
        statementTimeoutMs: config.store.statement_timeout_ms,
      },
    });
    this.store = new DataStore(this.data, {
      reasoningMaxEntries: config.reasoning.cache_max_entries,
      reasoningTtlSeconds: Math.round(config.reasoning.cache_ttl_hours * 3600),
    });
    const keyring = keyringOf(config.secrets);
    this.keyring = keyring;
    this.directory = new KeyDirectory(this.data, keyring, opts.pollMs);
    const db = () => this.data.db();
    this.keys = new Keys(db, keyring);
    this.teams = new Teams(db);
    this.mcpServers = new McpServers(db, keyring);
    this.mcpCredentials = new McpCredentials(db, keyring);
    const service = configKeys(config.auth.keys);
    this.buildAdmin = async () => {
      const [{ AdminApi }, { adminRoutes }] = await Promise.all([
        import("../admin/admin.js"),
        import("../admin/routes.js"),
      ]);
      const api = new AdminApi(
        await adminRoutes({
          config,
          keys: this.keys,
          teams: this.teams,
          changed: () => this.directory.invalidate(),
          deployments: opts.deployments,
          mcpServers: opts.mcpServers,
          mcp: {
            servers: this.mcpServers,
            credentials: this.mcpCredentials,
            configured: config.mcp.servers,
            allowPrivate: config.mcp.allow_private_addresses,
            keyExists: async (id) => (await this.keys.get(id)) !== undefined,
            teamExists: async (id) => (await this.teams.get(id)) !== undefined,
            changed: async () => {
              await opts.mcpChanged?.();
            },
          },
          data: this.data,
          pricesChanged: () => this.pricesChanged?.(),
          routingChanged: () => this.routingChanged?.(),
          guardrailsChanged: () => this.guardrailsChanged?.(),
          configChanged: () => this.configChanged?.(),
          keyring,
          explainRoute: this.explainRoute,
        }),
        adminKeysOf(config.admin.keys),
        (key) => key.startsWith("lx-") || service.resolve(key, {}) !== undefined,
        limits,
        "1",
        async (key) => {
          if (key.startsWith("lxs-")) return this.members?.(key);
          const v = await this.directory.resolve(key);
          if (!v) return undefined;
          if ("refused" in v) return { refused: v.message };
          return v.keyId ? { keyId: v.keyId, mcp: v.mcp } : undefined;
        },
        async (entry) => {
          await appendAudit(this.data, entry);
        },
        (ref) => this.teams.idOf(ref),
      );
      api.sessions = this.adminSessions;
      return api;
    };
    this.ui = config.admin.ui.enabled
      ? new WebUi(config, this.directory, limits, undefined, new UiSignOuts(this.data))
      : undefined;
    if (this.ui) this.ui.auth.audit = (entry) => appendAudit(this.data, entry).then(() => undefined);
    if (this.ui && (config.admin.keys.length > 0 || config.admin.oidc)) {
      const ui = this.ui;
      this.adminSessions = (req) => ui.adminSession(req);
    }
    const providers = opts.providers;
    if (config.signup.enabled && providers) {
      let made: Promise<Signup> | undefined;
      const keys = this.keys;
      this.signup = () => {
        made ??= import("../admin/signup.js").then(({ Signup }) => new Signup(config, keys, providers, limits));
        return made;
      };
    }
  }

  /** Whether a path is served here rather than by the gateway's routes (before any client key is asked for). */
  owns(path: string): boolean {
    return (
      path === "/admin" ||
      path.startsWith("/admin/") ||
      (this.signup !== undefined && path === SIGNUP_PATH) ||
      (this.ui !== undefined && WebUi.owns(path))
    );
  }

  /**
   * Serves a request to a path it owns, as a node:http handler. `note` is the request's log note: a handler
   * marks it quiet (the UI's files) or gives the reason of a refusal.
   */
  async serve(req: IncomingMessage, res: ServerResponse, path: string, note: HttpNote = {}): Promise<void> {
    if (this.ui && WebUi.owns(path)) return this.ui.serve(req, res, path, note);
    if (path === SIGNUP_PATH && this.signup) return (await this.signup()).serve(req, res, note);
    await this.ui?.present(req, path);
    return (await this.adminApi()).serve(req, res, note);
  }

  /** The admin API (built the first time it is asked for). */
  adminApi(): Promise<AdminApi> {
    this.admin ??= this.buildAdmin();
    return this.admin;
  }

  get resolvers(): Resolver[] {
    return [this.directory];
  }

  /** Refuses to start when credentials are stored but no master key could open them. */
  async checkSecrets(config: Config): Promise<void> {
    if (config.secrets.master_key) return;
    if (config.signup.enabled)
      throw new Error(
        "signup.enabled stores upstream keys encrypted: set secrets.master_key (e.g. from LLMUX_MASTER_KEY)",
      );
    if (await anyCredentials(this.data))
      throw new Error(
        "the store holds encrypted upstream credentials but secrets.master_key is not set (set it, e.g. from the LLMUX_MASTER_KEY environment variable)",
      );
  }

  async close(): Promise<void> {
    this.directory.close();
    await this.store.close();
  }
}
