import type { Json } from "../ir/types.js";
import { JSON_CONTAINER_LIMIT, JSON_VALUE_LIMIT, type TextBound } from "./json-containers.js";
import { skipSpace, stringEnd, trimEnd } from "./json-scan.js";
import { jsonText } from "./json-text.js";
import { LONG_BYTES, LongStrings } from "./long-strings.js";

/**
 * A large JSON body parsed piece by piece, never as one string. V8 puts a string over 128 kB in pages mapped for
 * it alone, each 4 kB faulted in when first written and unmapped at the next collection: a 1 MB body's text cost
 * ~500 page faults and 3.7 ms on this project's bench machine, against 0.4 ms for the same bytes in pieces. So the
 * body's array or object is cut between its elements or members (found by one pass over the bytes, strings
 * skipped natively), consecutive ones are parsed together in runs of at most `PIECE` bytes, and one larger than
 * that is cut the same way, a few levels down. The value is the one JSON.parse gives for the whole text; any
 * doubt (text that is not JSON, a shape the cut does not expect) is answered by `undefined`, and the caller parses
 * the whole text the ordinary way (and names the error as it always has).
 */

/** The most bytes parsed at once: runs of elements or members stay within it. */
export const PIECE = 64 * 1024;
/** Runs of members beyond which an object is parsed whole (see `object`). */
const OBJECT_RUNS = 8;
/** Levels of arrays and objects cut into pieces below the body's own; deeper, a large value is parsed whole. */
const MAX_LEVELS = 4;
/** The most members of an object body whose places are kept (`topMembers`); a body of more is read again. */
export const KEPT_MEMBERS = 256;

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** A run's bytes with the brackets of its array or object around them (read synchronously, then reused). */
const scratch = Buffer.allocUnsafe(PIECE + 2);

/** The bounds of the elements of the array or object inside the element being scanned (reused). */
const INNER_BOUNDS: number[] = [];

/** Thrown inside when the cut does not fit the text; the caller then parses it whole. */
class NotCut extends Error {}

/**
 * The inside of one array or object, as it is to be parsed: spans (start, end, and -1 or the index of what was
 * found inside it) that are either runs of consecutive elements or members of at most PIECE bytes, or one element
 * or member larger than that.
 */
class Parts {
  readonly spans: number[] = [];
  readonly inner: (Parts | undefined)[] = [];
  close = -1;
  /** How many of the spans are runs. */
  runs = 0;
  private taken = 0;
  private runStart = -1;
  private runEnd = -1;

  constructor(readonly open: number) {}

  /**
   * Takes the element or member between `start` and `end` (a comma or the closing bracket): false when it is
   * blank, which only an empty array or object may be (`[1,,2]`, `[,1]` and `[1,]` are not JSON).
   */
  take(raw: Buffer, start: number, end: number, inner: Parts | undefined, closing: boolean): boolean {
    if (skipSpace(raw, start, end) === end) return closing && this.taken === 0;
    this.taken++;
    if (end - start > PIECE) {
      this.flush();
      this.spans.push(start, end, this.inner.length);
      this.inner.push(inner);
      return true;
    }
    if (this.runStart >= 0 && end - this.runStart > PIECE) this.flush();
    if (this.runStart < 0) this.runStart = start;
    this.runEnd = end;
    return true;
  }

  end(close: number): this {
    this.flush();
    this.close = close;
    return this;
  }

  private flush(): void {
    if (this.runStart < 0) return;
    this.spans.push(this.runStart, this.runEnd, -1);
    this.runs++;
    this.runStart = -1;
  }
}

/**
 * Arrays and objects opened and values seen so far (as `textBound` counts them), and the first bound passed; what
 * the same pass finds besides: how deep arrays and objects nest inside the body's own, and where each of its
 * members lies.
 */
interface Count {
  opened: number;
  seen: number;
  bound: TextBound;
  /** The deepest nesting inside the body's array or object (0: none in it). */
  deepest: number;
  /**
   * An object body's: start and end (its comma or the closing brace) of each member, a blank left out; dropped
   * past KEPT_MEMBERS members (a real request has a few dozen at most).
   */
  members: number[] | undefined;
  /** Where the body's long string values lie (long-strings.ts): start and end of each text, in pairs. */
  long: number[];
}

/** Counts an array or object opened (or a comma), and whether that passes a bound (then recorded). */
function passes(count: Count, opens: boolean): boolean {
  if (opens && ++count.opened > JSON_CONTAINER_LIMIT) count.bound = "containers";
  else if (++count.seen > JSON_VALUE_LIMIT) count.bound = "values";
  return count.bound !== undefined;
}

/**
 * The parts of the array or object opened at `open`, and those of each array or object directly inside it, in
 * one pass; undefined when its brackets do not close before `end`, or, with `count`, once a bound is passed.
 */
