import type { ERROR_CLASSES } from "../config/routing-defaults.js";
import type { ErrorInfo } from "../ir/types.js";

/** What kind of failure an upstream answer or a failed call is; `client` is the request's own fault. */
export type ErrorClass = (typeof ERROR_CLASSES)[number] | "client";

export interface Classified {
  readonly class: ErrorClass;
  /** How long the upstream asked to be left alone (retry-after, retry-after-ms, x-ms-retry-after-ms). */
  readonly retryAfterMs?: number | undefined;
}

type Headers = Record<string, string | string[] | undefined>;

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The wait an upstream asked for, in milliseconds, from any of the headers providers use. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  for (const h of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const v = Number(first(headers[h]));
    if (Number.isFinite(v) && v >= 0) return v;
  }
  const ra = first(headers["retry-after"]);
  if (ra === undefined) return undefined;
  const seconds = Number(ra);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Each provider's words for "the request does not fit the model's context window": OpenAI and Azure
 * (`context_length_exceeded`, "maximum context length", Responses' "exceeds the context window"),
 * Anthropic ("prompt is too long", "input length and `max_tokens` exceed context limit", a 413
 * `request_too_large`), Bedrock ("input is too long"), Gemini ("exceeds the maximum number of tokens"),
 * vLLM and others.
 */
const CONTEXT_WINDOW =
  /context_length_exceeded|maximum context length|context window|exceeds? context limit|prompt is too long|input is too long|request_too_large|too many (input )?tokens|exceeds the maximum number of tokens|reduce the length of the messages|string_above_max_length/i;

/** Content filtering: OpenAI/Azure `content_filter`, Azure's ResponsibleAIPolicyViolation, safety blocks. */
const CONTENT_FILTER =
  /content_filter|content_policy_violation|ResponsibleAIPolicyViolation|content management policy|flagged by (our|the) safety/i;

const OVERLOADED = /overloaded/i;

/** Classifies an upstream's error answer (status, headers and the start of its body). */
export function classifyReply(status: number, headers: Headers, text: string): Classified {
  const wait = retryAfterMs(headers);
  if (status === 429) return { class: "rate_limited", retryAfterMs: wait };
  if (status === 529 || status === 503 || (status >= 500 && OVERLOADED.test(text)))
    return { class: "overloaded", retryAfterMs: wait };
  if (status === 408 || status === 504) return { class: "timeout", retryAfterMs: wait };
  if (status >= 500) return { class: "server", retryAfterMs: wait };
  if (CONTEXT_WINDOW.test(text) && (status === 400 || status === 413 || status === 422))
    return { class: "context_window" };
  if (CONTENT_FILTER.test(text)) return { class: "content_filter" };
  return { class: "client" };
}

/** Classifies a call that got no answer at all (UpstreamFailure: unreachable, reset, timed out). */
export function classifyFailure(info: ErrorInfo): Classified {
  return { class: info.kind === "timeout" ? "timeout" : "connection" };
}

/** Whether a failure of this class says something about the deployment's health (counts for cooldowns). */
export function isDeploymentFault(c: ErrorClass): boolean {
  return c === "rate_limited" || c === "overloaded" || c === "server" || c === "timeout" || c === "connection";
}
