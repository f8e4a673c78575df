/**
 * The long strings of a JSON body that were sent without an escape: their text between the quotes has no
 * backslash, so (the body being JSON) it has no quote and no control character either, and it is exactly what
 * JSON.stringify writes for the string, as UTF-8. A translated request carries most of them on unchanged (a
 * tool's output, a file read, a long message), and serialising it again spent most of its time escaping
 * them character by character (about 3 ns a character on Node 20): with their places known, the upstream body's
 * writer (json-bytes.ts) encodes such a string into its buffer and, when those bytes are the bytes of one of
 * these strings, writes them as they are (the comparison is native, a few hundred times faster).
 *
 * Found by the same pass that cuts a large body into pieces (json-pieces.ts), which finds every string anyway.
 */

/** Strings of fewer bytes are left to JSON.stringify: escaping them costs less than looking them up. */
export const PLAIN_MIN = 256;

/** The recorded strings of one key compared with a candidate, at most (identical strings match the first). */
const TRIES = 4;

/** Bytes of a string's text, at its start, middle and end, that its key holds besides its length. */
const SAMPLE = 8;

/**
 * What a string's text is looked up by: its length and three samples of its bytes (strings of the same length are
 * common in a conversation, and mostly differ within the first, middle or last bytes).
 */
function keyOf(bytes: Buffer, at: number, n: number): string {
  const mid = at + (n >> 1) - (SAMPLE >> 1);
  return `${n}:${bytes.toString("latin1", at, at + SAMPLE)}${bytes.toString("latin1", mid, mid + SAMPLE)}${bytes.toString("latin1", at + n - SAMPLE, at + n)}`;
}

const BACKSLASH = 0x5c;

export class PlainStrings {
  /** Where each recorded string's text begins and ends, in pairs (until they are indexed). */
  private spans: number[] = [];
  /** Where each recorded string's text begins, by its key (`keyOf`): made at the first look-up. */
  private starts: Map<string, number[]> | undefined;
  /** The first backslash at or after the last string looked at (Infinity: none; -1: not searched yet). */
  private backslash = -1;
  /** How many strings are recorded. */
  size = 0;

  constructor(readonly raw: Buffer) {}

  /** Records the string whose text (between its quotes) is `raw[from, to)`, if it is long and has no escape. */
  note(from: number, to: number): void {
    if (to - from < PLAIN_MIN) return;
    // The backslash found for an earlier string serves every later one before it: one pass over the body in all.
    if (this.backslash < from) {
      const b = this.raw.indexOf(BACKSLASH, from);
      this.backslash = b < 0 ? Number.POSITIVE_INFINITY : b;
    }
    if (this.backslash < to) return;
    this.spans.push(from, to);
    this.size++;
  }

  /** Whether `bytes[at, at + n)` are the text of a recorded string. */
  holds(bytes: Buffer, at: number, n: number): boolean {
    if (n < PLAIN_MIN) return false;
    const list = this.index().get(keyOf(bytes, at, n));
    if (list === undefined) return false;
    const tries = Math.min(list.length, TRIES);
    for (let i = 0; i < tries; i++) {
      const from = list[i]!;
      if (this.raw.compare(bytes, at, at + n, from, from + n) === 0) return true;
    }
    return false;
  }

  /** The recorded strings by key, made once: a body that is not translated never needs them. */
  private index(): Map<string, number[]> {
    if (this.starts !== undefined) return this.starts;
    const starts = new Map<string, number[]>();
    const spans = this.spans;
    for (let i = 0; i < spans.length; i += 2) {
      const from = spans[i]!;
      const key = keyOf(this.raw, from, spans[i + 1]! - from);
      const list = starts.get(key);
      if (list) list.push(from);
      else starts.set(key, [from]);
    }
    this.spans = [];
    this.starts = starts;
    return starts;
  }
}
