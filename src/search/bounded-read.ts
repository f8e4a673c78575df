import type { Transform } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate, constants as zlib } from "node:zlib";

/** What a bounded read kept. */
export interface BoundedBody {
  /** The body (decompressed), at most `max` bytes. */
  bytes: Buffer;
  /** Bytes read from the network. */
  wire: number;
  /** The body went on past `max` (the rest was not read). */
  truncated: boolean;
}

/** A decompressor for a Content-Encoding, tolerant of a stream cut short; undefined for identity. */
function decoderOf(encoding: string): Transform | undefined {
  const e = encoding.trim().toLowerCase();
  if (e === "" || e === "identity") return undefined;
  if (e === "gzip" || e === "x-gzip") return createGunzip({ finishFlush: zlib.Z_SYNC_FLUSH });
  if (e === "deflate") return createInflate({ finishFlush: zlib.Z_SYNC_FLUSH });
  if (e === "br") return createBrotliDecompress({ finishFlush: zlib.BROTLI_OPERATION_FLUSH });
  throw new UnsupportedEncoding(e);
}

/** A Content-Encoding llmux does not decode. */
export class UnsupportedEncoding extends Error {
  constructor(readonly encoding: string) {
    super(`content encoded as ${encoding}`);
  }
}

/**
 * Reads a body until it ends or `max` bytes of it (after decompression: a small compressed body cannot become a
 * large one in memory) were kept, then stops reading (the connection is dropped). Throws what the stream
 * throws (an abort, a reset) and UnsupportedEncoding.
 */
export async function readBounded(
  body: ReadableStream<Uint8Array> | null,
  encoding: string,
  max: number,
): Promise<BoundedBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  let wire = 0;
  let truncated = false;
  const keep = (c: Buffer) => {
    if (truncated) return;
    if (size + c.length > max) {
      chunks.push(c.subarray(0, max - size));
      size = max;
      truncated = true;
      return;
    }
    chunks.push(c);
    size += c.length;
  };
  if (!body) return { bytes: Buffer.alloc(0), wire: 0, truncated: false };
  const decoder = decoderOf(encoding);
  const reader = body.getReader();
  let failed: Error | undefined;
  decoder?.on("data", (c: Buffer) => keep(c));
  decoder?.on("error", (e: Error) => {
    failed = e;
  });
  try {
    while (!truncated && !failed) {
      const { done, value } = await reader.read();
      if (done) break;
      wire += value.length;
      const chunk = Buffer.from(value.buffer, value.byteOffset, value.length);
      if (!decoder) keep(chunk);
      else await new Promise<void>((resolve) => decoder.write(chunk, () => resolve()));
    }
    if (decoder && !truncated && !failed)
      await new Promise<void>((resolve) => {
        decoder.once("end", resolve);
        decoder.once("error", () => resolve());
        decoder.end();
      });
  } finally {
    if (truncated || failed) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
    decoder?.destroy();
  }
  if (failed && size === 0) throw failed;
  return { bytes: Buffer.concat(chunks, size), wire, truncated };
}
