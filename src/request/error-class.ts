import { kindFromStatus } from "../ir/errors.js";
import type { ErrorInfo } from "../ir/types.js";
import type { ErrorClass as RoutingClass } from "../routing/error-class.js";
import { type Outcome, outcomeOf } from "./outcome.js";

/**
 * The one vocabulary for why a request did not end well: the request log's `error_class` column (and the
 * `error_class` filter of GET /admin/v1/requests), the metrics' `error_class` label (and `error_type`,
 * `llmux_refusals_total`'s `reason`) and the trace's `error.type` all use these names, from `errorClassOf`.
 * The first seven are routing's classes of upstream failures (src/routing/error-class.ts); the rest are
 * what llmux itself refuses or fails with, and a client that went away.
 */
export const ERROR_CLASS_MEANINGS = {
  rate_limited: "the upstream said too many requests (429)",
  overloaded: "the upstream (or every deployment of the alias) was overloaded or cooling down (503, 529)",
  server: "the upstream failed (5xx), or its answer broke off",
  timeout: "the upstream did not answer in time (408, 504, or llmux's own timeout)",
  connection: "the upstream could not be reached (refused, reset, DNS, TLS)",
  context_window: "the request did not fit the model's context window",
  content_filter: "a content filter refused the request or the answer",
  auth: "no key, or a key llmux does not know (401; Cursor without a key)",
  forbidden: "the key may not do this (403: a model it is not allowed)",
  bad_request: "the request itself was wrong (400, 422)",
  not_found: "no such route, model or stored response (404)",
  too_large: "the request or the answer was larger than allowed (413)",
  budget: "a budget (the key's, its team's or its user's) is spent",
  rate_limit_local: "llmux's own rate limits (requests or tokens per minute)",
  unavailable: "llmux itself could not take the request (shutting down)",
  aborted: "the client went away before its answer was complete",
} as const;

export type RequestErrorClass = keyof typeof ERROR_CLASS_MEANINGS;

/** The names, in their order: for zod enums and the OpenAPI. */
export const ERROR_CLASSES = Object.keys(ERROR_CLASS_MEANINGS) as [RequestErrorClass, ...RequestErrorClass[]];

/**
 * Whether a request ended by llmux's own limits: a budget spent (refused, or a streamed answer cut when its
 * budget could not cover more) or llmux's rate limits. Never a deployment's failure: neither its health and
 * breaker nor an `error_rate` alert count it.
 */
export function isOwnLimit(cls: RequestErrorClass | undefined): boolean {
  return cls === "budget" || cls === "rate_limit_local";
}

/** Routing's class of an upstream failure (`client`: the request's own fault). */
export function fromRouting(c: RoutingClass): RequestErrorClass {
  return c === "client" ? "bad_request" : c;
}

/** The class of an error llmux answered, from its kind (and whether llmux refused the request itself). */
export function fromError(info: ErrorInfo, refused: boolean): RequestErrorClass {
  if (info.code === "invalid_api_key") return "auth";
  switch (info.kind) {
    case "authentication":
      return "auth";
    case "permission":
      return "forbidden";
    case "billing":
      return "budget";
    case "rate_limit":
      return refused ? "rate_limit_local" : "rate_limited";
    case "not_found":
      return "not_found";
    case "request_too_large":
      return "too_large";
    case "overloaded":
      return refused || /shutting down/.test(info.message) ? "unavailable" : "overloaded";
    case "timeout":
      return "timeout";
    case "content_filter":
      return "content_filter";
    case "context_length":
      return "context_window";
    case "server":
      return /unreachable/.test(info.message) ? "connection" : "server";
    default:
      return "bad_request";
  }
}

/**
 * The class of a failure known by its status alone: the status's error kind (ir/errors.ts), classed as an
 * error llmux answered would be. An upstream's 402 is its own billing, not a budget of llmux's: bad_request.
 */
export function fromStatus(status: number | undefined): RequestErrorClass {
  if (status === undefined) return "server";
  const kind = kindFromStatus(status);
  return kind === "billing" ? "bad_request" : fromError({ status, kind, message: "" }, false);
}

/**
 * The class of a settled request, undefined when it ended well: `aborted` when the client went away, else
 * what the stage that failed it noted (`rec.errorClass`: the error answered, the upstream's reply or broken
 * stream), else its status.
 */
export function errorClassOf(rec: {
  readonly outcome?: Outcome | undefined;
  readonly status?: number | undefined;
  readonly errorClass?: RequestErrorClass | undefined;
}): RequestErrorClass | undefined {
  const outcome = outcomeOf(rec);
  if (outcome === "ok") return undefined;
  if (outcome === "aborted") return "aborted";
  return rec.errorClass ?? fromStatus(rec.status);
}
