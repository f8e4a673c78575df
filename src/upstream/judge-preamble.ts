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

/** What the start of a stream says. */
export type Peeked =
  | {
      kind: "answer";
      body: AsyncIterable<Uint8Array>;
      /** A Responses stream's id, from its `response.created` event. */
      responseId?: string | undefined;
    }
  | {
      kind: "failure";
      /** The HTTP status the failure stands for (429, 529, 500 or 400), for the error classes. */
      status: number;
      /** The whole stream as it came (the failure is answered as it was when nothing else serves). */
      text: string;
    };

/** Events read at most before the stream counts as an answer (a preamble is two or three events). */
const MAX_EVENTS = 8;
/** Bytes read at most before the stream counts as an answer. */
const MAX_BYTES = 64 * 1024;
const MAX_FAILURE_TEXT = 1 << 20;

const RESPONSES_PREAMBLE = new Set(["response.created", "response.in_progress", "response.queued"]);
const ANTHROPIC_PREAMBLE = new Set(["message_start", "ping"]);
/** Bedrock's Converse stream, as its provider relays it (event names are the event-stream's). */
const CONVERSE_PREAMBLE = new Set(["messageStart"]);

type Verdict = "preamble" | "answer" | "failure";

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
export function judge(
  dialect: UpstreamDialect,
  name: string | undefined,
  data: string,
  seen: { responseId?: string | undefined } = {},
): Verdict {
  const obj = parse(data);
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

/** The complete events in `text` from `from` on, and where the unfinished rest begins. */
function events(text: string, from: number): { events: { name?: string; data: string }[]; next: number } {
  const out: { name?: string; data: string }[] = [];
  let at = from;
  for (;;) {
    const m = /\r?\n\r?\n/g;
    m.lastIndex = at;
    const end = m.exec(text);
    if (!end) return { events: out, next: at };
    let name: string | undefined;
    const data: string[] = [];
    for (const line of text.slice(at, end.index).split(/\r?\n/)) {
      if (line.startsWith("event:")) name = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (name !== undefined || data.length > 0)
      out.push({ ...(name !== undefined ? { name } : {}), data: data.join("\n") });
    at = end.index + end[0].length;
  }
}

/** The chunks held back, then the rest of the stream; a consumer that stops early releases the upstream. */
async function* replay(head: Uint8Array[], it: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  let done = false;
  try {
    for (const c of head) yield c;
    for (;;) {
      const n = await it.next();
      if (n.done) break;
      yield n.value;
    }
    done = true;
  } finally {
    if (!done) await it.return?.();
  }
}

/**
 * Reads the start of a stream in `dialect` until it shows output (the answer: every byte read is given
 * back, in order, ahead of the rest) or a failure (the whole stream is read and returned as text). Errors
 * of the upstream connection while reading are thrown as they come.
 */
export async function peek(dialect: UpstreamDialect, body: AsyncIterable<Uint8Array>): Promise<Peeked> {
  const it = body[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let text = "";
  let parsed = 0;
  let seen = 0;
  const about: { responseId?: string | undefined } = {};
  const answer = (): Peeked => ({ kind: "answer", body: replay(head, it), responseId: about.responseId });
  const decoder = new TextDecoder();
  for (;;) {
    const n = await it.next();
    if (n.done) return answer();
    head.push(n.value);
    text += decoder.decode(n.value, { stream: true });
    const found = events(text, parsed);
    parsed = found.next;
    for (const e of found.events) {
      seen++;
      const v = judge(dialect, e.name, e.data, about);
      if (v === "answer") return answer();
      if (v === "failure") {
        for (;;) {
          const more = await it.next();
          if (more.done || text.length > MAX_FAILURE_TEXT) break;
          text += decoder.decode(more.value, { stream: true });
        }
        if (text.length > MAX_FAILURE_TEXT) await it.return?.();
        return { kind: "failure", status: statusOf(e.data), text };
      }
    }
    if (seen >= MAX_EVENTS || text.length > MAX_BYTES) return answer();
  }
}
