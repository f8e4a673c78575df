import { topMembers } from "../http/json-pieces.js";
import { stringEnd as closingQuote, isSpace, skipSpace, trimEnd } from "../http/json-scan.js";
import type { JsonObject } from "../ir/types.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

interface Member {
  key: string;
  /** The key's opening quote. */
  start: number;
  /** Just past the value. */
  end: number;
}

/** Index just past the string whose opening quote is at `i`, or -1. */
function stringEnd(buf: Buffer, i: number): number {
  const q = closingQuote(buf, i);
  return q < 0 ? -1 : q + 1;
}

/** Index just past the value starting at `i`. */
function valueEnd(buf: Buffer, i: number): number {
  const b = buf[i];
  if (b === QUOTE) return stringEnd(buf, i);
  if (b === 0x7b || b === 0x5b) {
    let depth = 0;
    let j = i;
    while (j < buf.length) {
      const c = buf[j]!;
      if (c === QUOTE) {
        j = stringEnd(buf, j);
        if (j < 0) return -1;
        continue;
      }
      if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
    return -1;
  }
  let j = i;
  while (j < buf.length && buf[j] !== 0x2c && buf[j] !== 0x7d && buf[j] !== 0x5d && !isSpace(buf[j])) j++;
  return j;
}

/** The key whose quotes are at `open` and `end - 1`: read as bytes when plain ASCII, else parsed as JSON. */
function keyText(buf: Buffer, open: number, end: number): string {
  for (let j = open + 1; j < end - 1; j++) {
    const b = buf[j]!;
    if (b >= 0x80 || b < 0x20 || b === BACKSLASH) return JSON.parse(buf.toString("utf8", open, end)) as string;
  }
  return buf.toString("latin1", open + 1, end - 1);
}

/** A member's key, from the quote at `i`, and where its value starts (after the colon): undefined if not a member. */
function keyAt(buf: Buffer, i: number): { key: string; value: number } | undefined {
  if (buf[i] !== QUOTE) return undefined;
  const keyEnd = stringEnd(buf, i);
  if (keyEnd < 0) return undefined;
  const key = keyText(buf, i, keyEnd);
  const colon = skipSpace(buf, keyEnd);
  if (buf[colon] !== 0x3a) return undefined;
  return { key, value: skipSpace(buf, colon + 1) };
}

/**
 * The members of an object body whose bounds its parse found (json-pieces.ts `topMembers`): each value ends
 * where the text before the member's comma or closing brace does, so no value is read again.
 */
function membersWithin(buf: Buffer, bounds: readonly number[]): Member[] | undefined {
  const out: Member[] = [];
  for (let b = 0; b < bounds.length; b += 2) {
    const start = skipSpace(buf, bounds[b]!, bounds[b + 1]!);
    const k = keyAt(buf, start);
    if (k === undefined) return undefined;
    out.push({ key: k.key, start, end: trimEnd(buf, k.value, bounds[b + 1]!) });
  }
  return out;
}

/** The top-level members of a JSON object text, or undefined if the text is not one. */
function members(buf: Buffer): Member[] | undefined {
  const bounds = topMembers(buf);
  if (bounds !== undefined) return membersWithin(buf, bounds);
  let i = skipSpace(buf, 0);
  if (buf[i] !== 0x7b) return undefined;
  i = skipSpace(buf, i + 1);
  const out: Member[] = [];
  if (buf[i] === 0x7d) return out;
  for (;;) {
    const start = i;
    const k = keyAt(buf, i);
    if (k === undefined) return undefined;
    const end = valueEnd(buf, k.value);
    if (end < 0) return undefined;
    out.push({ key: k.key, start, end });
    i = skipSpace(buf, end);
    if (buf[i] === 0x7d) return out;
    if (buf[i] !== 0x2c) return undefined;
    i = skipSpace(buf, i + 1);
  }
}

/**
 * The client's raw body with only the top-level members that changed between `original` (its parse) and
 * `patched` (a shallow copy, changed by replacing values, never by mutating them) re-serialised: every
 * other member, typically the large `messages`, is copied as the client sent it, byte for byte. Falls
 * back to serialising `patched` when the text has a shape the scan does not take (duplicate keys…).
 */
export function spliceBody(raw: Buffer, original: JsonObject, patched: JsonObject): Buffer {
  const found = members(raw);
  if (!found || found.length !== Object.keys(original).length) return Buffer.from(JSON.stringify(patched));
  // The members in order: a run of unchanged members that follow each other in the text is one range of it
  // (with what separates them, as sent); a changed or added member is its new text.
  const parts: (string | Member)[] = [];
  /** The range being extended: ended by any member that is not copied unchanged. */
  let run: Member | undefined;
  for (const m of found) {
    const v = Object.hasOwn(patched, m.key) ? patched[m.key] : undefined;
    if (v !== undefined && v === original[m.key]) {
      if (run !== undefined) run.end = m.end;
      else {
        run = { key: m.key, start: m.start, end: m.end };
        parts.push(run);
      }
    } else {
      run = undefined;
      if (v !== undefined) parts.push(`${JSON.stringify(m.key)}:${JSON.stringify(v)}`);
    }
  }
  for (const k in patched) {
    const v = patched[k];
    if (Object.hasOwn(patched, k) && !Object.hasOwn(original, k) && v !== undefined)
      parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
  }
  let size = 1 + parts.length;
  for (const p of parts) size += typeof p === "string" ? Buffer.byteLength(p) : p.end - p.start;
  const out = Buffer.allocUnsafe(Math.max(size, 2));
  let at = 0;
  out[at++] = 0x7b;
  for (let n = 0; n < parts.length; n++) {
    if (n > 0) out[at++] = 0x2c;
    const p = parts[n]!;
    at += typeof p === "string" ? out.write(p, at, "utf8") : raw.copy(out, at, p.start, p.end);
  }
  out[at++] = 0x7d;
  return out.subarray(0, at);
}
