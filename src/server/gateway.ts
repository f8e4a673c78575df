import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Billing } from "../billing/billing.js";
import { billingOf } from "../billing/wire.js";
import { detectClientTool } from "../clients/tool.js";
import type { Config } from "../config/schema.js";
import { readTls } from "../config/tls.js";
import { decodeJson } from "../http/decode-json.js";
import { answerError, answerJson, type Exchange, openExchange } from "../http/exchange.js";
import { type BodyLimits, BodyRefused, discardBody, readBody } from "../http/read-body.js";
import { header } from "../http/reply.js";
import { allowListAdmission } from "../identity/allow.js";
import { Identifier, isRefusal, type Resolver } from "../identity/identify.js";
import type { Principal } from "../identity/principal.js";
import { configResolvers } from "../identity/resolvers.js";
import { newId } from "../ir/ids.js";
import type { ErrorInfo } from "../ir/types.js";
import { limitsAdmission } from "../limits/admission.js";
import type { Logger } from "../observe/logger.js";
import { Observe } from "../observe/observe.js";
import { StateAccess } from "../pipeline/caller-state.js";
import { type GenerateDeps, generate, type RequestBody } from "../pipeline/generate.js";
import { refuse } from "../pipeline/refuse.js";
import { settle } from "../pipeline/settle.js";
import { createProviders, type Provider } from "../providers/index.js";
import { ReasoningCache } from "../reasoning/cache.js";
import { type Admission, chainAdmissions } from "../request/admission.js";
import { decide, newRecord } from "../request/record.js";
import type { RequestLog } from "../requestlog/request-log.js";
import { requestLogOf } from "../requestlog/wire.js";
import { DeploymentHealth } from "../routing/health.js";
import { deploymentRows } from "../routing/health-view.js";
import { ModelTable } from "../routing/model-table.js";
import type { HotState } from "../state/hot-state.js";
import { unavailableAnswer } from "../state/resilient.js";
import type { Store } from "../store/types.js";
import { countTokens } from "../tokens/count-endpoint.js";
import { createPool, type UpstreamPool } from "../upstream/call.js";
import { MB } from "../upstream/screen.js";
import { type Accepted, accept, dialectOfUnknown, isAccepted } from "./accept.js";
import { geminiCountTokens, geminiModels } from "./gemini-models.js";
import { hotStateOf } from "./hot-state-of.js";
import { Inflight } from "./inflight.js";
import { listModels, oneModel, storedResponse } from "./model-endpoints.js";
import { TeamParts } from "./team-parts.js";

/** What kind of caller a principal is, in words for the debug log. */
const CALLER_WORDS: Record<Principal["kind"], string> = {
  open: "no key required",
  config: "service key",
  passthrough: "pass-through: its own upstream key",
  minted: "minted key",
};

/** Stages other parts of llmux may supply in place of the defaults. */
export interface GatewayParts {
  /** Resolvers asked before the config's own (auth.keys, pass-through, open). */
  resolvers?: readonly Resolver[];
  admission?: Admission;
  store?: Store;
  /** Hot shared state (default: opened from `state`, memory or Redis). */
  hot?: HotState;
}

/**
 * The running gateway: it owns the server, the providers, the model table, the connection pool and the
 * store, and wires the request stages: accept → identify → read+decode → plan → admit → attempt →
 * respond → settle. The stages decide; the gateway only passes each one what it needs.
 */
export class Gateway {
  readonly server: Server;
  readonly providers: Map<string, Provider>;
  readonly models: ModelTable;
  /** Responses state, the reasoning cache and the envelope secret (SQLite, opened on first use). */
  readonly store: Store;
  /** Counters, reservations, cooldowns, affinity: this process's memory, or Redis shared by instances. */
  readonly hot: HotState;
  private readonly ownsHot: boolean;
  private readonly pool: UpstreamPool;
  private readonly identifier: Identifier;
  private readonly limits: BodyLimits;
  private readonly deps: GenerateDeps;
  private readonly pruner: NodeJS.Timeout;
  /** Requests being served (for a graceful stop: what it waits for, and what it names). */
  private readonly inflight = new Inflight();
  /** Set once a stop began: new requests are answered 503. */
  private stopping = false;
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

