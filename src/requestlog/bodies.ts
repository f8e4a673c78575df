import { promisify } from "node:util";
import { brotliCompress, brotliDecompress, constants } from "node:zlib";
import type { Bounded, ExchangeCapture } from "../request/capture.js";
import { SPLIT_SECRET_NOTE, secretAcrossEvents } from "../secrets/stream-text.js";

const compress = promisify(brotliCompress);
const decompress = promisify(brotliDecompress);

export type BodyName = "client_request" | "upstream_request" | "upstream_response" | "client_response";

/** The four bodies of a request as the request log keeps them: redacted text, and which were cut at the cap. */
export interface Bodies {
  client_request: string | null;
  upstream_request: string | null;
  upstream_response: string | null;
  client_response: string | null;
  truncated: BodyName[];
}

/**
 * A request's captured bodies (src/request/capture.ts) as the request log keeps them: redacted, each cut at
 * `cap` bytes. An event stream that still carries a secret once its deltas are put back together (`secrets`
 * finds it) is not kept.
 */
export function bodiesOf(
  capture: ExchangeCapture,
  cap: number,
  redact: (s: string) => string,
  secrets: (s: string) => string = redact,
): Bodies {
  const truncated: BodyName[] = [];
  const one = (name: BodyName, b: Bounded | undefined) => {
    if (!b) return null;
    if (b.cut(cap)) truncated.push(name);
    const text = b.text(cap, redact);
    // A stream is read reassembled: a secret split across its deltas is whole there.
    return text.includes("data:") && secretAcrossEvents(text, secrets) ? SPLIT_SECRET_NOTE : text;
  };
  return {
    client_request: one("client_request", capture.clientRequest),
    upstream_request: one("upstream_request", capture.upstreamRequest),
    upstream_response: one("upstream_response", capture.upstreamResponse),
    client_response: one("client_response", capture.clientResponse),
    truncated,
  };
}

/** Bodies as stored: one compressed JSON document. */
export async function packBodies(b: Bodies): Promise<Buffer> {
  return compress(Buffer.from(JSON.stringify(b)), {
    params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: 22 },
  });
}

export async function unpackBodies(data: Uint8Array): Promise<Bodies> {
  return JSON.parse((await decompress(data)).toString("utf8")) as Bodies;
}
