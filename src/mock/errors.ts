/**
 * Error payloads as providers send them: HTTP error bodies (wire-protocols.md §1.6, §3.9, §4.3) and the
 * type/code pairs used for errors inside an already-started stream.
 */
import { createHash } from "node:crypto";

/** What went wrong inside a stream (MockScript.streamError.kind). */
export type StreamErrorKind = "overloaded" | "server" | "rate_limit";

/** Anthropic `error.type` of an in-stream `event: error`. */
export function anthropicStreamErrorType(kind: StreamErrorKind): string {
  return kind === "overloaded" ? "overloaded_error" : kind === "rate_limit" ? "rate_limit_error" : "api_error";
}

/**
 * OpenAI `type` / `code` of an in-stream error (Chat error chunk, Responses `error` event). Overloaded is
 * what OpenAI sends as `server_is_overloaded` / `service_unavailable_error`; rate limits use the
 * `rate_limit_exceeded` code with the limit kind ("requests") as type.
 */
export function openaiStreamError(kind: StreamErrorKind): { type: string; code: string } {
  switch (kind) {
    case "overloaded":
      return { type: "service_unavailable_error", code: "server_is_overloaded" };
    case "rate_limit":
      return { type: "requests", code: "rate_limit_exceeded" };
    case "server":
      return { type: "server_error", code: "server_error" };
  }
}

const ANTHROPIC_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

function anthropicType(status: number): string {
  return ANTHROPIC_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

function openaiTypeCode(status: number): { type: string; code: string | null } {
  switch (status) {
    case 401:
      return { type: "invalid_request_error", code: "invalid_api_key" };
    case 404:
      return { type: "invalid_request_error", code: "model_not_found" };
    case 429:
      return { type: "requests", code: "rate_limit_exceeded" };
    case 503:
      return { type: "service_unavailable_error", code: "server_is_overloaded" };
    default:
      return status >= 500 ? { type: "server_error", code: null } : { type: "invalid_request_error", code: null };
  }
}

const AZURE_CODES: Record<number, string> = {
  400: "BadRequest",
  401: "Unauthorized",
  403: "PermissionDenied",
  404: "DeploymentNotFound",
  500: "InternalServerError",
  503: "ServiceUnavailable",
};

/**
 * The JSON body a provider answers with for an HTTP error `status`:
 * - anthropic: `{type:"error", error:{type, message}, request_id}` (529 overloaded_error, 429
 *   rate_limit_error, 401 authentication_error, 400 invalid_request_error, 500 api_error, …);
 * - openai: `{error:{message, type, param, code}}`;
 * - azure: 429 `{error:{code:"429", message}}` (string code, no type), otherwise
 *   `{error:{code, message, param, type}}`.
 * The request id is derived from status and message, so the output is deterministic.
 */
export function providerErrorBody(provider: "anthropic" | "openai" | "azure", status: number, message: string): object {
  if (provider === "anthropic") {
    const h = createHash("sha256").update(`${status}|${message}`).digest("base64url").replace(/[-_]/g, "x");
    return { type: "error", error: { type: anthropicType(status), message }, request_id: `req_011C${h.slice(0, 20)}` };
  }
  if (provider === "openai") {
    const { type, code } = openaiTypeCode(status);
    return { error: { message, type, param: null, code } };
  }
  if (status === 429) return { error: { code: "429", message } };
  return {
    error: {
      code: AZURE_CODES[status] ?? String(status),
      message,
      param: null,
      type: status >= 500 ? "server_error" : "invalid_request_error",
    },
  };
}
