import { createHash } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { detectClient } from "../clients/detect.js";
import { detectClientTool } from "../clients/tool.js";
import type { Config } from "../config/schema.js";
import { readTls } from "../config/tls.js";
import { newId } from "../ir/ids.js";
import { InputError, isObject } from "../ir/input-error.js";
import type { Dialect, ErrorInfo, Json } from "../ir/types.js";
import { Warnings } from "../ir/warnings.js";
import type { Logger } from "../observe/logger.js";
import { createProviders, type Provider } from "../providers/index.js";
import { ReasoningCache } from "../reasoning/cache.js";
import { SqliteStore } from "../store/sqlite.js";
import type { Store } from "../store/types.js";
import { codecs } from "../translate/codecs.js";
import { KeyRing, presentedKey } from "./auth.js";
import { estimateInputTokens } from "./count-tokens.js";
import { listModels, oneModel, storedResponse } from "./endpoints.js";
import { finalise, newRecord, type RequestRecord } from "./finalise.js";
import { BodyTooLarge, header, readBody, sendError, sendJson } from "./http.js";
import { ModelTable } from "./model-table.js";
import { type Plan, prepare, type State } from "./prepare.js";
import { respond } from "./respond.js";
import { type Matched, matchRoute } from "./routes.js";
import { callUpstream, createPool, readAll, UpstreamFailure, type UpstreamPool } from "./upstream.js";

/** The upstream body, released from the plan: an open stream should not hold its request. */
function takeBody(plan: Plan): string | Buffer {
  const body = plan.body;
  plan.body = "";
  return body;
}

function isErrorInfo(v: Plan | ErrorInfo): v is ErrorInfo {
  return "kind" in v && "status" in v && !("route" in v);
}

/** The running gateway: one HTTP(S) server, its providers, model table and connection pool. */
export class Gateway {
  readonly server: Server;
  readonly providers: Map<string, Provider>;
  readonly models: ModelTable;
  private readonly keys: KeyRing;
  private readonly pool: UpstreamPool;
  private readonly bodyLimit: number;
  /** Responses state, the reasoning cache and the envelope secret (SQLite, opened on first use). */
  readonly store: Store;
  private readonly cache: ReasoningCache;
  private readonly pruner: NodeJS.Timeout;

