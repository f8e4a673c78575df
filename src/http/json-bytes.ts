import { LOOKED_UP_CHARS, type LongStrings } from "./long-strings.js";

/** Arrays of at least this many elements, at the top of a body, are serialised element by element. */
const MANY = 16;
/** Pieces are joined into strings of about this many characters before they are encoded. */
const BATCH = 32_768;

const encoder = new TextEncoder();

/** A value JSON.stringify leaves out of an object (and writes as null in an array). */
const absent = (v: unknown) => v === undefined || typeof v === "function" || typeof v === "symbol";

/** Whether `value` is an object whose members include an array long enough to serialise element by element. */
export function splittable(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return false;
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k];
    if (Array.isArray(v) && v.length >= MANY) return true;
  }
  return false;
}

/** Encodes strings one after another into one buffer, made larger when they do not fit. */
class Bytes {
  out: Buffer;
  at = 0;
  constructor(
    /** Characters still to come (the buffer's size when it must grow: at most three bytes each). */
    private left: number,
  ) {
    this.out = Buffer.allocUnsafe(left + (left >> 6) + 64);
  }
  write(text: string): void {
    this.left = Math.max(0, this.left - text.length);
    let { read, written } = encoder.encodeInto(text, this.at === 0 ? this.out : this.out.subarray(this.at));
    this.at += written;
    if (read === text.length) return;
    // encodeInto stops between code points. What is left of this text and the rest take three bytes a
    // character at most; pages of the buffer that are never written are never touched.
    this.grow(3 * (text.length - read + this.left));
    ({ read, written } = encoder.encodeInto(read === 0 ? text : text.slice(read), this.out.subarray(this.at)));
    this.at += written;
  }
  /** Makes room for `n` more bytes. */
  room(n: number): void {
    if (this.at + n > this.out.length) this.grow(Math.max(n, this.out.length >> 1));
  }
  private grow(n: number): void {
    const larger = Buffer.allocUnsafe(this.at + n + 64);
    this.out.copy(larger, 0, 0, this.at);
    this.out = larger;
  }
}

/**
 * A JSON value's UTF-8 bytes: the bytes of `Buffer.from(JSON.stringify(value))`, made without the whole text
 * as one string when the value is a body of many messages or items. A long JSON text is a large string of its
 * own (in V8, on fresh pages the kernel must map, about a thousand for 2 MB), and two bytes a character as
 * soon as one character above U+00FF (an arrow, a dash) is anywhere in it, which then makes its UTF-8 encoding
 * slow. Here each element of a long top-level array is serialised alone, the pieces are joined into strings of
 * about 32 k characters and each is encoded into one buffer, so only the pieces that hold such a character are
 * two bytes a character, and no string is large unless one element is. Other values are serialised whole.
 *
 * Given the long strings of the client's body (`longs`, long-strings.ts), when they are enough of it, the value
 * is written member by member instead, and each of those strings is copied from the client's bytes (longJsonBytes).
 */
export function jsonBytes(value: unknown, longs?: LongStrings): Buffer {
  if (longs?.worth) return longJsonBytes(value, longs);
  if (!splittable(value)) return Buffer.from(JSON.stringify(value) ?? "null", "utf8");
  const parts: string[] = [];
  let chars = 0;
  const push = (s: string) => {
    parts.push(s);
    chars += s.length;
  };
  let sep = "{";
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (!Array.isArray(v) || v.length < MANY || typeof (v as { toJSON?: unknown }).toJSON === "function") {
      // Left out, as JSON.stringify leaves it out: undefined, a function, a symbol, a toJSON that gives undefined.
      const text = JSON.stringify(v);
      if (text === undefined) continue;
      push(`${sep}${JSON.stringify(k)}:${text}`);
      sep = ",";
      continue;
    }
    push(`${sep}${JSON.stringify(k)}:`);
    sep = ",";
    for (let i = 0; i < v.length; i++) {
      const e = v[i];
      push(i === 0 ? "[" : ",");
      push(absent(e) ? "null" : (JSON.stringify(e) ?? "null"));
    }
    push("]");
  }
  push(sep === "{" ? "{}" : "}");
  const bytes = new Bytes(chars);
  let pending = "";
  for (const part of parts) {
    pending += part;
    if (pending.length >= BATCH) {
      bytes.write(pending);
      pending = "";
    }
  }
  if (pending.length > 0) bytes.write(pending);
  return bytes.out.subarray(0, bytes.at);
}

