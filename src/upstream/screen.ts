import { Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { textBound, tooManyContainers, tooManyValues } from "../http/json-containers.js";
import { BodyTooLarge, readWhole } from "../http/whole-body.js";
import { isObject } from "../ir/input-error.js";
import type { Json, UpstreamDialect } from "../ir/types.js";
import { upstreamCodecs } from "../translate/codecs.js";
import { sniffJson } from "./inspect.js";
import { PassingBody } from "./passing-body.js";

/** Bounds on what llmux holds of one upstream answer (server.max_event_mb, server.max_answer_mb). */
export interface AnswerLimits {
  /** Largest single SSE event, in bytes. */
  readonly eventBytes: number;
  /** Largest answer read whole (a JSON body, or everything collected for a non-streaming client), in bytes. */
  readonly answerBytes: number;
}

export const MB = 1024 * 1024;

/** The upstream answer went past one of llmux's limits: the client is told which. */
export class AnswerTooLarge extends Error {}

/** A whole JSON answer the screen read: its text and its parse, so that no stage reads or parses it again. */
export interface WholeAnswer {
  readonly text: string;
  readonly json: Json;
}

/** A reply as the screen sees it (the fields of UpstreamReply it reads and rebuilds). */
export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array>;
  dump(): Promise<void>;
  /** A 2xx JSON answer as the screen read it (its body replays the same text). */
  whole?: WholeAnswer | undefined;
}

function headerOf(h: RawReply["headers"], name: string): string {
  const v = h[name];
  return (Array.isArray(v) ? v.join(",") : (v ?? "")).toLowerCase().trim();
}

/** The body decoded from the content-encoding the upstream used (gzip, deflate, br), or undefined when unknown. */
function decoded(body: AsyncIterable<Uint8Array>, encoding: string): AsyncIterable<Uint8Array> | undefined {
  const make =
    encoding === "gzip" || encoding === "x-gzip"
      ? createGunzip
      : encoding === "deflate"
        ? createInflate
        : encoding === "br"
          ? createBrotliDecompress
          : undefined;
  if (!make) return undefined;
  const source = Readable.from(body, { objectMode: false });
  const z = make();
  source.on("error", (err) => z.destroy(err));
  source.pipe(z);
  return z;
}

/** Throws AnswerTooLarge once a single SSE event (bytes since the last blank line) passes `max`. */
export function capEvents(body: AsyncIterable<Uint8Array>, max: number): AsyncIterableIterator<Buffer> {
  return new PassingBody(body, eventBound(max));
}

/**
 * The check of each chunk of an event stream: the bytes since the last event boundary, which may be split
 * across two chunks (the previous chunk's last 3 bytes and this one's first 3 are read together). The
 * previous bytes are kept as numbers: nothing is allocated per chunk or held per stream but this closure.
 */
function eventBound(max: number): (c: Uint8Array) => Buffer {
  let since = 0;
  /** The previous chunk's last bytes (up to 3), oldest first, and how many. */
  let p0 = 0;
  let p1 = 0;
  let p2 = 0;
  let kept = 0;
  const byte = (chunk: Uint8Array, k: number) => (k < kept ? (k === 0 ? p0 : k === 1 ? p1 : p2) : chunk[k - kept]!);
  /** Where a boundary ends in the previous bytes and this chunk's first 3, counted from this chunk's start; or -1. */
  const across = (chunk: Uint8Array): number => {
    if (kept === 0) return -1;
    const n = kept + Math.min(3, chunk.length);
    for (let e = n; e >= 2; e--) {
      const a = byte(chunk, e - 2);
      const b = byte(chunk, e - 1);
      const ends =
        (a === LF && b === LF) ||
        (a === CR && b === CR) ||
        (e >= 4 && a === CR && b === LF && byte(chunk, e - 4) === CR && byte(chunk, e - 3) === LF);
      if (ends) return e - kept;
    }
    return -1;
  };
  return (c) => {
    const chunk = Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.length);
    const end = Math.max(lastBoundary(chunk), across(chunk));
    since = end >= 0 ? chunk.length - end : since + chunk.length;
    if (since > max) throw new AnswerTooLarge(tooLarge("a single SSE event", "server.max_event_mb", max));
    kept = Math.min(3, chunk.length);
    const from = chunk.length - kept;
    p0 = chunk[from] ?? 0;
    p1 = chunk[from + 1] ?? 0;
    p2 = chunk[from + 2] ?? 0;
    return chunk;
  };
}

