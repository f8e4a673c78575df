/**
 * A walk over a zstd body's frame and block headers, without decoding anything: the window each frame
 * declares, so a decoder that allocates its window up front (fzstd does, at the frame header: a 2 GB window
 * from six bytes) is never handed a frame whose window is larger than the body may become.
 * RFC 8878 §3.1: frames (magic 0xFD2FB528, or skippable 0x184D2A5?), each a header and blocks.
 */

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE = 0x184d2a50;
/** The largest block a frame may hold (RFC 8878 §3.1.1.2.4: Block_Maximum_Size is at most 128 KB). */
const BLOCK_MAX = 128 * 1024;

/**
 * The largest window any frame of `buf` declares, in bytes; undefined when its frame or block headers are not
 * valid zstd (cut short, a reserved block type, a block larger than its frame allows).
 */
export function largestZstdWindow(buf: Uint8Array): number | undefined {
  let at = 0;
  let largest = 0;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  while (at < buf.length) {
    if (at + 4 > buf.length) return undefined;
    const magic = view.getUint32(at, true);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE) {
      if (at + 8 > buf.length) return undefined;
      at += 8 + view.getUint32(at + 4, true);
      continue;
    }
    if (magic !== ZSTD_MAGIC || at + 5 > buf.length) return undefined;
    const flags = buf[at + 4]!;
    const singleSegment = (flags >> 5) & 1;
    const checksum = (flags >> 2) & 1;
    const dictBytes = [0, 1, 2, 4][flags & 3]!;
    const fcsCode = flags >> 6;
    const fcsBytes = fcsCode === 0 ? singleSegment : 1 << fcsCode;
    let p = at + 5;
    let window = 0;
    if (!singleSegment) {
      if (p >= buf.length) return undefined;
      const d = buf[p++]!;
      const base = 2 ** (10 + (d >> 3));
      window = base + (base / 8) * (d & 7);
    }
    p += dictBytes;
    if (p + fcsBytes > buf.length) return undefined;
    let contentSize = 0;
    for (let i = fcsBytes - 1; i >= 0; i--) contentSize = contentSize * 256 + buf[p + i]!;
    if (fcsBytes === 2) contentSize += 256;
    p += fcsBytes;
    // A single-segment frame's window is its whole content (fzstd allocates that much).
    if (singleSegment) window = contentSize;
    largest = Math.max(largest, window);
    // Blocks: a 3-byte header each (last flag, type, size); an RLE block's content is one byte. No block is
    // larger than the window or 128 KB (§3.1.1.2.4), compressed or not: fzstd, handed a 2 MB RLE block in a
    // frame of 87 bytes, spent seconds and hundreds of megabytes on a body of 24 bytes.
    const blockMax = Math.min(BLOCK_MAX, window);
    for (;;) {
      if (p + 3 > buf.length) return undefined;
      const h = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16);
      const type = (h >> 1) & 3;
      if (type === 3 || h >>> 3 > blockMax) return undefined;
      p += 3 + (type === 1 ? 1 : h >>> 3);
      if (h & 1) break;
    }
    at = p + checksum * 4;
  }
  return largest;
}
