import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { deploymentRows } from "../admin/deployment-rows.js";
import type { Billing } from "../billing/billing.js";
import { keepPricesFresh, StoredPrices } from "../billing/price-list.js";
import { billingOf } from "../billing/wire.js";
import type { Config } from "../config/schema.js";
import { websocketSettings } from "../config/websocket-settings.js";
import { EmbeddingCacheRows } from "../data/embedding-cache.js";
import { dataVectors, hotVectors } from "../embeddings/cache.js";
import type { BodyLimits } from "../http/read-body.js";
import type { Resolver } from "../identity/identify.js";
import type { Logger } from "../log/logger.js";
import { serverStatuses } from "../mcp/status.js";
import { Observe } from "../observe/observe.js";
import { StateAccess } from "../pipeline/caller-state.js";
import type { RoutingDeps } from "../pipeline/route-rules.js";
import { gatewayGuardrails } from "../pipeline/stored-guardrails.js";
import { createProviders, type Provider } from "../providers/index.js";
import { ReasoningCache } from "../reasoning/cache.js";
import type { Admission } from "../request/admission.js";
import type { RequestLog } from "../requestlog/request-log.js";
import { requestLogOf } from "../requestlog/wire.js";
import { advisory } from "../routing/advisory-health.js";
import { DeploymentHealth } from "../routing/health.js";
import { ModelTable } from "../routing/model-table.js";
import type { WebTools } from "../search/types.js";
import { type Redactor, redactorOf, SecretBook } from "../secrets/redact.js";
import type { Signin } from "../signin/signin.js";
import type { HotState } from "../state/hot-state.js";
import { checkStateUrl } from "../state/redis-probe.js";
import type { Store } from "../store/types.js";
import { createPool, type UpstreamPool } from "../upstream/call.js";
import { MB } from "../upstream/screen.js";
import { Alerting } from "./alerting.js";
import { FreshConnections } from "./connections.js";
import { gatewayAdmission, gatewayRouting } from "./gateway-admission.js";
import { gatewayIdentifier } from "./gateway-identifier.js";
import { hotStateOf } from "./hot-state-of.js";
import { httpServer } from "./http-server.js";
import { Inflight } from "./inflight.js";
import { type McpLoader, mcpLoaderOf, mcpStorageOf } from "./mcp-loader.js";
import { ResponsesSockets } from "./responses-socket.js";
import { type ServeParts, serve } from "./serve.js";
import { signinOf } from "./signin-parts.js";
import { TeamParts } from "./team-parts.js";
import { webToolsOf } from "./web-tools.js";

/** Stages other parts of llmux may supply in place of the defaults. */
export interface GatewayParts {
  /** Resolvers asked before the config's own (auth.keys, pass-through, open). */
  resolvers?: readonly Resolver[];
  admission?: Admission;
  store?: Store;
  /** Hot shared state (default: opened from `state`, memory or Redis). */
  hot?: HotState;
  /** Waits before each retry of an alert that was not delivered, ms (default 1 s, 5 s, 30 s). */
  alertBackoffMs?: readonly number[];
  /** The search provider and page fetcher llmux runs web tools with (docs/search.md). */
  webTools?: WebTools;
}

/**
 * The running gateway, llmux's composition root: it makes the providers, the model table, the connection
 * pool, the data layer and the hot state, wires them into the request stages (src/server/serve.ts: accept →
 * identify → read+decode → plan → admit → attempt loop → respond → settle), and runs the lifecycle: listen,
 * a graceful stop, close. It holds no request logic.
 */