  constructor(
    readonly config: Config,
    readonly logger: Logger,
  ) {
    this.providers = createProviders(config);
    this.models = new ModelTable(config.models, this.providers);
    this.keys = new KeyRing(config.auth.keys);
    this.pool = createPool();
    this.bodyLimit = Math.round(config.server.body_limit_mb * 1024 * 1024);
    this.store = new SqliteStore({
      path: config.store.path,
      reasoningMaxEntries: config.reasoning.cache_max_entries,
      reasoningTtlSeconds: Math.round(config.reasoning.cache_ttl_hours * 3600),
    });
    this.cache = new ReasoningCache(() => this.store.reasoning);
    this.pruner = setInterval(() => this.prune(), 3600_000);
    this.pruner.unref();
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err: unknown) => {
        this.logger.error({ err }, "unhandled error");
        if (!res.headersSent) sendJson(res, 500, { error: { message: "internal error", type: "server_error" } });
        else res.destroy();
      });
    };
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
  } /** Deletes stored responses past their retention (hourly, and on demand). */
  prune(): number {
    const before = Math.floor(Date.now() / 1000 - this.config.store.retention_days * 86400);
    try {
      return this.store.responses.prune(before);
    } catch (err) {
      this.logger.warn({ err }, "pruning stored responses failed");
      return 0;
    }
  }

  /** Per-request access to state; the caller's key (digested) scopes its cached reasoning. */
  private state(req: IncomingMessage): State {
    const key = presentedKey(req.headers) ?? "";
    const store = this.store;
    const secret = this.config.reasoning.secret;
    let scope: string | undefined;
    return {
      secret: () => secret ?? store.secret(),
      cache: this.cache,
      responses: () => store.responses,
      // Only Chat clients need it (the reasoning cache): digested on first use.
      get scope() {
        scope ??= createHash("sha256").update(key).digest("base64url").slice(0, 16);
        return scope;
      },
    };
  }

  async close(): Promise<void> {
    clearInterval(this.pruner);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    this.pool.close();
    this.store.close();
    await new Promise<void>((resolve) => {
      this.logger.flush(() => resolve());
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = req.url ?? "/";
    const match = matchRoute(method, url);
    if (!match) {
      req.resume();
      sendJson(res, 404, {
        error: {
          message: `Unknown route: ${method} ${url.split("?")[0]}`,
          type: "not_found_error",
          param: null,
          code: null,
        },
      });
      return;
    }
    const dialect: Dialect =
      match.kind === "models" && header(req.headers, "anthropic-version") ? "anthropic" : match.dialect;
    if (match.kind === "health" || match.kind === "root") {
      req.resume();
      if (method === "HEAD") {
        res.writeHead(200).end();
        return;
      }
      // `models` counts what GET /v1/models lists; patterns are counted apart.
      const models = this.models.listed().length;
      sendJson(res, 200, { status: "ok", name: "llmux", models, model_patterns: this.models.patternNames().length });
      return;
    }
    // Pass-through: each caller spends its own provider key, so a request without one is refused (never
    // served with a provider key from the config). Otherwise: one of the service keys.
    const key = presentedKey(req.headers);
    if (this.config.auth.passthrough ? key === undefined : !this.keys.accepts(key)) {
      await this.refuse(req, res, match, dialect);
      return;
    }
    switch (match.kind) {
      case "generate":
        return this.generate(req, res, match);
      case "count_tokens":
        return this.countTokens(req, res);
      case "models":
        req.resume();
        return listModels(this.models, res, dialect);
      case "model":
        req.resume();
        return oneModel(this.models, res, dialect, match.model ?? "");
      case "response_get":
      case "response_input_items":
      case "response_delete":
        req.resume();
        return storedResponse(this.store, res, match);
    }
  } /** A 401 in the client's dialect; Cursor, which shows no body for a 401, gets a 403 saying what to fix. */
  private async refuse(req: IncomingMessage, res: ServerResponse, match: Matched, dialect: Dialect): Promise<void> {
    const present = presentedKey(req.headers) !== undefined;
    const message = present
      ? "The API key is not one of llmux's service keys (auth.keys in the llmux config)."
      : "No API key: send one of llmux's service keys as 'Authorization: Bearer <key>', 'x-api-key' or 'api-key'.";
    let cursor = false;
    if (match.kind === "generate" && dialect === "openai-chat" && this.config.cursor.detect !== "never") {
      const body = await readBody(req, this.bodyLimit).catch(() => undefined);
      let parsed: Json | undefined;
      try {
        parsed = body ? (JSON.parse(body.toString("utf8")) as Json) : undefined;
      } catch {
        parsed = undefined;
      }
      const path = (req.url ?? "").split("?")[0]!;
      cursor =
        detectClient(dialect, path, req.headers, parsed ?? null, this.config.cursor.detect === "always") === "cursor";
    } else req.resume();
    if (cursor) {
      sendError(res, dialect, {
        status: 403,
        kind: "permission",
        message: `llmux rejected the API key. In Cursor, set Settings → Models → OpenAI API Key to one of llmux's service keys (auth.keys in the llmux config; SERVICE_API_KEY without a config file). ${message}`,
        code: "invalid_api_key",
      });
      return;
    }
    sendError(res, dialect, { status: 401, kind: "authentication", message, code: "invalid_api_key" });
  }

  private async readJson(
    req: IncomingMessage,
    res: ServerResponse,
    dialect: Dialect,
    rec?: RequestRecord,
  ): Promise<{ json: Json; raw: Buffer } | undefined> {
    let raw: Buffer;
    try {
      raw = await readBody(req, this.bodyLimit);
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        const status = sendError(res, dialect, {
          status: 413,
          kind: "request_too_large",
          message: `Request body is larger than ${this.config.server.body_limit_mb} MB (server.body_limit_mb)`,
        });
        if (rec) rec.status = status;
        return undefined;
      }
      throw err;
    }
    if (rec) rec.requestBytes = raw.length;
    try {
      return { json: JSON.parse(raw.toString("utf8")) as Json, raw };
    } catch (err) {
      const info = new InputError(null, `Request body is not valid JSON: ${(err as Error).message}`).toErrorInfo();
      const status = sendError(res, dialect, info);
      if (rec) rec.status = status;
      return undefined;
    }
  }

  /** Reads and plans a generation request; undefined once an error has been answered. */
  private async plan(
    req: IncomingMessage,
    res: ServerResponse,
    match: Matched,
    rec: RequestRecord,
    state: State,
  ): Promise<Plan | undefined> {
    const client = match.dialect;
    const read = await this.readJson(req, res, client, rec);
    if (read === undefined) {
      rec.outcome = "error";
      return undefined;
    }
    const { json: body, raw } = read;
    const detect = this.config.cursor.detect;
    const clientName =
      detect === "never" ? "generic" : detectClient(client, rec.path, req.headers, body, detect === "always");
    if (clientName === "cursor") rec.clientTool = "cursor";
    const prepared = prepare({
      client,
      body,
      raw,
      pathModel: match.model,
      models: this.models,
      defaults: { policy: this.config.defaults.policy, reasoningDisplay: this.config.defaults.reasoning_display },
      clientName,
      cursor: {
        reasoningDisplay: this.config.cursor.reasoning_display,
        errorsAsText: this.config.cursor.errors_as_text,
      },
      state,
    });
    if (!isErrorInfo(prepared)) return prepared;
    rec.outcome = "error";
    rec.error = prepared.message;
    rec.status = sendError(res, client, prepared);
    return undefined;
  }

  private async generate(req: IncomingMessage, res: ServerResponse, match: Matched): Promise<void> {
    const id = header(req.headers, "x-request-id") ?? newId("req_", 20);
    const client = match.dialect;
    const rec = newRecord(id, client, (req.url ?? "").split("?")[0]!, 0);
    rec.clientTool = detectClientTool(req.headers);
    res.setHeader("x-request-id", id);
    const controller = new AbortController();
    let aborted = false;
    res.on("close", () => {
      if (!res.writableFinished) {
        aborted = true;
        controller.abort();
      }
    });
    let plan: Plan | undefined;
    const state = this.state(req);
    try {
      const prepared = await this.plan(req, res, match, rec, state);
      if (!prepared) return;
      plan = prepared;
      rec.alias = plan.route.alias;
      rec.provider = plan.route.provider.name;
      rec.model = plan.route.upstreamModel;
      rec.stream = plan.clientStream;
      rec.passthrough = plan.passthrough;
      const provider = plan.route.provider;
      const target = provider.target(plan.route.upstreamModel, {
        stream: plan.upstreamStream,
        callerKey: this.config.auth.passthrough ? presentedKey(req.headers) : undefined,
        clientHeaders: req.headers,
        sameDialect: plan.passthrough,
        warnings: plan.warnings,
      });
      const reply = await callUpstream(this.pool, provider, target, takeBody(plan), controller.signal);
      if (aborted) {
        await reply.dump().catch(() => undefined);
        return;
      }
      await respond(state, plan, reply, res, rec);
    } catch (err) {
      if (aborted || controller.signal.aborted) return;
      rec.outcome = "error";
      if (err instanceof UpstreamFailure) {
        rec.error = err.message;
        rec.status = sendError(res, client, err.info);
        return;
      }
      throw err;
    } finally {
      if (aborted) rec.outcome = "aborted";
      if (plan) rec.warnings = plan.warnings.list;
      finalise(this.logger, rec);
    }
  }

  private async countTokens(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await this.readJson(req, res, "anthropic"))?.json;
    if (body === undefined) return;
    const requested = isObject(body) && typeof body.model === "string" ? body.model : undefined;
    const route = requested ? this.models.resolve(requested) : undefined;
    if (route?.provider.countTarget && isObject(body)) {
      const target = route.provider.countTarget(route.upstreamModel, {
        stream: false,
        callerKey: this.config.auth.passthrough ? presentedKey(req.headers) : undefined,
        clientHeaders: req.headers,
        sameDialect: true,
        warnings: new Warnings(),
      });
      try {
        const reply = await callUpstream(
          this.pool,
          route.provider,
          target,
          JSON.stringify({ ...body, model: route.upstreamModel }),
          AbortSignal.timeout(60_000),
        );
        const text = await readAll(reply.body);
        res.writeHead(reply.status, { "content-type": "application/json" });
        res.end(text);
        return;
      } catch (err) {
        if (!(err instanceof UpstreamFailure)) throw err;
        // fall back to an estimate
      }
    }
    let ir: ReturnType<(typeof codecs)["anthropic"]["decodeRequest"]>;
    try {
      ir = codecs.anthropic.decodeRequest(isObject(body) ? { max_tokens: 1, ...body } : body);
    } catch (err) {
      if (err instanceof InputError) {
        sendError(res, "anthropic", err.toErrorInfo());
        return;
      }
      throw err;
    }
    sendJson(res, 200, { input_tokens: await estimateInputTokens(ir) }, { "llmux-estimated": "true" });
  }
}
