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
    this.left -= text.length;
    let { read, written } = encoder.encodeInto(text, this.at === 0 ? this.out : this.out.subarray(this.at));
    this.at += written;
    if (read === text.length) return;
    // encodeInto stops between code points. What is left of this text and the rest take three bytes a
    // character at most; pages of the buffer that are never written are never touched.
    const larger = Buffer.allocUnsafe(this.at + 3 * (text.length - read + this.left) + 64);
    this.out.copy(larger, 0, 0, this.at);
    this.out = larger;
    ({ read, written } = encoder.encodeInto(read === 0 ? text : text.slice(read), larger.subarray(this.at)));
    this.at += written;
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
 */
export function jsonBytes(value: unknown): Buffer {
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