  constructor(
    readonly config: Config,
    readonly logger: Logger,
    parts: GatewayParts = {},
  ) {
    this.providers = createProviders(config);
    this.models = new ModelTable(config.models, this.providers);
    this.observe = new Observe(config, logger, this.models);
    this.pool = createPool({
      eventBytes: Math.round(config.server.max_event_mb * MB),
      answerBytes: Math.round(config.server.max_answer_mb * MB),
    });
    this.limits = {
      bytes: Math.round(config.server.body_limit_mb * 1024 * 1024),
      timeoutMs: config.server.body_timeout_ms,
    };
    this.team = parts.store
      ? undefined
      : new TeamParts(config, this.limits, {
          providers: this.providers,
          deployments: () => deploymentRows(this.models.allDeployments(), this.deps.health),
        });
    this.identifier = new Identifier([
      ...(parts.resolvers ?? []),
      ...(this.team?.resolvers ?? []),
      ...configResolvers(config.auth),
    ]);
    this.store = parts.store ?? this.team!.store;
    this.billing = billingOf(config, logger);
    this.requestLog = requestLogOf(config, logger, this.team?.data);
    const cache = new ReasoningCache(() => this.store.reasoning);
    this.ownsHot = parts.hot === undefined;
    this.hot = parts.hot ?? hotStateOf(config, logger);
    this.deps = {
      config,
      models: this.models,
      pool: this.pool,
      hot: this.hot,
      health: new DeploymentHealth(this.hot, {
        coolDown: (d, ms, why) => {
          this.observe.cooledDown(d);
          logger.warn(
            { deployment: d.name, provider: d.provider.name, cooldown_ms: Math.round(ms) },
            `deployment ${d.name} cools down for ${Math.round(ms / 100) / 10} s: ${why}`,
          );
        },
        recovered: (d) => logger.info({ deployment: d.name }, `deployment ${d.name} recovered (its probe succeeded)`),
      }),
      retentionDays: config.store.retention_days,
      state: new StateAccess(this.store, cache, config.reasoning.secret),
      admission: allowListAdmission(
        chainAdmissions(
          parts.admission,
          limitsAdmission({
            hot: this.hot,
            billing: this.billing,
            data: this.team?.data,
            timezone: config.billing.timezone,
            alertAt: config.billing.alert_at,
            users: config.billing.users,
            warn: (fields, msg) => logger.warn(fields, msg),
          }),
        ),
      ),
    };
    this.pruner = setInterval(() => void this.prune(), 3600_000);
    this.pruner.unref();
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.serve(req, res);
    const tls = config.server.tls;
    this.server = tls ? createHttpsServer(readTls(tls), handler) : createHttpServer(handler);
    this.server.keepAliveTimeout = 75_000;
    this.server.headersTimeout = 80_000;
    this.server.requestTimeout = 0;
  }

  listen(port = this.config.server.port, host = this.config.server.host): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Opens the database now (it is otherwise opened on first use), so that an unusable store fails the start. */
  async open(): Promise<void> {
    await this.team?.data.db();
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
   * A graceful stop (SIGTERM, SIGINT): no new connections or requests (those still arriving on open
   * connections are answered 503), the requests being served (open streams) get up to `graceMs` to finish,
   * then everything is closed. What it waits for, and what it had to cut, is logged.
   */
  async shutdown(graceMs = this.config.server.shutdown_grace_ms): Promise<void> {
    this.stopping = true;
    void this.stopListening();
    this.server.closeIdleConnections();
    await this.inflight.drain(this.logger, graceMs);
    await this.close();
  }

  /** Closes everything at once (open requests are cut); once, however often it is called. */
  close(): Promise<void> {
    this.closing ??= this.closeNow();
    return this.closing;
  }

  private async closeNow(): Promise<void> {
    this.stopping = true;
    clearInterval(this.pruner);
    const stopped = this.stopListening();
    this.server.closeAllConnections();
    await stopped;
    // Cut requests unwind (their upstream calls abort) and write their log lines before the log is flushed.
    await this.inflight.settled(2000);
    this.pool.close();
    await this.requestLog?.close();
    this.team?.directory.close();
    await this.store.close();
    if (this.ownsHot) await this.hot.close();
    await this.observe.close();
    await new Promise<void>((resolve) => {
      this.logger.flush(() => resolve());
    });
  }

  /** One request, from accept to settle: settled exactly once, whatever happens on the way. */
  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const id = header(req.headers, "x-request-id") ?? newId("req_", 20);
    res.setHeader("x-request-id", id);
    const rec = newRecord(
      id,
      req.method ?? "GET",
      (req.url ?? "/").split("?")[0]!,
      this.logger.isLevelEnabled("debug"),
    );
    rec.clientTool = detectClientTool(req.headers);
    // Settled as the answer ends (before its last bytes leave: its ledger row is journalled by then), or
    // here at the latest, however the request ended.
    const settleNow = () => {
      if (ex.signal.aborted && !res.writableFinished) rec.outcome = "aborted";
      settle(this, rec);
    };
    const ex = openExchange(req, res, rec, settleNow);
    this.observe.begin(ex, this.requestLog?.captureBytes);
    this.inflight.add(rec);
    try {
      await this.handle(ex);
    } catch (err) {
      if (!ex.signal.aborted) {
        const refused = unavailableAnswer(err);
        if (!refused) this.logger.error({ err, req_id: id }, "unhandled error");
        const internal: ErrorInfo = refused ?? { status: 500, kind: "server", message: "internal error" };
        if (!res.headersSent) answerError(ex, rec.client ?? "openai-chat", internal, { close: true });
        else {
          rec.outcome = "error";
          rec.reason ??= (err as Error).message;
          res.destroy();
        }
      }
    } finally {
      settleNow();
      this.inflight.delete(rec);
    }
  }

