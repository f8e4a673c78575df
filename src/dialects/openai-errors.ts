import { KIND_STATUS, kindFromStatus } from "../ir/errors.js";
import { isObject } from "../ir/input-error.js";
import type { ErrorInfo, ErrorKind, Json, JsonObject } from "../ir/types.js";

/** OpenAI `type` for each error kind. */
const KIND_TO_TYPE: Record<ErrorKind, string> = {
  invalid_request: "invalid_request_error",
  content_filter: "invalid_request_error",
  context_length: "invalid_request_error",
  authentication: "authentication_error",
  billing: "insufficient_quota",
  permission: "permission_error",
  not_found: "not_found_error",
  request_too_large: "invalid_request_error",
  rate_limit: "rate_limit_error",
  server: "server_error",
  overloaded: "server_error",
  timeout: "timeout_error",
};

const DEFAULT_CODE: Partial<Record<ErrorKind, string>> = {
  billing: "insufficient_quota",
  rate_limit: "rate_limit_exceeded",
  overloaded: "overloaded",
  content_filter: "content_filter",
  context_length: "context_length_exceeded",
  request_too_large: "request_too_large",
  server: "server_error",
  timeout: "timeout",
};

/** The HTTP status OpenAI-dialect clients get: billing is a 429 (`insufficient_quota`), overload a 503. */
export function openaiStatus(error: ErrorInfo): number {
  if (error.kind === "billing") return 429;
  if (error.kind === "overloaded") return 503;
  return error.status;
}

/** `{error:{message,type,param,code}}`. */
export function encodeOpenAIError(error: ErrorInfo): JsonObject {
  return {
    error: {
      message: error.message,
      type: KIND_TO_TYPE[error.kind],
      param: error.param ?? null,
      code: error.code ?? DEFAULT_CODE[error.kind] ?? null,
    },
  };
}

function kindFromCode(code: string | undefined, type: string | undefined): ErrorKind | undefined {
  const c = code ?? "";
  if (c === "content_filter" || c === "ResponsibleAIPolicyViolation") return "content_filter";
  if (c === "context_length_exceeded" || c === "string_above_max_length") return "context_length";
  if (c === "insufficient_quota" || type === "insufficient_quota") return "billing";
  if (
    c === "rate_limit_exceeded" ||
    c === "too_many_requests" ||
    c === "429" ||
    type === "too_many_requests" ||
    type === "tokens" ||
    type === "requests"
  ) {
    return "rate_limit";
  }
  if (
    c === "overloaded" ||
    c === "server_is_overloaded" ||
    type === "overloaded_error" ||
    type === "service_unavailable_error"
  ) {
    return "overloaded";
  }
  if (c === "server_error" || type === "server_error") return "server";
  if (type === "authentication_error" || c === "invalid_api_key") return "authentication";
  if (c === "DeploymentNotFound" || c === "model_not_found") return "not_found";
  return undefined;
}

/**
 * Reads an OpenAI / Azure / OpenAI-compatible error body, HTTP or in-stream (status 200 for in-stream).
 * Accepts the nested `{error:{…}}` shape, the flat `{code,message}` shape of Responses `error` events, Azure's
 * `innererror`/`inner_error` and string codes such as "429".
 */
export function decodeOpenAIError(status: number, body: Json | string | undefined): ErrorInfo {
  const obj = isObject(body) ? body : undefined;
  const err = obj && isObject(obj.error) ? obj.error : obj;
  const str = (v: Json | undefined) => (typeof v === "string" && v.length > 0 ? v : undefined);
  const code = err ? (str(err.code) ?? (typeof err.code === "number" ? String(err.code) : undefined)) : undefined;
  const type = err ? str(err.type) : undefined;
  const inner =
    err && (isObject(err.innererror) ? err.innererror : isObject(err.inner_error) ? err.inner_error : undefined);
  const innerCode = inner ? str(inner.code) : undefined;
  const fromCode = kindFromCode(code, type);
  const overloadStatus = status === 503 || status === 529;
  const kind =
    (overloadStatus && (fromCode === undefined || fromCode === "server") ? "overloaded" : fromCode) ??
    kindFromCode(innerCode, undefined) ??
    (status >= 400 ? kindFromStatus(status) : type === "invalid_request_error" ? "invalid_request" : "server");
  const message =
    (err && str(err.message)) ??
    (typeof body === "string" && body.length > 0 ? body.slice(0, 2000) : `upstream error ${status}`);
  const out: ErrorInfo = {
    status: status >= 400 && status !== 529 ? status : KIND_STATUS[kind],
    kind,
    message,
    code: code ?? innerCode ?? null,
  };
  const param = err ? str(err.param) : undefined;
  if (param) out.param = param;
  return out;
}
