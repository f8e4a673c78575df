/** Reading JSON text as bytes without parsing it: whitespace, and where a string ends. */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Bytes of a string looked at one by one before the closing quote is searched for natively. */
const SHORT = 48;

/** Whether a byte is JSON whitespace (undefined, past the end, is not). */
export const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** The first byte from `at` (before `end`) that is not whitespace. */
export function skipSpace(raw: Buffer, at: number, end = raw.length): number {
  while (at < end && isSpace(raw[at])) at++;
  return at;
}

/** Where the whitespace that ends `raw[from, end)` begins. */
export function trimEnd(raw: Buffer, from: number, end: number): number {
  while (end > from && isSpace(raw[end - 1])) end--;
  return end;
}

/**
 * Where the string opened by the quote at `open` ends (its closing quote, before `end`), or -1. A short string is
 * read byte by byte; past that, the next quote is found natively and closes the string unless an odd number of
 * backslashes precede it.
 */
export function stringEnd(raw: Buffer, open: number, end = raw.length): number {
  let at = open + 1;
  const short = Math.min(end, at + SHORT);
  while (at < short) {
    const c = raw[at]!;
    if (c === QUOTE) return at;
    at += c === BACKSLASH ? 2 : 1;
  }
  for (let q = raw.indexOf(QUOTE, at); q !== -1 && q < end; q = raw.indexOf(QUOTE, q + 1)) {
    let b = q - 1;
    while (b > open && raw[b] === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q;
  }
  return -1;
}