export class Gateway {
  readonly server: Server;
  readonly providers: Map<string, Provider>;
  readonly models: ModelTable;
  /** Responses state, the reasoning cache and the envelope secret (SQLite, opened on first use). */
  readonly store: Store;
  /** Counters, reservations, cooldowns, affinity: this process's memory, or Redis shared by instances. */
  readonly hot: HotState;
  /** Cooldowns, in-flight counts and latency of deployments (on the hot state). */
  readonly health: DeploymentHealth;
  private readonly ownsHot: boolean;
  /** Stops reading the price list (`price_list:`). */
  private readonly stopPrices: () => void;
  private readonly stopRules: (() => void) | undefined;
  /** Alerts, what raises them, and the spend reports (`alerts:`). */
  readonly alerting: Alerting;
  private readonly pool: UpstreamPool;
  private readonly parts: ServeParts;
  /** Responses over WebSocket: the upgrades and the sockets they opened. */
  readonly sockets: ResponsesSockets;
  private readonly pruner: NodeJS.Timeout;
  /** Requests being served (for a graceful stop: what it waits for, and what it names). */
  private readonly inflight = new Inflight();
  /** Set once a stop began: requests still arriving are served, and their connections closed after. */
  private stopping = false;
  private readonly fresh: FreshConnections; // connections yet to send a request: a stop reads those first
  private listening: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  /** Minted keys, teams and the admin API, on the data layer (absent when a store is supplied). */
  readonly team: TeamParts | undefined;
  /** Usage → cost (the settle stage's money side; the ledger row is the request log writer's). */
  readonly billing: Billing;
  /** Metrics (/metrics), traces, the overhead header, the capture of bodies, recordings (src/observe/observe.ts). */
  readonly observe: Observe;
  /** A row per request (and its bodies, when kept) and the ledger's rows, on the data layer (absent without one). */
  readonly requestLog: RequestLog | undefined;
  /** Claude Code sign-in (`signin:`): device authorization, tokens, managed settings (absent without it). */
  readonly signin: Signin | undefined;
  /** The MCP gateway (`/mcp`): upstream MCP servers behind the keys (absent when none is configured). */
  readonly mcp: McpLoader | undefined;
  /** Secrets learned while running (the MCP servers and credentials kept in the database). */
  readonly secretBook: SecretBook;
  /** The one redaction pass of what llmux writes (rows, log lines, recordings). */
  readonly redactor: Redactor;
  /** Routing rules (replaced by the admin API) and soft budgets. */
  readonly routing: RoutingDeps;
  /** Web search and web fetch run by llmux for upstreams that cannot (`search:`, docs/search.md). */
  readonly webTools: WebTools;

