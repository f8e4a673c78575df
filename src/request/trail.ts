import type { SessionIds } from "../clients/session.js";
import type { ClientSession } from "../clients/session-headers.js";
import type { FindingNote } from "../guardrails/guard.js";
import type { HttpNote } from "../http/exchange.js";
import type { RefusedKey } from "../identity/identify.js";
import type { Principal } from "../identity/principal.js";
import type { Dialect } from "../ir/types.js";
import type { Deployment } from "../routing/deployments.js";
import type { Admitted } from "./admission.js";
import { type Answer, newAnswer } from "./answer.js";
import type { ExchangeCapture } from "./capture.js";
import type { Plan } from "./plan.js";
import type { RequestRecord } from "./record.js";
import type { RouteKind } from "./route.js";
import type { RequestTiming } from "./timing.js";
import type { ToolCall } from "./tool-call.js";

/** How the request came: an HTTP request, or a turn on a Responses WebSocket. */
export type Transport = "http" | "websocket";

/** What the attempt loop returned: the deployment that served (if one did), how many calls, the route taken. */
export interface AttemptFacts {
  readonly deployment?: Deployment | undefined;
  /** Upstream calls made. */
  readonly attempts: number;
  /** The `llmux-route` header: what served, and what failed before. */
  readonly route?: string | undefined;
  /**
   * The serving deployment's health, settled once the answer is over (its in-flight count, latency and
   * breaker): `ok`, `failed` (it broke off), `gone` (the client left: says nothing of the deployment).
   */
  readonly health?: ((how: "ok" | "failed" | "gone") => Promise<void>) | undefined;
  /** The alias reaches several provider accounts: the reasoning an answer carries is noted as its account's. */
  readonly watchMarks?: boolean | undefined;
  /** The Response id already bound to the deployment as the answer started (a streamed passthrough). */
  readonly boundResponseId?: string | undefined;
}

/**
 * One request's way through the stages: the result each stage returned, kept by the pipeline that runs them
 * (server/serve.ts, the pipelines: pipeline/generate.ts) — the stages themselves only return values — and read once by the
 * settle stage, which projects the request's log record from it (pipeline/settle-record.ts).
 */
export class Trail {
  readonly startedAt = performance.now();
  /** The answer, written by the stage that answers (respond, or the stage that refused or failed the request). */
  readonly answer: Answer = newAnswer();
  /** Routing decisions in words, kept only when the debug level is on. */
  readonly decisions: string[] | undefined;
  /** What a handler outside the pipeline said of its request (quiet, why it refused). */
  readonly note: HttpNote = {};
  /** The observers' clock and the capture of the request's bodies (when something reads them). */
  timing?: RequestTiming | undefined;
  capture?: ExchangeCapture | undefined;

  /** accept: the route's dialect (what errors are answered in) and the tool that sent it, when recognised. */
  client?: Dialect | undefined;
  clientTool?: string | undefined;
  /** How the request came (a WebSocket turn is served by the same stages as an HTTP request). */
  transport: Transport = "http";
  /** The session the client's headers name (Codex: session-id, conversation_id, originator, turn metadata). */
  clientSession?: ClientSession | undefined;
  /** The coding session and agent the request belongs to (its headers; refined once the body is read). */
  session?: SessionIds | undefined;
  /** The client's own `x-request-id`, if it sent one: kept beside llmux's id, never as it. */
  clientRequestId?: string | undefined;
  /** The request's tags (`key=value`, sorted: the llmux-tags header). */
  tags?: readonly string[] | undefined;
  /** Entries of the llmux-tags header that are not `key=value` (named in a warning). */
  badTags?: readonly string[] | undefined;
  /** A tag key the llmux-tags header names twice (the request is refused 400). */
  duplicateTag?: string | undefined;
  /** accept: the kind of call (a model call is `generate`; listing models, a stored response… are not). */
  kind?: RouteKind | undefined;
  /** identify */
  principal?: Principal | undefined;
  /** identify: a known key it refused (revoked, disabled, expired), named in the request's record. */
  refusedKey?: RefusedKey | undefined;
  /** read+decode: the body's size, and the model it names. */
  requestBytes = 0;
  requested?: string | undefined;
  /** guardrails: what the scan found, where, and what was done (never a value). */
  guardrails?: readonly FindingNote[] | undefined;
  /** plan (replaced by the plan of the deployment that served, once one did) */
  plan?: Plan | undefined;
  /** admit */
  admitted?: Admitted | undefined;
  /** the attempt loop */
  attempted?: AttemptFacts | undefined;
  /** An upstream asked outside a plan (count_tokens): its provider and model. */
  counted?: { readonly provider: string; readonly model: string } | undefined;
  /** An MCP tool call (POST /mcp): its server and tool; its answer's outcome says how it ended. */
  toolCall?: ToolCall | undefined;
  /** The record the settle stage projected (once it has run). */
  record?: RequestRecord | undefined;

  constructor(
    readonly id: string,
    readonly method: string,
    readonly path: string,
    debug = false,
  ) {
    this.decisions = debug ? [] : undefined;
  }

  /** Notes a decision in words (only when the debug level is on: no work otherwise). */
  decide(words: () => string): void {
    this.decisions?.push(words());
  }
}
