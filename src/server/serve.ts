import type { IncomingMessage, ServerResponse } from "node:http";
import { sessionOf } from "../clients/session.js";
import { clientSessionOf } from "../clients/session-headers.js";
import { tagsOf } from "../clients/tags.js";
import { detectClientTool } from "../clients/tool.js";
import { complete } from "../completions/complete.js";
import type { Config } from "../config/schema.js";
import { whenJournalled } from "../data/journal-file.js";
import { DATABASE_UNAVAILABLE, isDatabaseOutage } from "../data/outage.js";
import { type EmbedDeps, embed } from "../embeddings/embed.js";
import type { HttpNote } from "../http/note.js";
import { type BodyLimits, discardBody } from "../http/read-body.js";
import { header } from "../http/reply.js";
import type { Identifier } from "../identity/identify.js";
import type { Principal } from "../identity/principal.js";
import { timeOrderedId } from "../ir/ids.js";
import type { ErrorInfo } from "../ir/types.js";
import type { Logger } from "../log/logger.js";
import type { Observe } from "../observe/observe.js";
import { answerError, answerJson, type Exchange, openExchange } from "../pipeline/exchange.js";
import { type GenerateDeps, generate } from "../pipeline/generate.js";
import { identify } from "../pipeline/identify.js";
import { read } from "../pipeline/read.js";
import { release, type SettleParts, settle } from "../pipeline/settle.js";
import type { RequestBody } from "../request/body.js";
import type { Accepted, Matched, RouteKind } from "../request/route.js";
import { Trail, type Transport } from "../request/trail.js";
import type { RequestLog } from "../requestlog/request-log.js";
import { rerank } from "../rerank/rerank.js";
import type { ModelTable } from "../routing/model-table.js";
import { unavailableAnswer } from "../state/resilient.js";
import type { Store } from "../store/types.js";
import { accept, dialectOfUnknown, isAccepted } from "./accept.js";
import { asBedrockCount } from "./bedrock-count.js";
import { asBedrockErrors } from "./bedrock-errors.js";
import { asBedrockStream, bedrockCodec } from "./bedrock-reply.js";
import { fromCloudBody, inferenceProfiles } from "./cloud-body.js";
import { type CountDeps, countTokens } from "./count-tokens.js";
import { geminiModels } from "./gemini-models.js";
import type { Inflight } from "./inflight.js";
import type { McpLoader } from "./mcp-loader.js";
import { serveMcp } from "./mcp-route.js";
import { listModels, oneModel } from "./models.js";
import { storedResponse } from "./stored-responses.js";

/** A part of llmux that serves some paths itself, before any client key is asked for (the admin API, the UI). */
export interface PathOwner {
  owns(path: string): boolean;
  /** A node:http handler; `note` is the request's log note (quiet, the refusal's reason). */
  serve(req: IncomingMessage, res: ServerResponse, path: string, note: HttpNote): Promise<void>;
}

/** What serving a request needs: the stages' parts, wired by the gateway (src/server/gateway.ts). */
export interface ServeParts {
  readonly config: Pick<Config, "cursor">;
  readonly logger: Logger;
  readonly observe: Observe;
  readonly requestLog: RequestLog | undefined;
  readonly inflight: Inflight;
  readonly identifier: Identifier;
  /** The admin API, the web UI and sign-up, when on. */
  readonly team: PathOwner | undefined;
  readonly models: ModelTable;
  readonly store: Store;
  readonly limits: BodyLimits;
  readonly generate: GenerateDeps;
  readonly count: CountDeps;
  /** The embeddings routes (POST /v1/embeddings, Gemini's embedContent): admission, routing, the cache. */
  readonly embed: EmbedDeps;
  readonly settle: SettleParts;
  /** The MCP endpoint (`/mcp`), when MCP servers are configured. */
  readonly mcp?: McpLoader | undefined;
  /** Whether a stop began (requests still arriving on open connections are answered 503). */
  stopping(): boolean;
}

/**
 * One request, from accept to settle: accept → identify → read+decode → (plan → admit → attempt loop →
 * respond, for a generation) → settle. Settled exactly once, as its answer ends (before its last bytes leave:
 * its ledger row is journalled by then), or at the latest here, however the request ended.
 */