  constructor(
    readonly config: Config,
    readonly logger: Logger,
    parts: GatewayParts = {},
  ) {
    this.providers = createProviders(config);
    this.models = new ModelTable(config.models, this.providers);
    // One redaction pass for everything llmux writes: the configuration's secrets and those it learns meanwhile.
    this.secretBook = new SecretBook();
    this.redactor = redactorOf(config, this.secretBook);
    this.observe = new Observe(config, logger, this.models, process.env, this.redactor);
    this.webTools = parts.webTools ?? webToolsOf(config, this.observe, logger);
    this.pool = createPool({
      eventBytes: Math.round(config.server.max_event_mb * MB),
      answerBytes: Math.round(config.server.max_answer_mb * MB),
    });
    const limits: BodyLimits = {
      bytes: Math.round(config.server.body_limit_mb * 1024 * 1024),
      timeoutMs: config.server.body_timeout_ms,
    };
    this.ownsHot = parts.hot === undefined;
    this.hot = parts.hot ?? hotStateOf(config, logger);
    this.health = new DeploymentHealth(this.hot, {
      coolDown: (d, ms, why) => {
        this.observe.cooledDown(d);
        this.alerting?.cooledDown(d, ms, why);
        logger.warn(
          { deployment: d.name, provider: d.provider.name, cooldown_ms: Math.round(ms) },
          `deployment ${d.name} cools down for ${Math.round(ms / 100) / 10} s: ${why}`,
        );
      },
      recovered: (d) => logger.info({ deployment: d.name }, `deployment ${d.name} recovered (its probe succeeded)`),
    });
    this.team = parts.store
      ? undefined
      : new TeamParts(config, limits, {
          providers: this.providers,
          mcpServers: () => {
            const mcp = this.mcp?.current;
            // Servers listed before the gateway is loaded (added on another instance): loaded for the next look.
            if (!mcp) void this.mcp?.ready().catch(() => undefined);
            return mcp ? serverStatuses(mcp.hub, config.mcp.servers) : [];
          },
          mcpChanged: async () => {
            await (await this.mcp?.load())?.changed();
          },
          deployments: async () =>
            deploymentRows(this.models.allDeployments(await this.health.seen().catch(() => [])), this.health),
        });
    this.mcp = mcpLoaderOf(config.mcp, logger, this.hot, mcpStorageOf(this.team, this.secretBook));
    const signin = signinOf(config, this.team, logger, this.hot);
    this.signin = signin.signin;
    const identifier = gatewayIdentifier(config, parts.resolvers, signin.signin, this.team);
    this.store = parts.store ?? this.team!.store;
    this.billing = billingOf(config, logger);
    const stopList = keepPricesFresh(this.billing.prices, config, logger);
    // The list `llmux prices update` stored, shared by every instance through the database.
    const stored = this.team ? new StoredPrices(this.billing.prices, this.team.data, logger) : undefined;
    if (this.team && stored) this.team.pricesChanged = () => stored.check();
    if (this.team) this.team.layers.prices = stored;
    this.stopPrices = () => {
      stopList();
      stored?.stop();
      this.stopRules?.();
    };
    this.requestLog = requestLogOf(config, logger, this.team?.data, this.redactor);
    const retentionMs = config.store.retention_days * 86_400_000;
    this.alerting = new Alerting(
      config,
      this.hot,
      logger,
      this.models,
      () => this.health,
      this.team?.data,
      parts.alertBackoffMs,
    );
    const admission = gatewayAdmission(
      config,
      logger,
      this.hot,
      this.billing,
      this.team?.data,
      this.alerting.alerts,
      parts.admission,
    );
    const rules = gatewayRouting(config, this.alerting.alerts, this.team, logger, this, {
      identifier,
      models: this.models,
    });
    this.routing = rules.routing;
    const guard = gatewayGuardrails(config, this.secretBook, this.hot, this.team, logger);
    this.stopRules = () => [rules.stop?.(), guard.stop()];
    const attempts = {
      pool: this.pool,
      models: this.models,
      hot: this.hot,
      health: this.health,
      advice: advisory(this.health),
      retentionMs,
    };
    const store = this.store;
    const guardrails = guard.guardrails;
    this.parts = {
      config,
      logger,
      observe: this.observe,
      requestLog: this.requestLog,
      inflight: this.inflight,
      identifier,
      team: signin.owner,
      models: this.models,
      store,
      limits,
      generate: {
        config,
        models: this.models,
        state: new StateAccess(store, new ReasoningCache(() => store.reasoning), config.reasoning.secret),
        admission,
        redactor: this.redactor,
        guardrails,
        billing: this.billing,
        journal: this.requestLog,
        attempts,
        routing: this.routing,
        webTools: this.webTools,
      },
      count: { models: this.models, pool: this.pool, admission, guardrails },
      embed: {
        config,
        guardrails,
        models: this.models,
        admission,
        billing: this.billing,
        redactor: this.redactor,
        journal: this.requestLog,
        attempts,
        vectors: {
          data: this.team ? dataVectors(new EmbeddingCacheRows(this.team.data)) : undefined,
          hot: hotVectors(this.hot),
        },
      },
      settle: {
        logger,
        redactor: this.redactor,
        billing: this.billing,
        requestLog: this.requestLog,
        observe: this.observe,
        hot: this.hot,
        health: this.health,
        owners: {
          hot: this.hot,
          get responses() {
            return store.responses;
          },
        },
        retentionMs,
        isExact: (alias) => this.models.isExact(alias),
        watch: this.alerting.watch,
      },
      mcp: this.mcp,
      stopping: () => this.stopping,
    };
    this.pruner = setInterval(() => void this.prune(), 3600_000);
    this.pruner.unref();
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.fresh.served(req.socket);
      void serve(this.parts, req, res);
    };
    this.server = httpServer(config.server.tls, handler);
    this.fresh = new FreshConnections(this.server);
    this.sockets = new ResponsesSockets(this.parts, websocketSettings(config.server.websocket), limits.bytes);
    this.server.on("upgrade", (req, socket, head) => this.sockets.upgrade(req, socket, head, this.server));
    this.server.keepAliveTimeout = 75_000;
    this.server.headersTimeout = 80_000;
    this.server.requestTimeout = 0;
  }

  async listen(port = this.config.server.port, host = this.config.server.host): Promise<AddressInfo> {
    // Servers named in the configuration are spawned and connected from the start.
    if (this.mcp && Object.keys(this.config.mcp.servers).length > 0) await this.mcp.load();
    else this.mcp?.watch();
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Checks the Redis of `state.url` once: a bad configuration fails the start, an outage is a warning. */
  checkState(): Promise<string | undefined> {
    return checkStateUrl(this.config.state);
  }

  /** Opens the database now (it is otherwise opened on first use), so that an unusable store fails the start. */
  async open(): Promise<void> {
    await this.team?.data.db();
    // The MCP servers added through the admin API: read now (and watched), not on the first /mcp request.
    await this.mcp?.ready();
    this.mcp?.watch();
  }

  /** Deletes stored responses past their retention (hourly, and on demand). */
  async prune(): Promise<number> {
    const before = Math.floor(Date.now() / 1000 - this.config.store.retention_days * 86400);
    try {
      return await this.store.responses.prune(before);
    } catch (err) {
      this.logger.warn({ err }, "pruning stored responses failed");
      return 0;
    }
  }

  /** Stops listening (once: the server's close callback only comes once); resolves when no connection is left. */
  private stopListening(): Promise<void> {
    this.listening ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
    });
    return this.listening;
  }

  /**
   * A graceful stop (SIGTERM, SIGINT): no new connections (requests on open ones are served, then their
   * connections close); open requests (streams) get up to `graceMs` to finish, then everything is closed.
   */
  async shutdown(graceMs = this.config.server.shutdown_grace_ms): Promise<void> {
    const start = performance.now();
    this.stopping = true;
    void this.stopListening();
    await this.fresh.settled(graceMs);
    this.server.closeIdleConnections();
    this.mcp?.current?.endpoint.endStreams();
    await Promise.all([this.inflight.drain(this.logger, graceMs), this.sockets.stop(graceMs)]);
    // Closing (the last rows to the database, Redis) gets what is left of the grace, at least a second: a
    // database that hangs does not hold the stop (settled requests are in the journal, written at the next start).
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      this.close().then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), Math.max(1000, graceMs - (performance.now() - start)));
      }),
    ]);
    clearTimeout(timer);
    if (late) {
      this.logger.error(
        "closing did not finish within the grace period (the database or Redis does not answer): stopping anyway; settled requests not yet written are in the journal (billing.spool_dir)",
      );
      await new Promise<void>((resolve) => this.logger.flush(() => resolve()));
    }
  }

  /** Closes everything at once (open requests are cut); once, however often it is called. */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    this.stopping = true;
    clearInterval(this.pruner);
    this.stopPrices();
    const stopped = this.stopListening();
    this.server.closeAllConnections();
    this.sockets.close();
    await stopped;
    // Cut requests unwind (their upstream calls abort) and write their log lines before the log is flushed.
    await this.inflight.settled(2000);
    this.pool.close();
    await this.mcp?.close();
    await this.requestLog?.close();
    await this.alerting.close();
    this.team?.directory.close();
    await this.store.close();
    if (this.ownsHot) await this.hot.close();
    await this.observe.close();
    await new Promise<void>((resolve) => {
      this.logger.flush(() => resolve());
    });
  }
}
