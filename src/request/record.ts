import type { SessionIds } from "../clients/session.js";
import type { ClientSession } from "../clients/session-headers.js";
import type { FindingNote } from "../guardrails/guard.js";
import type { Dialect, Usage, Warning } from "../ir/types.js";
import { clampUsage } from "../ir/usage.js";
import type { WebCallNote } from "../ir/web-tools.js";
import type { ExchangeCapture } from "./capture.js";
import type { RequestErrorClass } from "./error-class.js";
import type { Outcome } from "./outcome.js";
import type { RouteKind } from "./route.js";
import type { RequestTiming } from "./timing.js";
import type { ToolCall } from "./tool-call.js";

export type { Outcome } from "./outcome.js";

/**
 * A settled request as its observers see it: the log line, the metrics and trace, the ledger and request-log
 * rows, the recording, a budget's settlement. The settle stage projects it from the request's trail once
 * (pipeline/settle-record.ts); billing then sets its cost there.
 */
export interface RequestRecord {
  id: string;
  startedAt: number;
  method: string;
  path: string;
  /** The dialect of the route (what errors are answered in). */
  client?: Dialect;
  /** The client's own `x-request-id` (llmux's id is `id`: a client cannot choose, repeat or hide a row's key). */
  clientRequestId?: string | undefined;
  /** The coding tool or SDK that sent the request, when recognised (src/clients/tool.ts). */
  clientTool?: string | undefined;
  /** How the request came: `http`, or `websocket` (a turn on a Responses WebSocket). */
  transport?: "http" | "websocket";
  /** The session the client's headers name (src/clients/session-headers.ts). */
  clientSession?: ClientSession | undefined;
  /** The coding session and agent the request belongs to (src/clients/session.ts). */
  session?: SessionIds | undefined;
  /** The request's tags (`key=value`, sorted). */
  tags?: readonly string[] | undefined;
  /** The kind of call its route is (`generate` for a model call); absent when no route matched. */
  kind?: RouteKind | undefined;
  /** The model name the client asked for. */
  requested?: string;
  alias?: string;
  provider?: string;
  model?: string;
  deployment?: string;
  /** The id of a Responses answer (binds a later previous_response_id to the deployment that made it). */
  responseId?: string;
  /** The ids of a passed-through Responses answer's output items (their owner is noted, as the answer's). */
  responseItems?: string[];
  /** Fingerprints of the opaque reasoning a passed-through answer carried (src/routing/reasoning-marks.ts). */
  reasoningMarks?: string[];
  stream?: boolean;
  passthrough?: boolean;
  status?: number;
  firstByteAt?: number;
  usage?: Usage;
  /** `usage` is what the upstream reported before the answer ended (its input), not its final report. */
  usagePartial?: boolean;
  outcome?: Outcome;
  /** Why the request was refused or failed, in words. */
  reason?: string;
  /** Milliseconds llmux itself added: the request's time less its waits on the upstream and the client. */
  overheadMs?: number | undefined;
  /** The observers' clock (src/request/timing.ts): upstream attempts and waits. */
  timing?: RequestTiming | undefined;
  /** Who called (Principal.name), never the key. */
  key?: string;
  /** A minted key's id, team and user (the ledger's columns). */
  keyId?: string | undefined;
  teamId?: string | undefined;
  user?: string | undefined;
  /** The budget lease it was admitted under (its ledger row names it: src/data/budget-leases.ts). */
  lease?: { readonly holder: string; readonly at: number } | undefined;
  /**
   * The web searches and page fetches llmux ran for the answer (its emulated web tools: src/pipeline/web-tools-*):
   * how many, what they asked, and their price (nano-dollars, in the cost); each call as the request log keeps it
   * (`calls`, the first MAX_WEB_CALL_NOTES; `omitted` more counted only).
   */
  web?:
    | {
        searches: number;
        fetches: number;
        queries: string[];
        urls: string[];
        nanos: number;
        calls?: WebCallNote[] | undefined;
        omitted?: number | undefined;
      }
    | undefined;
  /** The request's cost once known (src/billing): nano-dollars, and whether it rests on an estimate. */
  cost?: { nanos: number; estimated: boolean; priced: boolean };
  warnings: Warning[];
  /** What the guardrails found, where, and what they did (never a value). */
  guardrails?: readonly FindingNote[] | undefined;
  requestBytes: number;
  /** Characters of text the client received (for estimating output tokens). */
  outputChars: number;
  /** Requests that only say llmux is up (health checks) are logged at debug level. */
  quiet?: boolean;
  /** Routing decisions in words, kept only when the debug level is on. */
  decisions?: string[] | undefined;
  /**
   * What kind of failure it was, noted by the stage that failed it (src/request/error-class.ts); the settle
   * stage's `errorClassOf` gives the request's class from it.
   */
  errorClass?: RequestErrorClass | undefined;
  /** An MCP tool call the request carried. */
  toolCall?: ToolCall | undefined;
  /** Upstream calls made, and the route taken (the llmux-route header), for the request log. */
  attempts?: number;
  route?: string;
  /** The request's four bodies, while they are captured (body logging, live conversations, recording). */
  capture?: ExchangeCapture | undefined;
}

/** A record with nothing settled yet (tests and benchmarks feed the observers with these). */
export function newRecord(id: string, method: string, path: string): RequestRecord {
  return { id, startedAt: performance.now(), method, path, warnings: [], requestBytes: 0, outputChars: 0 };
}

/**
 * Usage as reported, or estimated from sizes (≈4 characters per token) and marked as such. An answer cut
 * before its final report (a client gone mid-stream) counts what was reported and, for its output, at
 * least the text that was streamed.
 */
export function usageOf(rec: RequestRecord): Usage {
  if (rec.usage) {
    if (!rec.usagePartial) return clampUsage(rec.usage);
    const streamed = Math.ceil(rec.outputChars / 4);
    return clampUsage({ ...rec.usage, outputTokens: Math.max(rec.usage.outputTokens, streamed), estimated: true });
  }
  return {
    inputTokens: Math.ceil(rec.requestBytes / 4),
    outputTokens: Math.ceil(rec.outputChars / 4),
    estimated: true,
  };
}

/** A model call: what the ledger keeps and the model-traffic counts count (not a model list or a stored response). */
export function isModelCall(rec: RequestRecord): boolean {
  return rec.kind === "generate" || rec.kind === "embeddings" || rec.kind === "completions" || rec.kind === "rerank";
}

/**
 * The usage a request is counted with: none when llmux refused it (a budget, an allow-list, a limit, a key)
 * or nothing was routed, since then no prompt reached an upstream; otherwise `usageOf`.
 */
export function countedUsage(rec: RequestRecord, outcome: Outcome): Usage | undefined {
  if (outcome === "refused" || rec.provider === undefined) return undefined;
  return usageOf(rec);
}