/** A value JSON.stringify serialises on its own terms (toJSON, a boxed primitive, a Map): left to it whole. */
function foreign(v: object): boolean {
  if (typeof (v as { toJSON?: unknown }).toJSON === "function") return true;
  if (Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto !== Object.prototype && proto !== null;
}

/**
 * The value written member by member and element by element, as JSON.stringify writes it but for the long strings
 * of the client's body (`longs`): each of those (the very string, or one equal to it) is the client's own text
 * of it, copied from its bytes (the same string in JSON, escaped as the client escaped it: the same bytes as
 * JSON.stringify's when the client wrote it so). Only the arrays and objects that hold one of those strings are
 * written part by part (found by one walk over the value first); any other value, key and string goes through
 * JSON.stringify whole, as does an object JSON.stringify serialises on its own terms (`foreign`). What is not
 * copied is joined into strings of about BATCH characters, each encoded at once.
 */
export function longJsonBytes(value: unknown, longs: LongStrings): Buffer {
  const raw = longs.raw;
  const bytes = new Bytes(raw.length + (raw.length >> 3));
  let pending = "";
  const text = (s: string) => {
    pending += s;
    if (pending.length >= BATCH) {
      bytes.write(pending);
      pending = "";
    }
  };
  const long = (s: string) => {
    const known = longs.find(s);
    if (known === undefined) {
      text(JSON.stringify(s));
      return;
    }
    if (pending.length > 0) {
      bytes.write(pending);
      pending = "";
    }
    // The text and its quotes.
    const n = known.to - known.from + 2;
    bytes.room(n);
    raw.copy(bytes.out, bytes.at, known.from - 1, known.to + 1);
    bytes.at += n;
  };
  // The arrays and objects that hold a known long string, at any depth: only those are written part by part.
  const holding = new Set<object>();
  const holds = (v: unknown): boolean => {
    if (typeof v === "string") return v.length >= LOOKED_UP_CHARS && longs.find(v) !== undefined;
    if (typeof v !== "object" || v === null || foreign(v)) return false;
    let any = false;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (holds(v[i])) any = true;
    } else for (const k in v) if (holds((v as Record<string, unknown>)[k])) any = true;
    if (any) holding.add(v);
    return any;
  };
  const put = (v: unknown): void => {
    if (typeof v === "string") {
      if (v.length >= LOOKED_UP_CHARS) long(v);
      else text(JSON.stringify(v));
      return;
    }
    // What holds no known long string is left to JSON.stringify whole.
    if (typeof v !== "object" || v === null || !holding.has(v)) {
      text(JSON.stringify(v) ?? "null");
      return;
    }
    if (Array.isArray(v)) {
      text("[");
      for (let i = 0; i < v.length; i++) {
        if (i > 0) text(",");
        const e: unknown = v[i];
        if (absent(e)) text("null");
        else put(e);
      }
      text("]");
      return;
    }
    let sep = "{";
    for (const k of Object.keys(v)) {
      const m: unknown = (v as Record<string, unknown>)[k];
      // What holds a known string is written part by part; anything else as JSON.stringify writes it, left out
      // where it leaves it out (undefined, a function, a symbol, a toJSON that gives undefined).
      const parts =
        typeof m === "string" ? m.length >= LOOKED_UP_CHARS : typeof m === "object" && m !== null && holding.has(m);
      const whole = parts ? "" : JSON.stringify(m);
      if (whole === undefined) continue;
      text(`${sep}${JSON.stringify(k)}:`);
      sep = ",";
      if (parts) put(m);
      else text(whole);
    }
    text(sep === "{" ? "{}" : "}");
  };
  holds(value);
  if (absent(value)) text("null");
  else put(value);
  if (pending.length > 0) bytes.write(pending);
  return bytes.out.subarray(0, bytes.at);
}
