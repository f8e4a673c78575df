import { promisify } from "node:util";
import * as zlib from "node:zlib";
import { Decompress } from "fzstd";
import type { ErrorInfo } from "../ir/types.js";

/** A request body that could not be decompressed: answered with this error. */
export class InflateRefused extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 100) / 100;

function tooLarge(cap: number): InflateRefused {
  return new InflateRefused({
    status: 413,
    kind: "request_too_large",
    message: `Request body is larger than ${mb(cap)} MB (server.body_limit_mb) once decompressed`,
  });
}

function undecodable(encoding: string, why: string): InflateRefused {
  return new InflateRefused({
    status: 400,
    kind: "invalid_request",
    message: `The request body is not valid ${encoding} (content-encoding): ${why}`,
    param: "content-encoding",
  });
}

type Inflate = (buf: Buffer, opts: zlib.ZlibOptions | zlib.BrotliOptions) => Promise<Buffer>;

const gunzip = promisify(zlib.gunzip) as Inflate;
const inflate = promisify(zlib.inflate) as Inflate;
const inflateRaw = promisify(zlib.inflateRaw) as Inflate;
const brotli = promisify(zlib.brotliDecompress) as Inflate;
/** Node 22.15+ and 23.8+ decode zstd in zlib; Node 20 does not. */
const nativeZstd = (zlib as unknown as { zstdDecompress?: typeof zlib.gunzip }).zstdDecompress;
const zstdNative = nativeZstd ? (promisify(nativeZstd) as Inflate) : undefined;

/** zstd in JavaScript (fzstd), block by block: it stops at the first block past the cap. */
function zstdJs(buf: Buffer, cap: number): Buffer {
  const parts: Uint8Array[] = [];
  let size = 0;
  const d = new Decompress((chunk) => {
    size += chunk.length;
    if (size > cap) throw tooLarge(cap);
    parts.push(chunk);
  });
  d.push(buf, true);
  return Buffer.concat(parts, size);
}

function isTooLarge(err: unknown): boolean {
  return (err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError;
}

async function one(encoding: string, buf: Buffer, cap: number): Promise<Buffer> {
  const opts = { maxOutputLength: cap };
  try {
    switch (encoding) {
      case "gzip":
      case "x-gzip":
        return await gunzip(buf, opts);
      case "deflate":
        // "deflate" is zlib-wrapped by the standard; some clients send it raw.
        return await inflate(buf, opts).catch((err: unknown) => {
          if (isTooLarge(err)) throw err;
          return inflateRaw(buf, opts);
        });
      case "br":
        return await brotli(buf, opts);
      case "zstd":
        return zstdNative ? await zstdNative(buf, opts) : zstdJs(buf, cap);
      default:
        throw new InflateRefused({
          status: 415,
          kind: "invalid_request",
          message: `Unsupported content-encoding '${encoding}'; llmux decodes zstd, gzip, deflate and br`,
          param: "content-encoding",
        });
    }
  } catch (err) {
    if (err instanceof InflateRefused) throw err;
    if (isTooLarge(err)) throw tooLarge(cap);
    throw undecodable(encoding, (err as Error).message);
  }
}

/**
 * A request body as sent, decoded by its `content-encoding` (zstd, gzip, deflate, br; several are undone
 * last first). No more than `cap` bytes are ever inflated: past them the body is refused (413) without
 * inflating the rest. Throws InflateRefused.
 */
export async function inflateBody(raw: Buffer, contentEncoding: string | undefined, cap: number): Promise<Buffer> {
  if (!contentEncoding) return raw;
  const codings = contentEncoding
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== "" && c !== "identity");
  let body = raw;
  for (const c of codings.reverse()) body = await one(c, body, cap);
  return body;
}
