import { KIND_STATUS, kindFromStatus } from "../../ir/errors.js";
import { isObject } from "../../ir/input-error.js";
import type { ErrorInfo, ErrorKind, Json, JsonObject } from "../../ir/types.js";

const TYPE_TO_KIND: Record<string, ErrorKind> = {
  invalid_request_error: "invalid_request",
  authentication_error: "authentication",
  billing_error: "billing",
  permission_error: "permission",
  not_found_error: "not_found",
  request_too_large: "request_too_large",
  rate_limit_error: "rate_limit",
  api_error: "server",
  timeout_error: "timeout",
  overloaded_error: "overloaded",
};

const KIND_TO_TYPE: Record<ErrorKind, string> = {
  invalid_request: "invalid_request_error",
  content_filter: "invalid_request_error",
  context_length: "invalid_request_error",
  authentication: "authentication_error",
  billing: "billing_error",
  permission: "permission_error",
  not_found: "not_found_error",
  request_too_large: "request_too_large",
  rate_limit: "rate_limit_error",
  server: "api_error",
  overloaded: "overloaded_error",
  timeout: "timeout_error",
};

/** Anthropic's HTTP status for an error kind (529 for overload, 402 for billing). */
export function anthropicStatus(error: ErrorInfo): number {
  if (error.kind === "overloaded") return 529;
  if (error.kind === "billing") return 402;
  return error.status;
}

/** `{type:"error", error:{type, message}}` body or stream payload. */
export function encodeAnthropicError(error: ErrorInfo): JsonObject {
  return { type: "error", error: { type: KIND_TO_TYPE[error.kind], message: error.message } };
}

/**
 * Reads an Anthropic error body (HTTP or in-stream; in-stream errors pass status 200). The IR status is the
 * standard one: 529 becomes 503, and an in-stream error takes the status of its kind.
 */
export function decodeAnthropicError(status: number, body: Json | string | undefined): ErrorInfo {
  const err = isObject(body) && isObject(body.error) ? body.error : undefined;
  const type = typeof err?.type === "string" ? err.type : undefined;
  const kind = (type && TYPE_TO_KIND[type]) || kindFromStatus(status);
  const message =
    (typeof err?.message === "string" && err.message) ||
    (typeof body === "string" && body) ||
    `upstream error ${status}`;
  // "input is too long": Claude behind Amazon Bedrock.
  if (kind === "invalid_request" && /prompt is too long|input is too long/i.test(message)) {
    return { status: 400, kind: "context_length", message, code: "context_length_exceeded" };
  }
  const out = status >= 400 && status !== 529 ? status : KIND_STATUS[kind];
  // Anthropic's type names the kind; it is not an OpenAI-style code, so clients of other dialects get theirs.
  return { status: out, kind, message, code: null };
}
