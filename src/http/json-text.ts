import { isAscii } from "node:buffer";

/** Runs of non-ASCII bytes beyond which a body is decoded the ordinary way (text in a non-Latin script). */
const MAX_RUNS = 256;
/** Below this many bytes a span is scanned byte by byte rather than halved. */
const LEAF = 256;

/** The ASCII codes of the hexadecimal digits, and of the two characters that open an escape. */
const HEX = Buffer.from("0123456789abcdef", "latin1");
const BACKSLASH = 0x5c;
const LOWER_U = 0x75;

/** The non-ASCII runs found so far (start, end pairs), their bytes, and how many bytes they may have. */
interface Found {
  runs: number[];
  wide: number;
  readonly maxWide: number;
}

/**
 * Finds the maximal runs of bytes ≥ 0x80 in `raw[from, to)` by halving: `isAscii` checks a span at memory
 * speed, so a body with a few non-ASCII characters costs a few dozen checks. Returns false (and stops) once
 * there are more than MAX_RUNS runs or more than `maxWide` bytes in them.
 */
function nonAsciiRuns(raw: Buffer, from: number, to: number, f: Found): boolean {
  if (to - from > LEAF) {
    if (isAscii(raw.subarray(from, to))) return true;
    const mid = from + ((to - from) >> 1);
    return nonAsciiRuns(raw, from, mid, f) && nonAsciiRuns(raw, mid, to, f);
  }
  const runs = f.runs;
  for (let i = from; i < to; i++) {
    if (raw[i]! < 0x80) continue;
    let j = i + 1;
    while (j < to && raw[j]! >= 0x80) j++;
    f.wide += j - i;
    if (f.wide > f.maxWide) return false;
    // A run cut by a halving's boundary continues the one before it.
    if (runs.length > 0 && runs[runs.length - 1] === i) runs[runs.length - 1] = j;
    else {
      if (runs.length >= MAX_RUNS * 2) return false;
      runs.push(i, j);
    }
    i = j;
  }
  return true;
}

/** Writes a UTF-16 string as JSON's `\\uXXXX` escapes into `out` at `at`; returns where they end. */
function writeEscaped(text: string, out: Buffer, at: number): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[at] = BACKSLASH;
    out[at + 1] = LOWER_U;
    out[at + 2] = HEX[(c >> 12) & 15]!;
    out[at + 3] = HEX[(c >> 8) & 15]!;
    out[at + 4] = HEX[(c >> 4) & 15]!;
    out[at + 5] = HEX[c & 15]!;
    at += 6;
  }
  return at;
}

/**
 * A UTF-8 JSON text as a string JSON.parse reads to the same value, made cheaply: V8 decodes UTF-8 with a
 * single non-ASCII character in it at a fraction of the speed of pure ASCII (a 75 kB Claude Code body with
 * three arrows and dashes: ~200 µs against ~7 µs), so the ASCII stretches are taken as they are and each
 * non-ASCII run becomes `\\uXXXX` escapes — the same characters inside a JSON string, and still invalid
 * outside one (and a run right after a backslash, which no JSON text has, makes the text decoded the ordinary way).
 * The stretches and escapes are copied into one buffer and read as one flat string: a string
 * joined from pieces would be copied again by JSON.parse, which reads only flat strings (a 2 MB body: ~6 ms
 * against ~4 ms to decode and parse). A body with many non-ASCII runs, or more than an eighth of non-ASCII
 * bytes, is decoded the ordinary way. Bytes that are not UTF-8 become U+FFFD either way (a run of bytes
 * ≥ 0x80 decodes alone as it does within the whole).
 */
export function jsonText(raw: Buffer): string {
  // Mostly non-ASCII text: its escapes would cost more than the ordinary decoding.
  const found: Found = { runs: [], wide: 0, maxWide: raw.length >> 3 };
  if (!nonAsciiRuns(raw, 0, raw.length, found)) return raw.toString("utf8");
  const runs = found.runs;
  if (runs.length === 0) return raw.toString("latin1");
  const decoded: string[] = [];
  let size = raw.length;
  for (let r = 0; r < runs.length; r += 2) {
    // After a backslash, escapes would be read as the escaped backslash and letters (`\é` is not JSON, and
    // `\\u00e9` is): decoded the ordinary way, the text stays refused.
    if (raw[runs[r]! - 1] === BACKSLASH) return raw.toString("utf8");
    const text = raw.toString("utf8", runs[r], runs[r + 1]);
    decoded.push(text);
    size += 6 * text.length - (runs[r + 1]! - runs[r]!);
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  let from = 0;
  for (let r = 0; r < runs.length; r += 2) {
    at += raw.copy(out, at, from, runs[r]);
    at = writeEscaped(decoded[r >> 1]!, out, at);
    from = runs[r + 1]!;
  }
  at += raw.copy(out, at, from);
  return out.toString("latin1", 0, at);
}