export async function serve(
  parts: ServeParts,
  req: IncomingMessage,
  res: ServerResponse,
  transport: Transport = "http",
): Promise<void> {
  // The id is llmux's own, always: a client's x-request-id is kept beside it (it may repeat or collide). Its
  // first characters are the time, so that the rows it keys are appended to their tables' indexes (ids.ts).
  const id = timeOrderedId("req_", 20);
  res.setHeader("x-request-id", id);
  const clientId = header(req.headers, "x-request-id");
  const trail = new Trail(
    id,
    req.method ?? "GET",
    (req.url ?? "/").split("?")[0]!,
    parts.logger.isLevelEnabled("debug"),
  );
  trail.clientTool = detectClientTool(req.headers);
  trail.transport = transport;
  trail.clientSession = clientSessionOf(req.headers);
  trail.session = sessionOf(req.headers);
  if (clientId) trail.clientRequestId = clientId.slice(0, 200);
  const tagged = tagsOf(req.headers);
  if (tagged.tags.length > 0) trail.tags = tagged.tags;
  if (tagged.bad.length > 0) trail.badTags = tagged.bad;
  if (tagged.duplicate !== undefined) trail.duplicateTag = tagged.duplicate.slice(0, 64);
  const settleNow = () => {
    if (ex.signal.aborted && !res.writableFinished) trail.answer.outcome = "aborted";
    settle(parts.settle, trail);
  };
  const ex = openExchange(req, res, trail, settleNow, whenJournalled);
  parts.observe.begin(ex, parts.requestLog?.captureBytes);
  parts.inflight.add(trail);
  try {
    await handle(parts, ex);
  } catch (err) {
    if (!ex.signal.aborted) {
      const refused = unavailableAnswer(err) ?? (isDatabaseOutage(err) ? DATABASE_UNAVAILABLE : undefined);
      if (!refused) parts.logger.error({ err, req_id: id }, "unhandled error");
      else trail.answer.reason ??= (err as Error).message;
      const internal: ErrorInfo = refused ?? { status: 500, kind: "server", message: "internal error" };
      if (!res.headersSent) answerError(ex, trail.client ?? "openai-chat", internal, { close: true });
      else {
        trail.answer.outcome = "error";
        trail.answer.reason ??= (err as Error).message;
        res.destroy();
      }
    }
  } finally {
    settleNow();
    await release(parts.settle, trail, ex.signal.aborted);
    // The answer's last bytes may wait for the journal's group write: in flight until they are sent.
    await new Promise<void>((sent) => whenJournalled(sent));
    parts.inflight.delete(trail);
  }
}

async function handle(parts: ServeParts, ex: Exchange): Promise<void> {
  const { trail } = ex;
  if (parts.observe.owns(trail.path)) return parts.observe.serve(ex);
  if (parts.team?.owns(trail.path)) return parts.team.serve(ex.req, ex.res, trail.path, ex.note);
  const accepted = accept(ex.req);
  // The one place a body no stage reads is let go, as it arrives and within the body limits: a route not found
  // or malformed, and the routes that take none.
  if (!isAccepted(accepted) || !takesBody(accepted.match)) discardBody(ex.req, parts.limits);
  if (!isAccepted(accepted)) {
    trail.client = dialectOfUnknown(ex.req);
    answerError(ex, trail.client, accepted);
    return;
  }
  const { match, dialect } = accepted;
  trail.client = dialect;
  trail.kind = match.kind;
  // Bedrock's clients read its errors' shape (the exception in `x-amzn-errortype`), from the key check on, and
  // the request id from `x-amzn-requestid` (the AWS SDK's `$metadata.requestId`).
  if (match.front === "bedrock" || match.kind === "inference_profiles") {
    ex.res.setHeader("x-amzn-requestid", trail.id);
    asBedrockErrors(ex.res, (status) => {
      trail.answer.status = status;
    });
  }
  if (match.malformed !== undefined) {
    answerError(ex, dialect, {
      status: 400,
      kind: "invalid_request",
      message: `The path segment ${JSON.stringify(match.malformed)} is not valid percent-encoding.`,
      code: null,
      param: null,
    });
    return;
  }
  // A request on a connection opened before the stop began (a new connection handed to this process just
  // before it stopped listening, or a kept-alive one): served within the grace period like the open ones, and
  // its connection closes after the answer, so a client moves on to another instance.
  if (parts.stopping()) ex.res.shouldKeepAlive = false;
  if (match.kind === "health" || match.kind === "root") {
    trail.note.quiet = true;
    // `models` counts what GET /v1/models lists; patterns are counted apart.
    if (ex.req.method === "HEAD") {
      trail.answer.status = 200;
      ex.res.writeHead(200).end();
    } else
      answerJson(ex, 200, {
        status: "ok",
        name: "llmux",
        models: parts.models.listed().length,
        model_patterns: parts.models.patternNames().length,
      });
    return;
  }
  const principal = await identify(ex, accepted, parts.identifier, {
    cursorDetect: parts.config.cursor.detect,
    limits: parts.limits,
  });
  if (!principal) return;
  trail.principal = principal;
  return route(parts, ex, accepted, principal);
}

