import type { Message, MessageDecoder } from "@smithy/types";
import type { RawUpstreamReply } from "./types.js";

/**
 * Amazon's event-stream framing (`application/vnd.amazon.eventstream`: length-prefixed binary messages with
 * typed headers and CRC checksums), read with AWS's own codec, and re-told as SSE text so the stream
 * decoders downstream read Bedrock like every other upstream.
 */

type EventStreams = typeof import("@smithy/core/event-streams");

/** AWS's codec, loaded when a first event stream comes (llmux without Bedrock never loads it). */
let loaded: Promise<{ lib: EventStreams; codec: MessageDecoder }> | undefined;
function awsCodec(): Promise<{ lib: EventStreams; codec: MessageDecoder }> {
  loaded ??= import("@smithy/core/event-streams").then((lib) => ({
    lib,
    codec: new lib.EventStreamCodec(
      (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"),
      (text: string) => Buffer.from(text, "utf8"),
    ),
  }));
  return loaded;
}

/** What one event-stream message says: its kind, its name, and its payload as text. */
export interface StreamMessage {
  /** `event`, `exception` (a modelled error: throttlingException…) or `error` (an unmodelled one). */
  kind: string;
  /** The `:event-type` or `:exception-type` (for `error`: the `:error-code`). */
  name: string;
  payload: string;
}

function header(m: Message, name: string): string {
  const h = m.headers[name];
  return h && (h.type === "string" || h.type === "binary") ? String(h.value) : "";
}

function read(m: Message): StreamMessage {
  const kind = header(m, ":message-type") || "event";
  if (kind === "error")
    return {
      kind,
      name: header(m, ":error-code") || "error",
      payload: JSON.stringify({ __type: header(m, ":error-code"), message: header(m, ":error-message") }),
    };
  const name = kind === "exception" ? header(m, ":exception-type") : header(m, ":event-type");
  return { kind, name, payload: Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength).toString("utf8") };
}

/** One SSE event; the data kept on one line whatever the payload's own whitespace. */
export function sseText(event: string, data: string): string {
  const line = data.includes("\n") || data.includes("\r") ? JSON.stringify(JSON.parse(data)) : data;
  return `event: ${event}\ndata: ${line}\n\n`;
}

/**
 * The messages of an event-stream body, as they are completed: AWS's chunker cuts the bytes into whole
 * messages (one may span many reads, one read hold many), its codec checks and decodes each.
 */
export async function* streamMessages(body: AsyncIterable<Uint8Array>): AsyncGenerator<StreamMessage> {
  const { lib, codec } = await awsCodec();
  const messages = new lib.MessageDecoderStream({ inputStream: lib.getChunkedStream(body), decoder: codec });
  for await (const m of messages) yield read(m);
}

/** An event-stream body re-told as SSE text by `render` (undefined: the message says nothing to relay). */
export async function* eventStreamAsSse(
  body: AsyncIterable<Uint8Array>,
  render: (m: StreamMessage) => string | undefined,
): AsyncGenerator<Uint8Array> {
  for await (const m of streamMessages(body)) {
    const text = render(m);
    if (text) yield Buffer.from(text, "utf8");
  }
}

function headerOf(h: RawUpstreamReply["headers"], name: string): string {
  const v = h[name];
  return Array.isArray(v) ? v.join(",") : (v ?? "");
}

/** Whether a reply's body is an AWS event stream. */
export function isEventStream(reply: RawUpstreamReply): boolean {
  return headerOf(reply.headers, "content-type").toLowerCase().includes("vnd.amazon.eventstream");
}

/** Bedrock's error bodies are small; anything past this is not read. */
const MAX_ERROR_BYTES = 1 << 20;

/**
 * The reply with its event-stream body as SSE (`content-type: text/event-stream`); other successful
 * replies as they came. An error's body (and status) is rewritten by `error`, knowing the AWS error type
 * from `x-amzn-errortype`.
 */
export async function adaptAwsReply(
  reply: RawUpstreamReply,
  render: (m: StreamMessage) => string | undefined,
  error: (status: number, type: string | undefined, text: string) => { status: number; body: string },
): Promise<RawUpstreamReply> {
  if (reply.status >= 400) {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const c of reply.body) {
        if (size < MAX_ERROR_BYTES) chunks.push(Buffer.from(c));
        size += c.length;
      }
    } catch {
      // the status and what came will do
    }
    const type = headerOf(reply.headers, "x-amzn-errortype") || undefined;
    const out = error(reply.status, type, Buffer.concat(chunks).toString("utf8"));
    const bytes = Buffer.from(out.body, "utf8");
    return {
      status: out.status,
      headers: { ...reply.headers, "content-type": "application/json", "content-length": String(bytes.length) },
      body: (async function* () {
        yield bytes;
      })(),
      dump: async () => undefined,
    };
  }
  if (!isEventStream(reply)) return reply;
  const headers: RawUpstreamReply["headers"] = { ...reply.headers, "content-type": "text/event-stream" };
  delete headers["content-length"];
  return { ...reply, headers, body: eventStreamAsSse(reply.body, render) };
}
