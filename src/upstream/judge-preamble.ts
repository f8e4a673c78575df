import type { UpstreamDialect } from "../ir/types.js";

/**
 * Some failures arrive after an HTTP 200, as the first event of the stream: the Responses API (OpenAI and
 * Azure) answers a request that does not fit the context window with `response.created`,
 * `response.in_progress` and then an `error` event (`context_length_exceeded`) and `response.failed`;
 * Anthropic can send `message_start` and then an `error` event (`overloaded_error`); OpenAI-compatible
 * servers sometimes send `data: {"error":…}` as their first chunk. Before anything of such a stream has
 * reached the client, the attempt loop can still move on: this reads the stream's preamble (the events
 * that carry no output yet) and holds it back until the first event with output, the end, or a failure.
 */

/** Events read at most before the stream counts as an answer (a preamble is two or three events). */
export const MAX_EVENTS = 8;
/** Bytes read at most before the stream counts as an answer. */
export const MAX_BYTES = 64 * 1024;
/** What is kept of a failing stream, at most. */
export const MAX_FAILURE_TEXT = 1 << 20;

const RESPONSES_PREAMBLE = new Set(["response.created", "response.in_progress", "response.queued"]);
const ANTHROPIC_PREAMBLE = new Set(["message_start", "ping"]);
/** Bedrock's Converse stream, as its provider relays it (event names are the event-stream's). */
const CONVERSE_PREAMBLE = new Set(["messageStart"]);

export type PreambleVerdict = "preamble" | "answer" | "failure";

function parse(data: string): Record<string, unknown> | undefined {
  if (!data.startsWith("{") || data.length > MAX_BYTES) return undefined;
  try {
    const v: unknown = JSON.parse(data);
    return typeof v === "object" && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The id a Responses event names (`response.created` carries the response). */
function responseIdOf(obj: Record<string, unknown> | undefined): string | undefined {
  const r = obj?.response;
  return typeof r === "object" && r !== null && typeof (r as { id?: unknown }).id === "string"
    ? (r as { id: string }).id
    : undefined;
}

/** One SSE event of a stream in `dialect`: still the preamble, the answer's start, or a failure. */
export function judgePreamble(
  dialect: UpstreamDialect,
  name: string | undefined,
  data: string,
  seen: { responseId?: string | undefined } = {},
  object?: Record<string, unknown>,
): PreambleVerdict {
  const obj = object ?? parse(data);
  if (dialect === "openai-responses") {
    const type = typeof obj?.type === "string" ? obj.type : name;
    seen.responseId ??= responseIdOf(obj);
    if (type !== undefined && RESPONSES_PREAMBLE.has(type)) return "preamble";
    return type === "error" || type === "response.failed" ? "failure" : "answer";
  }
  if (dialect === "anthropic") {
    const type = name ?? (typeof obj?.type === "string" ? obj.type : undefined);
    if (type !== undefined && ANTHROPIC_PREAMBLE.has(type)) return "preamble";
    return type === "error" ? "failure" : "answer";
  }
  if (dialect === "bedrock-converse") {
    if (name !== undefined && CONVERSE_PREAMBLE.has(name)) return "preamble";
    return name === "error" ? "failure" : "answer";
  }
  return obj !== undefined && "error" in obj ? "failure" : "answer";
}

/** The HTTP status an in-stream failure stands for, from its words. */
export function statusOf(text: string): number {
  if (/rate_limit|rate limit|too many requests|insufficient_quota|resource_exhausted|throttl/i.test(text)) return 429;
  if (/overloaded/i.test(text)) return 529;
  if (/serviceunavailable|modelnotready|unavailable/i.test(text)) return 503;
  if (/server_error|api_error|internal/i.test(text)) return 500;
  return 400;
}