function scan(raw: Buffer, open: number, end: number, count?: Count): Parts | undefined {
  const top = new Parts(open);
  let depth = 0;
  let start = open + 1;
  // The current element's own array or object, if it has one: where it opens, and its elements' bounds (made
  // into parts only when the element proves larger than a piece; most are not).
  let innerOpen = -1;
  let innerStart = -1;
  const bounds = INNER_BOUNDS;
  bounds.length = 0;
  const innerParts = (): Parts | undefined => {
    if (innerOpen < 0) return undefined;
    const parts = new Parts(innerOpen);
    for (let b = 0; b < bounds.length - 1; b += 2)
      if (!parts.take(raw, bounds[b]!, bounds[b + 1]!, undefined, b === bounds.length - 3)) return undefined;
    return parts.end(bounds[bounds.length - 1]!);
  };
  const take = (at: number, closing: boolean): boolean => {
    const members = count?.members;
    if (members !== undefined && skipSpace(raw, start, at) < at) {
      if (members.length < 2 * KEPT_MEMBERS) members.push(start, at);
      else count!.members = undefined;
    }
    if (at - start > PIECE && innerOpen >= 0) {
      const inner = innerParts();
      // A blank element inside a large one: not JSON (the whole parse says so).
      if (inner === undefined) return false;
      return top.take(raw, start, at, inner, closing);
    }
    return top.take(raw, start, at, undefined, closing);
  };
  for (let i = open + 1; i < end; i++) {
    const c = raw[i]!;
    if (c === QUOTE) {
      const close = stringEnd(raw, i, end);
      if (close < 0) return undefined;
      // A long string that is a value (a key is followed by its colon).
      if (count !== undefined && close - i > LONG_BYTES && raw[skipSpace(raw, close + 1, end)] !== COLON)
        count.long.push(i + 1, close);
      i = close;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (count !== undefined) {
        if (passes(count, true)) return undefined;
        if (depth >= count.deepest) count.deepest = depth + 1;
      }
      if (++depth === 1) {
        // Two arrays or objects side by side in one element: not JSON, and not cut.
        if (innerOpen >= 0) return undefined;
        innerOpen = i;
        innerStart = i + 1;
      }
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      if (depth === 0) return take(i, true) ? top.end(i) : undefined;
      // Its elements' bounds, then where it closes.
      if (--depth === 0) bounds.push(innerStart, i, i);
    } else if (c === COMMA) {
      if (count !== undefined && passes(count, false)) return undefined;
      if (depth === 0) {
        if (!take(i, false)) return undefined;
        innerOpen = -1;
        bounds.length = 0;
        start = i + 1;
      } else if (depth === 1) {
        bounds.push(innerStart, i);
        innerStart = i + 1;
      }
    }
  }
  return undefined;
}

/** JSON text read from bytes (`jsonText`: non-ASCII runs as escapes). */
const parseBytes = (bytes: Buffer): Json => JSON.parse(jsonText(bytes)) as Json;

/** The long strings of the body being parsed (parseInPieces), found as it is parsed. */
let longs: LongStrings | undefined;

/**
 * The value of `raw[start, end)`, wrapped in `open` and `close` (0: not wrapped), its long strings (if any lies
 * in it) parsed apart and made known (long-strings.ts).
 */
function parseRange(raw: Buffer, start: number, end: number, open = 0, close = 0): Json {
  const first = longs?.firstFrom(start) ?? 0;
  if (longs !== undefined && 2 * first < longs.spans.length && longs.spans[2 * first + 1]! <= end)
    return longs.parse(start, end, first, open, close, parseBytes);
  if (!open) return parseBytes(raw.subarray(start, end));
  const n = end - start;
  scratch[0] = open;
  raw.copy(scratch, 1, start, end);
  scratch[n + 1] = close;
  return parseBytes(scratch.subarray(0, n + 2));
}

/** A run of elements or members parsed as the array or object of them alone. */
function parseRun(raw: Buffer, start: number, end: number, array: boolean): Json {
  return array
    ? parseRange(raw, start, end, OPEN_ARRAY, CLOSE_ARRAY)
    : parseRange(raw, start, end, OPEN_OBJECT, CLOSE_OBJECT);
}

/** Sets a member as JSON.parse does: `__proto__` is a member like any other, not the object's prototype. */
function setMember(target: Record<string, Json>, key: string, value: Json): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/** The value of the bytes `raw[from, to)`, cut into pieces when it is a large array or object. */
function value(raw: Buffer, from: number, to: number, found: Parts | undefined, level: number): Json {
  const start = skipSpace(raw, from, to);
  const end = trimEnd(raw, start, to);
  const c = raw[start];
  if (end - start <= PIECE || level > MAX_LEVELS || (c !== OPEN_ARRAY && c !== OPEN_OBJECT))
    return parseRange(raw, start, end);
  const parts = found?.open === start ? found : scan(raw, start, end);
  if (parts === undefined || parts.close !== end - 1) throw new NotCut();
  return container(raw, parts, level);
}