  private async handle(ex: Exchange): Promise<void> {
    if (this.observe.owns(ex.rec.path)) return this.observe.serve(ex);
    if (this.team?.owns(ex.rec.path)) return this.team.serve(ex, ex.rec.path);
    const accepted = accept(ex.req);
    if (!isAccepted(accepted)) {
      ex.rec.client = dialectOfUnknown(ex.req);
      answerError(ex, ex.rec.client, accepted);
      discardBody(ex.req, this.limits);
      return;
    }
    const { match, dialect } = accepted;
    ex.rec.client = dialect;
    if (this.stopping) {
      // A request on a connection opened before the stop began: said plainly, and the connection closes.
      answerError(
        ex,
        dialect,
        { status: 503, kind: "overloaded", message: "llmux is shutting down; retry on another instance" },
        { close: true },
      );
      discardBody(ex.req, this.limits);
      return;
    }
    if (match.kind === "health" || match.kind === "root") {
      discardBody(ex.req, this.limits);
      ex.rec.quiet = true;
      // `models` counts what GET /v1/models lists; patterns are counted apart.
      if (ex.req.method === "HEAD") {
        ex.rec.status = 200;
        ex.res.writeHead(200).end();
      } else
        answerJson(ex, 200, {
          status: "ok",
          name: "llmux",
          models: this.models.listed().length,
          model_patterns: this.models.patternNames().length,
        });
      return;
    }
    const principal = await this.identifier.identify(ex.req.headers);
    if (isRefusal(principal)) {
      ex.rec.reason = principal.message;
      await refuse(ex, accepted, principal, { cursorDetect: this.config.cursor.detect, limits: this.limits });
      return;
    }
    ex.rec.key = principal.name;
    ex.rec.keyId = principal.keyId;
    ex.rec.teamId = principal.teamId;
    ex.rec.user = principal.user;
    for (const secret of principal.credentials?.values() ?? []) ex.rec.capture?.secret(secret);
    decide(ex.rec, () => `caller ${principal.name ?? principal.owner} (${CALLER_WORDS[principal.kind]})`);
    return this.route(ex, accepted, principal);
  }

  /** The identified request, to its route's handler. */
  private async route(ex: Exchange, accepted: Accepted, principal: Principal): Promise<void> {
    const { match, dialect } = accepted;
    switch (match.kind) {
      case "generate": {
        const body = await this.readJson(ex, accepted);
        if (body) await generate(ex, accepted, principal, body, this.deps);
        return;
      }
      case "count_tokens": {
        const body = await this.readJson(ex, accepted);
        if (body && dialect === "gemini")
          await geminiCountTokens(ex, this.deps, principal, match.model ?? "", body.json);
        else if (body) await countTokens(ex, this.deps, principal, body.json);
        return;
      }
      case "models":
        discardBody(ex.req, this.limits);
        if (dialect === "gemini") return geminiModels(ex, this.models);
        return listModels(ex, this.models, dialect);
      case "model":
        discardBody(ex.req, this.limits);
        if (dialect === "gemini") return geminiModels(ex, this.models, match.model ?? "");
        return oneModel(ex, this.models, dialect, match.model ?? "");
      default:
        discardBody(ex.req, this.limits);
        return storedResponse(ex, this.store.responses, principal.owner, match);
    }
  }

  /** The read+decode stage: the body within its limits, as JSON; undefined once an error was answered. */
  private async readJson(ex: Exchange, accepted: Accepted): Promise<RequestBody | undefined> {
    let raw: Buffer;
    try {
      raw = await readBody(ex.req, this.limits);
    } catch (err) {
      if (err instanceof BodyRefused) {
        answerError(ex, accepted.dialect, err.info, { close: true });
        return undefined;
      }
      if (ex.signal.aborted || ex.req.destroyed) return undefined;
      throw err;
    }
    ex.rec.requestBytes = raw.length;
    ex.rec.capture?.request(raw);
    const decoded = decodeJson(raw);
    if (!decoded.ok) {
      answerError(ex, accepted.dialect, decoded.error);
      return undefined;
    }
    return { json: decoded.json, raw };
  }
}
