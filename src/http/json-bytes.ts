import { PLAIN_MIN, type PlainStrings } from "./plain-strings.js";

/** Arrays of at least this many elements, at the top of a body, are serialised element by element. */
const MANY = 16;
/** Pieces are joined into strings of about this many characters before they are encoded. */
const BATCH = 32_768;

const encoder = new TextEncoder();
const QUOTE = 0x22;
/** U+FFFD in UTF-8: what Buffer#write makes of a lone surrogate, and a character a client may send as it is. */
const REPLACEMENT = Buffer.from("\ufffd");
/** A lone surrogate (JSON.stringify escapes it). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

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
 * Given the long strings the client sent without an escape (`plain`, plain-strings.ts), the value is written
 * member by member instead, and a long string among those is copied as its bytes (plainJsonBytes).
 */
export function jsonBytes(value: unknown, plain?: PlainStrings): Buffer {
  if (plain !== undefined && plain.size > 0) return plainJsonBytes(value, plain);
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

/** Whether an array's elements or an object's members are all neither long strings nor arrays or objects. */
function leaf(v: object): boolean {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const e: unknown = v[i];
      if (typeof e === "string" ? e.length >= PLAIN_MIN : typeof e === "object" && e !== null) return false;
    }
    return true;
  }
  for (const k in v) {
    const m: unknown = (v as Record<string, unknown>)[k];
    if (typeof m === "string" ? m.length >= PLAIN_MIN : typeof m === "object" && m !== null) return false;
  }
  return true;
}

/** Members' names as JSON with their colon, by name: a body names the same few dozen over and over. */
const keyTexts = new Map<string, string>();
/** Names kept at most (any more, and the map starts again), and the longest name kept. */
const KEY_TEXTS = 512;
const KEY_CHARS = 64;

function keyText(k: string): string {
  if (k.length > KEY_CHARS) return `${JSON.stringify(k)}:`;
  let t = keyTexts.get(k);
  if (t === undefined) {
    if (keyTexts.size >= KEY_TEXTS) keyTexts.clear();
    t = `${JSON.stringify(k)}:`;
    keyTexts.set(k, t);
  }
  return t;
}

/**
 * The bytes of `JSON.stringify(value)`, written member by member and element by element: a string of at least
 * PLAIN_MIN characters is encoded into the buffer at once and, when those bytes are a string the client sent
 * without an escape (`plain`), stays as it is between two quotes, since JSON.stringify would write the same
 * (no character of it needs an escape); any other string, key and value goes through JSON.stringify, as does
 * an object JSON.stringify serialises on its own terms (`foreign`). What is not a string is joined into
 * strings of about BATCH characters, each encoded at once.
 */
function plainJsonBytes(value: unknown, plain: PlainStrings): Buffer {
  const bytes = new Bytes(plain.raw.length + (plain.raw.length >> 3));
  let pending = "";
  const text = (s: string) => {
    pending += s;
    if (pending.length >= BATCH) {
      bytes.write(pending);
      pending = "";
    }
  };
  const long = (s: string) => {
    if (pending.length > 0) {
      bytes.write(pending);
      pending = "";
    }
    bytes.room(3 * s.length + 2);
    const out = bytes.out;
    const at = bytes.at;
    const n = out.write(s, at + 1, "utf8");
    // A lone surrogate is written as U+FFFD, which the client's string may have had in its place.
    const lone = () => out.subarray(at + 1, at + 1 + n).includes(REPLACEMENT) && LONE_SURROGATE.test(s);
    if (!plain.holds(out, at + 1, n) || lone()) {
      text(JSON.stringify(s));
      return;
    }
    out[at] = QUOTE;
    out[at + n + 1] = QUOTE;
    bytes.at = at + n + 2;
  };
  const put = (v: unknown): void => {
    if (typeof v === "string") {
      if (v.length >= PLAIN_MIN) long(v);
      else text(JSON.stringify(v));
      return;
    }
    // What holds no long string and nothing to descend into is left to JSON.stringify whole (far fewer strings).
    if (typeof v !== "object" || v === null || foreign(v) || leaf(v)) {
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
      if (absent(m)) continue;
      // Left out, as JSON.stringify leaves it out: an object whose toJSON gives undefined.
      const whole = typeof m === "object" && m !== null && foreign(m) ? JSON.stringify(m) : "";
      if (whole === undefined) continue;
      text(sep);
      text(keyText(k));
      sep = ",";
      if (whole !== "") text(whole);
      else put(m);
    }
    text(sep === "{" ? "{}" : "}");
  };
  if (absent(value)) text("null");
  else put(value);
  if (pending.length > 0) bytes.write(pending);
  return bytes.out.subarray(0, bytes.at);
}
