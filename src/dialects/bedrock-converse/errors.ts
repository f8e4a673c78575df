import { kindFromStatus } from "../../ir/errors.js";
import { isObject } from "../../ir/input-error.js";
import type { ErrorInfo, ErrorKind, Json, JsonObject } from "../../ir/types.js";

/**
 * Amazon Bedrock's exceptions (the `x-amzn-errortype` of an HTTP error, the `:exception-type` of an event
 * in a stream) → what they mean for a client: an IR kind and the status it is told.
 */
const EXCEPTIONS: Record<string, { kind: ErrorKind; status: number }> = {
  ThrottlingException: { kind: "rate_limit", status: 429 },
  ServiceQuotaExceededException: { kind: "rate_limit", status: 429 },
  ModelNotReadyException: { kind: "overloaded", status: 503 },
  ServiceUnavailableException: { kind: "overloaded", status: 503 },
  InternalServerException: { kind: "server", status: 500 },
  ModelErrorException: { kind: "server", status: 502 },
  ModelStreamErrorException: { kind: "server", status: 502 },
  ModelTimeoutException: { kind: "timeout", status: 504 },
  ValidationException: { kind: "invalid_request", status: 400 },
  ConflictException: { kind: "invalid_request", status: 400 },
  AccessDeniedException: { kind: "permission", status: 403 },
  ResourceNotFoundException: { kind: "not_found", status: 404 },
  UnrecognizedClientException: { kind: "authentication", status: 401 },
  InvalidSignatureException: { kind: "authentication", status: 401 },
  IncompleteSignatureException: { kind: "authentication", status: 401 },
  MissingAuthenticationTokenException: { kind: "authentication", status: 401 },
  ExpiredTokenException: { kind: "authentication", status: 401 },
};

/** The words Bedrock (and the models behind it) use for a prompt longer than the context window. */
const CONTEXT_WINDOW =
  /input is too long|too many (input )?tokens|context (window|length)|prompt is too long|max(imum)? .*tokens.*exceed/i;

/**
 * An exception name as Bedrock writes it anywhere: `ThrottlingException`, `throttlingException` (event
 * streams), `ValidationException:http://internal.amazon.com/coral/…` (the header), `…#ValidationException`.
 */
export function exceptionName(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const bare = raw.split(":")[0]!.split("#").pop()!.trim();
  return bare ? bare[0]!.toUpperCase() + bare.slice(1) : undefined;
}

/** The HTTP status Bedrock answers an exception with (an event-stream exception has none of its own). */
export function exceptionStatus(name: string | undefined): number | undefined {
  return name ? EXCEPTIONS[name]?.status : undefined;
}

/**
 * A Bedrock error → IR. The body is `{"message": …}` (also `Message`); its type travels in `__type` (llmux
 * puts the header's value there, see the Bedrock provider) or, for events, as the event's name.
 */
export function decodeConverseError(status: number, body: Json | string | undefined): ErrorInfo {
  const obj = isObject(body) ? body : undefined;
  const name = exceptionName(typeof obj?.__type === "string" ? obj.__type : undefined);
  const raw = obj?.message ?? obj?.Message;
  const message =
    (typeof raw === "string" && raw) ||
    (typeof body === "string" && body) ||
    `upstream error ${status}${name ? ` (${name})` : ""}`;
  // A model's own failure inside a stream says what it was in `originalMessage`.
  const original = typeof obj?.originalMessage === "string" ? ` (${obj.originalMessage})` : "";
  const known = name ? EXCEPTIONS[name] : undefined;
  const kind: ErrorKind = known?.kind ?? kindFromStatus(status >= 400 ? status : 500);
  const text = `${name ? `${name}: ` : ""}${message}${original}`;
  if (kind === "invalid_request" && CONTEXT_WINDOW.test(message))
    return { status: 400, kind: "context_length", message: text, code: "context_length_exceeded" };
  // The exception's name is in the message; it is no OpenAI-style code, so clients of other dialects get theirs.
  return { status: known?.status ?? (status >= 400 ? status : 500), kind, message: text, code: null };
}

const KIND_EXCEPTION: Record<ErrorKind, string> = {
  invalid_request: "ValidationException",
  content_filter: "ValidationException",
  context_length: "ValidationException",
  request_too_large: "ValidationException",
  authentication: "UnrecognizedClientException",
  billing: "AccessDeniedException",
  permission: "AccessDeniedException",
  not_found: "ResourceNotFoundException",
  rate_limit: "ThrottlingException",
  server: "InternalServerException",
  overloaded: "ServiceUnavailableException",
  timeout: "ModelTimeoutException",
};

/** An error as Bedrock words it (`__type` standing for its header). */
export function encodeConverseError(error: ErrorInfo): JsonObject {
  return { __type: KIND_EXCEPTION[error.kind], message: error.message };
}
