import { isUtf8 } from "node:buffer";
import { randomBytes } from "node:crypto";
import type { Json } from "../ir/types.js";

/**
 * The long strings of a large JSON body, each with the place of its text in the body's bytes. A translated
 * request carries most of them on unchanged (a file read, a tool's output, a long message), and writing its
 * upstream body spent most of its time escaping them again, character by character (JSON.stringify: about
 * 3 ns a character on Node 20). Known here as the very strings the body was parsed to, each is copied from the
 * body's bytes instead (json-bytes.ts): the client's own text of the same string, escapes and all.
 *
 * The string objects are what makes a string known: the body's pieces (json-pieces.ts) are parsed with a
 * placeholder in place of each long string's text, and each long string is parsed on its own and put in its
 * placeholder's place, so the value holds exactly the strings found here. A translation that keeps a string
 * keeps that object (and a string equal to it is as good); a string looked up is compared with the few known
 * strings of its length and sampled characters, by identity first (`===`, at once for the same object).
 */

/** String values of at least this many bytes of text are found (a shorter one costs less to escape). */
export const LONG_BYTES = 256;

/** Strings of fewer characters are not looked up (the shortest text of LONG_BYTES is made of escapes). */
export const LOOKED_UP_CHARS = 64;

/**
 * The share of a body its long strings must make up for its translation to be written with them (json-bytes.ts):
 * below it, finding the arrays and objects that hold them costs about what copying them saves. Measured on 1 MB
 * bodies of tool calls and file reads (numbered lines), writing time against JSON.stringify's element by element:
 * 10 % of long strings 0.96×, 20 % 0.98×, 30 % 0.91×, 40 % 0.80×, 60 % 0.69×, 90 % 0.27×.
 */
export const LONG_SHARE = 0.2;

/** The known strings of one key compared with a string looked up, at most. */
const TRIES = 8;

/** Characters of a string its key (`keyOf`) reads besides its length: spread over it, and its last two. */
const SAMPLES = 24;

/**
 * What a string is looked up by: its length and some of its characters, hashed to 32 bits. Strings of one length
 * are common in a conversation (a tool's outputs of the same shape: numbered lines of a file), and mostly differ
 * in some of those characters.
 */
function keyOf(s: string): number {
  const n = s.length;
  let h = Math.imul(n ^ s.charCodeAt(n - 1), 0x9e3779b1);
  h = Math.imul(h ^ s.charCodeAt(n - 2), 0x9e3779b1);
  for (let i = 1; i <= SAMPLES; i++) h = Math.imul(h ^ s.charCodeAt(Math.floor((i * n) / (SAMPLES + 1))), 0x9e3779b1);
  return h;
}

/**
 * What a placeholder's text starts with: a NUL and 16 random hexadecimal digits, made once per process and never
 * seen outside it (the placeholders are all replaced before the value is used; a body that holds a string like
 * one with a number that was not put in its part is parsed whole instead). Its text in JSON is `\u0000` then the
 * digits, then the string's number.
 */
const MARK = randomBytes(8).toString("hex");
const MARK_TEXT = Buffer.from(`\\u0000${MARK}`, "latin1");
/** A placeholder's length at most: the mark and a number of up to 10 digits. */
const PLACEHOLDER_CHARS = 1 + MARK.length + 10;

/** Thrown when a parse found a placeholder it did not put in: the caller parses the body whole. */
class Misplaced extends Error {}

interface Known {
  readonly s: string;
  readonly from: number;
  readonly to: number;
}

export class LongStrings {
  /** The known strings, by key (`keyOf`). */
  private readonly byKey = new Map<number, Known[]>();
  /** The bytes of the known strings' texts. */
  bytes = 0;

  constructor(
    readonly raw: Buffer,
    /** Where each long string's text begins and ends (between its quotes), in pairs, in the order of the bytes. */
    readonly spans: readonly number[],
  ) {}

