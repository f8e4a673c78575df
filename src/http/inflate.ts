import { promisify } from "node:util";
import * as zlib from "node:zlib";
import type { ErrorInfo } from "../ir/types.js";
import { largestZstdWindow } from "./zstd-frames.js";
import { ZstdThread } from "./zstd-thread.js";

/** A request body that could not be decompressed: answered with this error. */
export class InflateRefused extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
  }
}

/**
 * How many content-codings llmux undoes on one body. Real clients send one (Codex: zstd); two are allowed for a
 * proxy that compresses again. Each layer is work and memory for llmux: `gzip` ×200 kept the thread pool busy
 * for 50 s, `zstd` ×1000 stalled the event loop for a minute.
 */
export const MAX_CODINGS = 2;

/**
 * The largest zstd window accepted: the body's own cap, but at least the 8 MiB every decoder should support
 * (RFC 8878 §3.1.1.1.2; a streaming compressor declares a window of its own, whatever the body's size).
 */
const zstdWindowMax = (cap: number) => Math.max(cap, 8 * 1024 * 1024);

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 100) / 100;

function tooLarge(cap: number): InflateRefused {
  return new InflateRefused({
    status: 413,
    kind: "request_too_large",
    message: `Request body is larger than ${mb(cap)} MB (server.body_limit_mb) once decompressed (every content-coding counted together)`,
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
/** Node 22.15+ and 23.8+ decode zstd in zlib (on the thread pool); Node 20 does not. */
const nativeZstd = (zlib as unknown as { zstdDecompress?: typeof zlib.gunzip }).zstdDecompress;
const zstdNative = nativeZstd ? (promisify(nativeZstd) as Inflate) : undefined;
const WINDOW_LOG_MAX = (zlib.constants as Record<string, number>).ZSTD_d_windowLogMax;

/** Where zstd is decoded without a native decoder: a thread of its own (zstd-thread.ts). */
export const zstdThread = new ZstdThread();

/**
 * zstd in JavaScript (fzstd) on the zstd thread: it stops at the first block past the budget. A frame whose
 * window is larger than `zstdWindowMax` is refused before fzstd allocates it.
 */
async function zstdJs(buf: Buffer, budget: number, cap: number): Promise<Buffer> {
  const window = largestZstdWindow(buf);
  // Headers that are not valid zstd are refused here: fzstd may spend seconds and megabytes before it says so.
  if (window === undefined) throw undecodable("zstd", "its frame or block headers are not valid");
  if (window > zstdWindowMax(cap))
    throw new InflateRefused({
      status: 413,
      kind: "request_too_large",
      message: `The zstd frame's window (${mb(window)} MB) is larger than llmux accepts (${mb(zstdWindowMax(cap))} MB: server.body_limit_mb, at least 8 MB)`,
      param: "content-encoding",
    });
  const r = await zstdThread.decode(buf, budget);
  if ("out" in r) return r.out;
  if ("over" in r) throw tooLarge(cap);
  if ("busy" in r)
    throw new InflateRefused({
      status: 503,
      kind: "overloaded",
      message: "Too many zstd bodies are waiting to be decoded; retry shortly (content-encoding)",
      param: "content-encoding",
    });
  throw undecodable("zstd", r.error);
}

function isTooLarge(err: unknown): boolean {
  return (err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" || err instanceof RangeError;
}

/** One coding undone, producing at most `budget` bytes (what is left of `cap` for every layer together). */
async function one(encoding: string, buf: Buffer, budget: number, cap: number): Promise<Buffer> {
  const opts = { maxOutputLength: Math.max(1, budget) };
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
      case "zstd": {
        if (!zstdNative) return await zstdJs(buf, budget, cap);
        // The window native zstd may allocate: no larger than for fzstd.
        const windowLog = Math.min(31, Math.ceil(Math.log2(zstdWindowMax(cap))));
        return await zstdNative(buf, {
          ...opts,
          ...(WINDOW_LOG_MAX !== undefined ? { params: { [WINDOW_LOG_MAX]: windowLog } } : {}),
        });
      }
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
 * A request body as sent, decoded by its `content-encoding` (zstd, gzip, deflate, br; at most `MAX_CODINGS`,
 * undone last first). No more than `cap` bytes are ever inflated, every layer counted together: past them the
 * body is refused (413) without inflating the rest. Throws InflateRefused.
 */
export async function inflateBody(raw: Buffer, contentEncoding: string | undefined, cap: number): Promise<Buffer> {
  if (!contentEncoding) return raw;
  const codings = contentEncoding
    .split(",")
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== "" && c !== "identity");
  if (codings.length > MAX_CODINGS)
    throw new InflateRefused({
      status: 415,
      kind: "invalid_request",
      message: `The request body has ${codings.length} content-codings; llmux undoes at most ${MAX_CODINGS} (content-encoding)`,
      param: "content-encoding",
    });
  let body = raw;
  let budget = cap;
  for (const c of codings.reverse()) {
    body = await one(c, body, budget, cap);
    budget -= body.length;
  }
  return body;
}
