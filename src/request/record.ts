import type { Dialect, Usage, Warning } from "../ir/types.js";
import type { Logger } from "../observe/logger.js";
import type { ExchangeCapture } from "./capture.js";
import { outcomeOf, type RequestErrorClass } from "./error-class.js";
import type { RequestTiming } from "./timing.js";

export type Outcome = "ok" | "error" | "aborted" | "refused";

/** Everything one request's log line reports; filled in by the stages as the request goes. */
export interface RequestRecord {
  id: string;
  startedAt: number;
  method: string;
  path: string;
  /** The dialect of the route (what errors are answered in). */
  client?: Dialect;
  /** The coding tool or SDK that sent the request, when recognised (src/clients/tool.ts). */
  clientTool?: string | undefined;
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
  /** The request's cost once known (src/billing): nano-dollars, and whether it rests on an estimate. */
  cost?: { nanos: number; estimated: boolean; priced: boolean };
  warnings: Warning[];
  requestBytes: number;
  /** Characters of text the client received (for estimating output tokens). */
  outputChars: number;
  /** Requests that only say llmux is up (health checks) are logged at debug level. */
  quiet?: boolean;
  /** Routing decisions in words, kept only when the debug level is on (`debug` is then true). */
  debug: boolean;
  decisions?: string[];
  done?: boolean;
  /**
   * What kind of failure it was, noted by the stage that failed it (src/request/error-class.ts); the settle
   * stage's `errorClassOf` gives the request's class from it.
   */
  errorClass?: RequestErrorClass | undefined;
  /** Upstream calls made, and the route taken (the llmux-route header), for the request log. */
  attempts?: number;
  route?: string;
  /** The request's four bodies, while they are captured (body logging, live conversations, recording). */
  capture?: ExchangeCapture | undefined;
}

export function newRecord(id: string, method: string, path: string, debug = false): RequestRecord {
  return { id, startedAt: performance.now(), method, path, warnings: [], requestBytes: 0, outputChars: 0, debug };
}

/** Notes a routing decision (only when the debug level is on: no work otherwise). */
export function decide(rec: RequestRecord, words: () => string): void {
  if (!rec.debug) return;
  rec.decisions ??= [];
  rec.decisions.push(words());
}

/** Marks the request failed (or refused) with its status and why, unless an earlier stage already did. */
export function failed(rec: RequestRecord, status: number, reason: string, outcome: Outcome = "error"): void {
  rec.status = status;
  rec.outcome = outcome;
  rec.reason ??= reason;
}

/**
 * Usage as reported, or estimated from sizes (≈4 characters per token) and marked as such. An answer cut
 * before its final report (a client gone mid-stream) counts what was reported and, for its output, at
 * least the text that was streamed.
 */
export function usageOf(rec: RequestRecord): Usage {
  if (rec.usage) {
    if (!rec.usagePartial) return rec.usage;
    const streamed = Math.ceil(rec.outputChars / 4);
    return { ...rec.usage, outputTokens: Math.max(rec.usage.outputTokens, streamed), estimated: true };
  }
  return {
    inputTokens: Math.ceil(rec.requestBytes / 4),
    outputTokens: Math.ceil(rec.outputChars / 4),
    estimated: true,
  };
}

const round = (ms: number) => Math.round(ms * 100) / 100;

/**
 * The settle stage: the one finaliser of every request, whatever way it ended (answered, refused, failed,
 * aborted by the client). It runs once per request and writes its log line.
 */
export function finalise(logger: Logger, rec: RequestRecord): void {
  if (rec.done) return;
  rec.done = true;
  const now = performance.now();
  const generated = rec.provider !== undefined;
  const u = generated ? usageOf(rec) : undefined;
  const outcome = outcomeOf(rec);
  const line = {
    req_id: rec.id,
    method: rec.method,
    path: rec.path,
    status: rec.status,
    outcome,
    reason: rec.reason,
    client: rec.client,
    client_tool: rec.clientTool,
    requested: rec.requested,
    alias: rec.alias,
    provider: rec.provider,
    model: rec.model,
    deployment: rec.deployment,
    stream: rec.stream,
    passthrough: rec.passthrough,
    latency_ms: round(now - rec.startedAt),
    ttfb_ms: rec.firstByteAt !== undefined ? round(rec.firstByteAt - rec.startedAt) : undefined,
    overhead_ms: rec.overheadMs !== undefined ? round(rec.overheadMs) : undefined,
    tokens: u && {
      input: u.inputTokens,
      output: u.outputTokens,
      cache_read: u.cacheReadTokens,
      cache_write: u.cacheWriteTokens,
      reasoning: u.reasoningTokens,
      estimated: u.estimated === true ? true : undefined,
    },
    cost_usd: rec.cost && rec.cost.nanos > 0 ? rec.cost.nanos / 1e9 : undefined,
    key: rec.key,
    warnings: rec.warnings.length > 0 ? rec.warnings.map((w) => ({ code: w.code, message: w.message })) : undefined,
    decisions: rec.decisions,
  };
  if (rec.quiet && outcome === "ok") logger.debug(line, "request");
  else if (outcome === "error") logger.warn(line, "request failed");
  else if (outcome === "refused") logger.warn(line, "request refused");
  else if (outcome === "aborted") logger.info(line, "request aborted by client");
  else logger.info(line, "request");
}