const LF = 0x0a;
const CR = 0x0d;

/** The offset just past the last event boundary (a blank line) in a buffer, or -1. */
function lastBoundary(b: Buffer): number {
  const lf = b.lastIndexOf("\n\n");
  const crlf = b.lastIndexOf("\r\n\r\n");
  const cr = b.lastIndexOf("\r\r");
  return Math.max(lf >= 0 ? lf + 2 : -1, crlf >= 0 ? crlf + 4 : -1, cr >= 0 ? cr + 2 : -1);
}

/** Throws AnswerTooLarge once the whole body passes `max` bytes. */
export function capTotal(body: AsyncIterable<Uint8Array>, max: number): AsyncIterableIterator<Uint8Array> {
  let total = 0;
  return new PassingBody(body, (c: Uint8Array) => {
    total += c.length;
    if (total > max) throw new AnswerTooLarge(tooLarge("the upstream answer", "server.max_answer_mb", max));
    return c;
  });
}

export function tooLarge(what: string, option: string, max: number): string {
  return `${what} is larger than ${option} (${Math.round((max / MB) * 100) / 100} MB) allows`;
}

/** A reply made by llmux: a status and an error body in the upstream's dialect (as if the upstream had sent it). */
export function synthetic(
  dialect: UpstreamDialect,
  status: number,
  message: string,
  headers: RawReply["headers"] = {},
): RawReply {
  const { body } = upstreamCodecs[dialect].encodeError({
    status,
    kind: status === 504 ? "timeout" : "server",
    message,
  });
  return jsonReply(status, JSON.stringify(body), { ...headers, "content-type": "application/json" });
}

export function jsonReply(status: number, text: string, headers: RawReply["headers"]): RawReply {
  return {
    status,
    headers: { "content-type": "application/json", ...headers, "content-length": String(Buffer.byteLength(text)) },
    // Encoded when read: a whole answer relayed or translated is taken from its text (`whole`), not from here.
    body: (async function* () {
      yield Buffer.from(text);
    })(),
    dump: async () => undefined,
  };
}

/** Does a 2xx JSON body look like an answer of `dialect`? */
function answerShaped(dialect: UpstreamDialect, v: Json): boolean {
  if (!isObject(v)) return false;
  if (dialect === "openai-chat") return Array.isArray(v.choices);
  if (dialect === "anthropic") return v.type === "message" || Array.isArray(v.content);
  if (dialect === "gemini") return Array.isArray(v.candidates) || isObject(v.promptFeedback);
  if (dialect === "bedrock-converse") return isObject(v.output);
  return v.object === "response" || Array.isArray(v.output);
}

/** Does a body carry an error instead of an answer (`{error: …}`, Anthropic's `{type: "error"}`)? */
function errorShaped(v: Json): boolean {
  return isObject(v) && (v.type === "error" || (v.error !== undefined && v.error !== null));
}

function preview(text: string): string {
  const t = text.trim().slice(0, 120).replace(/\s+/g, " ");
  return t.replace(/[^\x20-\x7e]/g, "?");
}

/**
 * Why a whole JSON answer's text is not parsed (more arrays and objects, or more values, than a request body may
 * hold: JSON_CONTAINER_LIMIT, JSON_VALUE_LIMIT), or undefined. Counted without parsing.
 */
export function answerTextBound(text: string): string | undefined {
  const bound = textBound(text);
  if (bound === "containers") return tooManyContainers("its answer");
  if (bound === "values") return tooManyValues("its answer");
  return undefined;
}