/**
 * A Bedrock InvokeModel or Vertex rawPredict request's body as the Messages body it wraps (and a Bedrock
 * stream's answer re-framed as Amazon's event stream); any other request's body as read.
 */
async function cloudFront(
  ex: Exchange,
  match: Matched,
  body: RequestBody | undefined,
): Promise<RequestBody | undefined> {
  if (!body || !match.front) return body;
  const unwrapped = fromCloudBody(match, body, ex.req.headers);
  if (!("raw" in unwrapped)) {
    answerError(ex, "anthropic", unwrapped);
    return undefined;
  }
  if (match.front === "bedrock" && match.kind === "generate" && match.stream)
    asBedrockStream(ex.res, await bedrockCodec());
  if (match.front === "bedrock" && match.kind === "count_tokens") asBedrockCount(ex.res);
  return unwrapped;
}

/** Whether a route's handler reads the request's body (a generation, a count, MCP); the others let it go. */
function takesBody(match: Matched): boolean {
  return match.malformed === undefined && READS_BODY[match.kind];
}

/** Which routes read the request body (the rest have it discarded after accept); a new kind must say. */
const READS_BODY: Record<RouteKind, boolean> = {
  generate: true,
  count_tokens: true,
  mcp: true,
  embeddings: true,
  completions: true,
  rerank: true,
  models: false,
  model: false,
  health: false,
  root: false,
  response_get: false,
  response_input_items: false,
  response_delete: false,
  inference_profiles: false,
};

/** The identified request, to its route's handler. */
async function route(parts: ServeParts, ex: Exchange, accepted: Accepted, principal: Principal): Promise<void> {
  const { match, dialect } = accepted;
  switch (match.kind) {
    case "generate": {
      const body = await cloudFront(ex, match, await read(ex, dialect, parts.limits));
      if (!body) return;
      ex.trail.requestBytes = body.raw.length;
      ex.trail.session = sessionOf(ex.req.headers, body.json);
      return generate(ex, accepted, body, parts.generate);
    }
    case "count_tokens": {
      const body = await cloudFront(ex, match, await read(ex, dialect, parts.limits));
      if (!body) return;
      ex.trail.requestBytes = body.raw.length;
      ex.trail.session = sessionOf(ex.req.headers, body.json);
      return countTokens(ex, parts.count, dialect, match.model ?? "", body.json);
    }
    case "embeddings": {
      const body = await read(ex, dialect, parts.limits);
      if (!body) return;
      ex.trail.requestBytes = body.raw.length;
      ex.trail.session = sessionOf(ex.req.headers, body.json);
      return embed(ex, accepted, body, parts.embed);
    }
    case "completions":
    case "rerank": {
      const body = await read(ex, dialect, parts.limits);
      if (!body) return;
      ex.trail.requestBytes = body.raw.length;
      ex.trail.session = sessionOf(ex.req.headers, body.json);
      if (match.kind === "rerank") return rerank(ex, accepted, body, parts.embed);
      return complete(ex, accepted, body, parts.embed);
    }
    case "inference_profiles":
      return inferenceProfiles(ex);
    case "models":
      if (dialect === "gemini") return geminiModels(ex, parts.models);
      return listModels(ex, parts.models, dialect, principal);
    case "model":
      if (dialect === "gemini") return geminiModels(ex, parts.models, match.model ?? "");
      return oneModel(ex, parts.models, dialect, match.model ?? "");
    case "mcp":
      return serveMcp(parts.mcp, ex, principal, match.server, parts.limits);
    default:
      return storedResponse(ex, parts.store.responses, principal.owner, match);
  }
}