/** The array whose parts are `parts`: its runs' arrays and its large elements joined once, at the end. */
function array(raw: Buffer, parts: Parts, level: number): Json[] {
  const pieces: Json[][] = [];
  const spans = parts.spans;
  for (let s = 0; s < spans.length; s += 3) {
    const k = spans[s + 2]!;
    if (k < 0) pieces.push(parseRun(raw, spans[s]!, spans[s + 1]!, true) as Json[]);
    else pieces.push([value(raw, spans[s]!, spans[s + 1]!, parts.inner[k], level + 1)]);
  }
  return pieces.length === 1 ? pieces[0]! : ([] as Json[]).concat(...pieces);
}

/**
 * The object whose parts are `parts`. Its runs' members are set one by one, which costs more than parsing them
 * together: an object of more than `OBJECT_RUNS` runs (hundreds of thousands of small members, none of a real
 * request) is parsed whole, as a small one is.
 */
function object(raw: Buffer, parts: Parts, level: number): Json {
  if (parts.runs > OBJECT_RUNS) return parseRange(raw, parts.open, parts.close + 1);
  const members: Record<string, Json> = {};
  const spans = parts.spans;
  for (let s = 0; s < spans.length; s += 3) {
    const start = spans[s]!;
    const end = spans[s + 1]!;
    const k = spans[s + 2]!;
    if (k < 0) {
      const run = parseRun(raw, start, end, false) as Record<string, Json>;
      for (const key of Object.keys(run)) setMember(members, key, run[key]!);
      continue;
    }
    const open = skipSpace(raw, start, end);
    const close = raw[open] === QUOTE ? stringEnd(raw, open, end) : -1;
    const colon = close < 0 ? -1 : skipSpace(raw, close + 1, end);
    if (colon < 0 || raw[colon] !== COLON) throw new NotCut();
    const key = parseBytes(raw.subarray(open, close + 1)) as string;
    setMember(members, key, value(raw, colon + 1, end, parts.inner[k], level + 1));
  }
  return members;
}

/** The array or object whose parts are `parts`. */
function container(raw: Buffer, parts: Parts, level: number): Json {
  const isArray = raw[parts.open] === OPEN_ARRAY;
  if (raw[parts.close] !== (isArray ? CLOSE_ARRAY : CLOSE_OBJECT)) throw new NotCut();
  return isArray ? array(raw, parts, level) : object(raw, parts, level);
}

/**
 * A body parsed in pieces: its value, and how deep arrays and objects nest in its text (the body's own is 1). The
 * value may nest less: of a key sent twice, JSON.parse keeps the last value.
 */
export type Pieces = { json: Json; depth: number } | { bound: Exclude<TextBound, undefined> } | undefined;

/** The members of each object body parsed in pieces, by its bytes (for as long as they are kept): see `topMembers`. */
const membersOf = new WeakMap<Buffer, readonly number[]>();

/**
 * Where the members of a JSON object body parsed by `parseInPieces` lie in exactly these bytes: start and end of
 * each, in order, from the comma or brace before it to the comma or brace after it (spaces around included).
 * Undefined for any other buffer (not parsed in pieces, an array, more than KEPT_MEMBERS members, another buffer
 * of the same text): the caller reads the members itself. A passthrough copies members from these bytes without reading them again (json-splice.ts).
 */
export function topMembers(raw: Buffer): readonly number[] | undefined {
  return membersOf.get(raw);
}

/** The long strings of each body parsed in pieces that has any: see `longStrings`. */
const longsOf = new WeakMap<Buffer, LongStrings>();

/**
 * The long strings of a body parsed by `parseInPieces` (exactly these bytes), each with the place of its text, for
 * as long as the bytes are kept; undefined for any other buffer, or a body without any. The writer of a translated
 * body copies such a string's text rather than escape it again (json-bytes.ts).
 */
export function longStrings(raw: Buffer): LongStrings | undefined {
  return longsOf.get(raw);
}

/**
 * A body's JSON parsed in pieces, or the bound on arrays and objects or values it passes (counted as `textBound`
 * counts them, in the same pass); undefined when the body is not one array or object the cut fits, or is not JSON.
 * The same pass measures how deep the body nests, where an object's members lie (`topMembers`) and where its long
 * strings lie (`longStrings`: each is parsed apart).
 */
export function parseInPieces(raw: Buffer): Pieces {
  const start = skipSpace(raw, 0, raw.length);
  const end = trimEnd(raw, start, raw.length);
  const c = raw[start];
  if (c !== OPEN_ARRAY && c !== OPEN_OBJECT) return undefined;
  const count: Count = {
    opened: 1,
    seen: 1,
    bound: undefined,
    deepest: 0,
    members: c === OPEN_OBJECT ? [] : undefined,
    long: [],
  };
  const parts = scan(raw, start, end, count);
  if (count.bound !== undefined) return { bound: count.bound };
  if (parts === undefined || parts.close !== end - 1) return undefined;
  let json: Json;
  const found = count.long.length > 0 ? new LongStrings(raw, count.long) : undefined;
  longs = found;
  try {
    json = container(raw, parts, 1);
  } catch {
    return undefined;
  } finally {
    longs = undefined;
  }
  if (count.members !== undefined) membersOf.set(raw, count.members);
  if (found !== undefined && found.bytes > 0) longsOf.set(raw, found);
  return { json, depth: count.deepest + 1 };
}
