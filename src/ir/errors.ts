import type { ErrorInfo, ErrorKind } from "./types.js";

/** The canonical HTTP status of each error kind (before a dialect applies its own codes, e.g. 529). */
export const KIND_STATUS: Record<ErrorKind, number> = {
  invalid_request: 400,
  content_filter: 400,
  context_length: 400,
  authentication: 401,
  billing: 402,
  permission: 403,
  not_found: 404,
  request_too_large: 413,
  rate_limit: 429,
  server: 500,
  overloaded: 503,
  timeout: 504,
};

/** Error kind implied by an HTTP status alone. */
export function kindFromStatus(status: number): ErrorKind {
  switch (status) {
    case 400:
    case 422:
      return "invalid_request";
    case 401:
      return "authentication";
    case 402:
      return "billing";
    case 403:
      return "permission";
    case 404:
      return "not_found";
    case 408:
    case 504:
      return "timeout";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit";
    case 503:
    case 529:
      return "overloaded";
    default:
      return status >= 400 && status < 500 ? "invalid_request" : "server";
  }
}

export function errorInfo(kind: ErrorKind, message: string, extra: Partial<ErrorInfo> = {}): ErrorInfo {
  return { status: KIND_STATUS[kind], kind, message, ...extra };
}

/** Whether a client should retry this error (x-should-retry hint). */
export function isRetryable(error: ErrorInfo): boolean {
  return (
    error.kind === "rate_limit" || error.kind === "overloaded" || error.kind === "server" || error.kind === "timeout"
  );
}