  /** Whether the known strings make up enough of the body to be worth copying (LONG_SHARE). */
  get worth(): boolean {
    return this.bytes >= LONG_SHARE * this.raw.length;
  }

  /** The place of `s`'s text in the body (from, to: between its quotes), if it is a known string. */
  find(s: string): Known | undefined {
    const list = this.byKey.get(keyOf(s));
    if (list === undefined) return undefined;
    const tries = Math.min(list.length, TRIES);
    for (let i = 0; i < tries; i++) if (list[i]!.s === s) return list[i];
    return undefined;
  }

  /** The first long string whose text begins at or after `at` (the number of the string, or spans.length / 2). */
  firstFrom(at: number): number {
    const spans = this.spans;
    let lo = 0;
    let hi = spans.length >> 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (spans[2 * mid]! < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * `raw[start, end)`, parsed by `parse`, wrapped in `open` and `close` (a run of elements or members as an array
   * or object; 0: none), with a placeholder in place of the text of each long string from the `first`th on that
   * lies in it, and then each placeholder replaced by its string, parsed on its own and made known.
   */
  parse(start: number, end: number, first: number, open: number, close: number, parse: (b: Buffer) => Json): Json {
    const raw = this.raw;
    const spans = this.spans;
    let last = first;
    while (2 * last < spans.length && spans[2 * last + 1]! <= end) last++;
    // The text with placeholders is shorter than the text (a long string's is at least LONG_BYTES).
    const text = Buffer.allocUnsafe(end - start + 2);
    let at = 0;
    if (open) text[at++] = open;
    let from = start;
    for (let k = first; k < last; k++) {
      at += raw.copy(text, at, from, spans[2 * k]!);
      at += MARK_TEXT.copy(text, at);
      at += text.write(String(k), at, "latin1");
      from = spans[2 * k + 1]!;
    }
    at += raw.copy(text, at, from, end);
    if (close) text[at++] = close;
    // Every placeholder in the value is replaced (one whose member a later one of the same name replaced is gone,
    // as its string would be): once all are found, no string left can be one.
    return this.replace(parse(text.subarray(0, at)), first, last, { n: 0 });
  }

  /** `v` with each placeholder in it replaced by its string (counted in `found`); past `last`, refused. */
  private replace(v: Json, first: number, last: number, found: { n: number }): Json {
    if (typeof v === "string") return this.placeholderOf(v, first, last, found) ?? v;
    if (typeof v !== "object" || v === null || found.n === last - first) return v;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && found.n < last - first; i++) v[i] = this.replace(v[i]!, first, last, found);
      return v;
    }
    for (const key in v) {
      if (found.n === last - first) break;
      v[key] = this.replace(v[key]!, first, last, found);
    }
    return v;
  }

  /** The string in place of `s` if it is a placeholder (of a string from `first` to before `last`). */
  private placeholderOf(s: string, first: number, last: number, found: { n: number }): string | undefined {
    if (s.length > PLACEHOLDER_CHARS || s.charCodeAt(0) !== 0 || !s.startsWith(MARK, 1)) return undefined;
    const k = Number(s.slice(1 + MARK.length));
    if (!Number.isInteger(k) || k < first || k >= last) throw new Misplaced();
    found.n++;
    const from = this.spans[2 * k]!;
    const to = this.spans[2 * k + 1]!;
    const text = this.raw.subarray(from - 1, to + 1);
    const str = JSON.parse(text.toString("utf8")) as string;
    // Bytes that are not UTF-8 are read as U+FFFD: such a text is not the string's, and is not copied.
    if (isUtf8(text)) this.know({ s: str, from, to });
    return str;
  }

  private know(k: Known): void {
    const key = keyOf(k.s);
    const list = this.byKey.get(key);
    if (list) list.push(k);
    else this.byKey.set(key, [k]);
    this.bytes += k.to - k.from;
  }
}
