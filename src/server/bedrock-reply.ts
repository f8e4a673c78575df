import type { ServerResponse } from "node:http";
import type { MessageHeaders } from "@smithy/types";
import { SseParser } from "../sse/parser.js";
import { bedrockErrorOf, exceptionType } from "./bedrock-errors.js";

/**
 * InvokeModelWithResponseStream's answer: Amazon's binary event stream, each Anthropic event in a `chunk`
 * message as `{"bytes": base64(event JSON)}`. The respond stage writes Anthropic SSE as for any Messages
 * client; this adapter re-frames it on its way out. An error event becomes Bedrock's exception frame (errors
 * before the stream are answered in Bedrock's shape by src/server/bedrock-errors.ts).
 */
type Codec = { encode(m: { headers: MessageHeaders; body: Uint8Array }): Uint8Array };
let loaded: Promise<Codec> | undefined;

/** AWS's own codec (loaded on the first Bedrock-format request). */
export function bedrockCodec(): Promise<Codec> {
  loaded ??= import("@smithy/core/event-streams").then(
    (lib) =>
      new lib.EventStreamCodec(
        (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8"),
        (text: string) => Buffer.from(text, "utf8"),
      ),
  );
  return loaded;
}

const str = (value: string) => ({ type: "string" as const, value });

/** The exceptions InvokeModelWithResponseStream's stream may carry (the AWS SDK models these). */
const STREAM_EXCEPTIONS = new Set([
  "InternalServerException",
  "ModelStreamErrorException",
  "ValidationException",
  "ThrottlingException",
  "ModelTimeoutException",
  "ServiceUnavailableException",
]);

/** An Anthropic `error` event as Bedrock's exception frame: `{"message"}`, the type in `:exception-type`. */
function exceptionMessage(codec: Codec, eventJson: string): Uint8Array {
  const error = bedrockErrorOf(200, eventJson);
  const type = STREAM_EXCEPTIONS.has(error.type) ? error.type : "ModelStreamErrorException";
  return codec.encode({
    headers: {
      ":exception-type": str(exceptionType(type)),
      ":content-type": str("application/json"),
      ":message-type": str("exception"),
    },
    body: Buffer.from(JSON.stringify({ message: error.message }), "utf8"),
  });
}

function chunkMessage(codec: Codec, eventJson: string): Uint8Array {
  const payload = JSON.stringify({ bytes: Buffer.from(eventJson, "utf8").toString("base64") });
  return codec.encode({
    headers: {
      ":event-type": str("chunk"),
      ":content-type": str("application/json"),
      ":message-type": str("event"),
    },
    body: Buffer.from(payload, "utf8"),
  });
}

/** Makes `res` answer in Bedrock's event stream once it starts a 200 event stream. */
export function asBedrockStream(res: ServerResponse, codec: Codec): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  const write = res.write.bind(res) as (chunk: unknown, ...rest: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  let parser: SseParser | undefined;
  const frames = (chunk: unknown): Buffer => {
    const out: Uint8Array[] = [];
    parser!.push(typeof chunk === "string" ? chunk : (chunk as Uint8Array), (e) => {
      if (!e.data) return;
      out.push(e.event === "error" ? exceptionMessage(codec, e.data) : chunkMessage(codec, e.data));
    });
    return Buffer.concat(out);
  };
  res.writeHead = ((status: number, ...args: unknown[]) => {
    const headers = args.find((a) => a !== null && typeof a === "object") as Record<string, unknown> | undefined;
    if (status === 200 && String(headers?.["content-type"] ?? res.getHeader("content-type")).includes("event-stream")) {
      parser = new SseParser();
      const rest = { ...headers, "content-type": "application/vnd.amazon.eventstream" };
      return writeHead(status, rest);
    }
    return writeHead(status, ...args);
  }) as ServerResponse["writeHead"];
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (!parser) return write(chunk, ...rest);
    const bytes = frames(chunk);
    const cb = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    if (bytes.length === 0) {
      cb?.();
      return true;
    }
    return write(bytes, cb);
  }) as ServerResponse["write"];
  res.end = ((...args: unknown[]) => {
    if (parser && args.length > 0 && typeof args[0] !== "function" && args[0] !== undefined) {
      const bytes = frames(args[0]);
      if (bytes.length > 0) write(bytes);
      return end(...args.slice(1));
    }
    return end(...args);
  }) as ServerResponse["end"];
}
