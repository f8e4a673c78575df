import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { Dialect, ErrorInfo, JsonObject } from "../ir/types.js";
import { codecs } from "../translate/codecs.js";

export function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A JSON body already written as bytes (no string to encode on the way out). */
export function sendJsonBytes(
  res: ServerResponse,
  status: number,
  bytes: Buffer,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", "content-length": bytes.length, ...headers });
  res.end(bytes);
}

/** An error in the client's dialect: its status, body and headers (with retry hints when the error has them). */
export interface ErrorReply {
  status: number;
  body: JsonObject;
  headers: Record<string, string>;
}

export function errorReply(dialect: Dialect, error: ErrorInfo, headers: Record<string, string> = {}): ErrorReply {
  const { status, body } = codecs[dialect].encodeError(error);
  const extra: Record<string, string> = { ...headers, ...error.headers };
  if (error.retryAfter) extra["retry-after"] = error.retryAfter;
  return { status, body: body as JsonObject, headers: extra };
}

/** Sends an error reply (or, once the answer has started, ends it). */
export function sendReply(res: ServerResponse, reply: ErrorReply): number {
  if (!res.headersSent) sendJson(res, reply.status, reply.body, reply.headers);
  else res.end();
  return reply.status;
}

/** Writes an error in the client's dialect, with retry hints when the error has them. */
export function sendError(
  res: ServerResponse,
  dialect: Dialect,
  error: ErrorInfo,
  headers: Record<string, string> = {},
): number {
  return sendReply(res, errorReply(dialect, error, headers));
}

/** Upstream response headers a client may act on (retry hints, rate limits, request ids). */
export function forwardedHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    const key = k.toLowerCase();
    if (
      key === "retry-after" ||
      key === "retry-after-ms" ||
      key === "x-should-retry" ||
      key.includes("ratelimit") ||
      key === "request-id" ||
      key === "x-request-id" ||
      key === "apim-request-id"
    ) {
      out[key] = Array.isArray(v) ? v.join(", ") : v;
    }
  }
  return out;
}
