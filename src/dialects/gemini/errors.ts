import { KIND_STATUS, kindFromStatus } from "../../ir/errors.js";
import { isObject } from "../../ir/input-error.js";
import type { ErrorInfo, ErrorKind, Json, JsonObject } from "../../ir/types.js";

/** google.rpc status names Gemini puts in `error.status`. */
const STATUS_TO_KIND: Record<string, ErrorKind> = {
  INVALID_ARGUMENT: "invalid_request",
  FAILED_PRECONDITION: "invalid_request",
  OUT_OF_RANGE: "invalid_request",
  UNAUTHENTICATED: "authentication",
  PERMISSION_DENIED: "permission",
  NOT_FOUND: "not_found",
  RESOURCE_EXHAUSTED: "rate_limit",
  INTERNAL: "server",
  UNKNOWN: "server",
  UNAVAILABLE: "overloaded",
  DEADLINE_EXCEEDED: "timeout",
  CANCELLED: "server",
};

const KIND_TO_STATUS: Record<ErrorKind, string> = {
  invalid_request: "INVALID_ARGUMENT",
  content_filter: "INVALID_ARGUMENT",
  context_length: "INVALID_ARGUMENT",
  request_too_large: "INVALID_ARGUMENT",
  authentication: "UNAUTHENTICATED",
  billing: "PERMISSION_DENIED",
  permission: "PERMISSION_DENIED",
  not_found: "NOT_FOUND",
  rate_limit: "RESOURCE_EXHAUSTED",
  server: "INTERNAL",
  overloaded: "UNAVAILABLE",
  timeout: "DEADLINE_EXCEEDED",
};

/**
 * Gemini's HTTP status for an error: a billing refusal (an exhausted budget) is 403 PERMISSION_DENIED, which
 * Gemini clients do not retry (a 429 RESOURCE_EXHAUSTED they would).
 */
export function geminiStatus(error: ErrorInfo): number {
  return error.kind === "billing" ? 403 : error.status;
}

/** `{error:{code, message, status}}`, HTTP body or in-stream chunk. */
export function encodeGeminiError(error: ErrorInfo): JsonObject {
  const body: JsonObject = { code: geminiStatus(error), message: error.message, status: KIND_TO_STATUS[error.kind] };
  return { error: body };
}

/**
 * A Gemini error body → IR. Gemini answers a bad API key with 400 INVALID_ARGUMENT "API key not valid":
 * that is an authentication error, whatever the status says; an over-long prompt is a context-length error.
 */
export function decodeGeminiError(status: number, body: Json | string | undefined): ErrorInfo {
  const first = Array.isArray(body) ? body[0] : body; // a JSON-array stream answers errors as [{error}]
  const err = isObject(first) && isObject(first.error) ? first.error : undefined;
  const code = typeof err?.code === "number" ? err.code : status;
  const statusName = typeof err?.status === "string" ? err.status : undefined;
  const message =
    (typeof err?.message === "string" && err.message) ||
    (typeof body === "string" && body) ||
    `upstream error ${status}`;
  let kind: ErrorKind = (statusName && STATUS_TO_KIND[statusName]) || kindFromStatus(code >= 400 ? code : 500);
  if (/API key not valid|API_KEY_INVALID/i.test(message)) kind = "authentication";
  if (kind === "invalid_request" && /exceeds the maximum number of tokens|input token count.*exceeds/i.test(message)) {
    return { status: 400, kind: "context_length", message, code: "context_length_exceeded" };
  }
  const httpStatus = status >= 400 ? (kind === "authentication" ? 401 : status) : KIND_STATUS[kind];
  return { status: httpStatus, kind, message, code: null };
}