/**
 * Screens a reply before anyone relays it: an upstream failure never passes as a success.
 * - the body is decoded from gzip/deflate/br (llmux asks for identity, not every upstream listens);
 * - 1xx, 204, 205 and 3xx answers are not answers: a 502 naming what came;
 * - a 2xx body that is not an event stream is read whole (within the answer limit) and must be JSON: an error
 *   object becomes that error with its mapped status; with `expect`, anything that is not an answer of that
 *   dialect (an HTML page, another shape) is a 502; a body cut mid-way is a 502;
 * - an event stream is relayed with a bound on a single event.
 * Error replies keep the upstream's dialect, so passthrough relays them and translation decodes them.
 */
export async function screenReply(
  reply: RawReply,
  dialect: UpstreamDialect,
  expect: UpstreamDialect | undefined,
  limits: AnswerLimits,
  where: string,
): Promise<RawReply> {
  const encoding = headerOf(reply.headers, "content-encoding");
  if (encoding && encoding !== "identity") {
    const body = decoded(reply.body, encoding);
    if (!body) {
      await reply.dump().catch(() => undefined);
      return synthetic(dialect, 502, `upstream ${where} answered in an unsupported content-encoding '${encoding}'`);
    }
    const headers = { ...reply.headers };
    delete headers["content-encoding"];
    delete headers["content-length"];
    reply = { ...reply, headers, body };
  }
  const { status } = reply;
  if (status < 200 || status === 204 || status === 205 || (status >= 300 && status < 400)) {
    await reply.dump().catch(() => undefined);
    return synthetic(dialect, 502, `upstream ${where} answered ${status}, which is not an answer`);
  }
  if (status >= 400) return reply;
  let type = headerOf(reply.headers, "content-type");
  if (type === "") {
    // No content type: the first byte tells a JSON body (an error object, perhaps) from an event stream.
    let sniffed: Awaited<ReturnType<typeof sniffJson>>;
    try {
      sniffed = await sniffJson(reply.body);
    } catch (err) {
      return synthetic(dialect, 502, `upstream ${where}: its answer was cut mid-body (${(err as Error).message})`);
    }
    reply = { ...reply, body: sniffed.body };
    if (sniffed.json) type = "application/json";
  }
  if (type === "" || type.includes("event-stream")) return { ...reply, body: capEvents(reply.body, limits.eventBytes) };
  let text: string;
  try {
    text = (await readWhole(reply.body, limits.answerBytes)).toString("utf8");
  } catch (err) {
    const why =
      err instanceof BodyTooLarge
        ? tooLarge("the upstream answer", "server.max_answer_mb", limits.answerBytes)
        : `its answer was cut mid-body (${(err as Error).message})`;
    return synthetic(dialect, 502, `upstream ${where}: ${why}`);
  }
  // Refused before parsing, as a request body is (http/json-containers.ts): millions of arrays and objects, or
  // of values, in a few megabytes hold the event loop for seconds while parsed, and again while translated.
  const tooMany = answerTextBound(text);
  if (tooMany) return synthetic(dialect, 502, `upstream ${where}: ${tooMany}`);
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    return synthetic(
      dialect,
      502,
      `upstream ${where} answered ${status} with ${type || "no content type"} that is not JSON: '${preview(text)}'`,
    );
  }
  if (errorShaped(parsed) && !(expect && answerShaped(expect, parsed))) {
    const info = upstreamCodecs[dialect].decodeError(status, parsed);
    const mapped = info.status >= 400 ? info.status : 502;
    return jsonReply(mapped, text, reply.headers);
  }
  if (expect && !answerShaped(expect, parsed))
    return synthetic(
      dialect,
      502,
      `upstream ${where} answered ${status} with JSON that is not a ${expect} answer: '${preview(text)}'`,
    );
  return { ...jsonReply(status, text, reply.headers), whole: { text, json: parsed } };
}
