/**
 * Arrays and objects a JSON body may open. Parsing costs up to a microsecond of the event loop and a hundred
 * bytes of memory per array or object, far more than per byte of text: 16 MB of `{},{},…` held the event loop
 * for 8 s and took 1 GB. At this many, parsing stays within half a second. Real requests stay far below (a long
 * agent conversation: tens of thousands).
 */
export const JSON_CONTAINER_LIMIT = 500_000;

/**
 * Values a JSON body may hold: array elements and object members, counted as the commas between them and the
 * arrays and objects opened (an upper bound). Parsing costs about a tenth of a microsecond per value even when
 * every value is a `0`: 32 MB of `0.5,"x",…` (5.6 million values, within the body's size and its arrays and
 * objects) held the event loop for 0.8 s. At this many, parsing the values stays within a tenth of that. Real
 * requests stay far below (a long agent conversation: tens of thousands; embeddings of token arrays are at most
 * 300,000 tokens a request).
 */
export const JSON_VALUE_LIMIT = 1_000_000;

const OPEN_ARRAY = 91;
const OPEN_OBJECT = 123;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;

/** How many times `char` occurs in `text`, counted natively and only until the count passes `limit`. */
function roughCount(text: string, char: string, limit: number): number {
  let n = 0;
  for (let i = text.indexOf(char); i !== -1 && n <= limit; i = text.indexOf(char, i + 1)) n++;
  return n;
}

/**
 * Whether JSON text opens more than `limit` arrays and objects (outside its strings). Cheap before parsing:
 * brackets are counted natively first, and the text is scanned character by character (to skip strings) only
 * when that count passes the limit.
 */
export function opensMoreThan(text: string, limit = JSON_CONTAINER_LIMIT): boolean {
  let rough = 0;
  for (let i = text.indexOf("["); i !== -1 && rough <= limit; i = text.indexOf("[", i + 1)) rough++;
  for (let i = text.indexOf("{"); i !== -1 && rough <= limit; i = text.indexOf("{", i + 1)) rough++;
  if (rough <= limit) return false;
  let opened = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if ((c === OPEN_ARRAY || c === OPEN_OBJECT) && ++opened > limit) return true;
  }
  return false;
}

/** The words of a refusal of such a body (a 400). */
export const tooManyContainers = (what: string, limit = JSON_CONTAINER_LIMIT) =>
  `${what} holds more than ${limit.toLocaleString("en-US")} arrays and objects; llmux parses at most that many`;

/** Which bound of a body's JSON text it passes, if any. */
export type TextBound = "containers" | "values" | undefined;

/**
 * Whether JSON text opens more than `containers` arrays and objects, or holds more than `values` values (the
 * arrays and objects opened and the commas, outside strings), without parsing it. The brackets and commas are
 * counted natively first; the text is scanned character by character (to skip strings) only when a count
 * passes its bound, and the scan stops at the first bound passed.
 */
export function textBound(text: string, containers = JSON_CONTAINER_LIMIT, values = JSON_VALUE_LIMIT): TextBound {
  // Each array or object opened and each comma is a character of its own: a text no longer than both bounds
  // passes neither, and is not scanned (a 500 kB body holds up to ~10,000 commas, each found by a call).
  if (text.length <= containers && text.length <= values) return undefined;
  let opens = roughCount(text, "[", containers);
  if (opens <= containers) opens += roughCount(text, "{", containers - opens);
  // The values counted are characters of the text: a text no longer than `values` cannot pass it.
  if (opens <= containers && (text.length <= values || opens + roughCount(text, ",", values - opens) <= values))
    return undefined;
  let opened = 0;
  let seen = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
      if (i === -1) return undefined;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++opened > containers) return "containers";
      if (++seen > values) return "values";
    } else if (c === COMMA && ++seen > values) return "values";
  }
  return undefined;
}

/**
 * Where the string opened by the quote at `open` ends (its closing quote), or -1 when it does not (the text is
 * not JSON; parsing says so). The next quote is found natively; it closes the string unless an odd number of
 * backslashes precede it (each backslash is looked at once at most: a run of them precedes one quote).
 */
function stringEnd(text: string, open: number): number {
  for (let q = text.indexOf('"', open + 1); q !== -1; q = text.indexOf('"', q + 1)) {
    let b = q - 1;
    while (b > open && text.charCodeAt(b) === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q;
  }
  return -1;
}

/** The words of a refusal of a body of too many values (a 400). */
export const tooManyValues = (what: string, limit = JSON_VALUE_LIMIT) =>
  `${what} holds more than ${limit.toLocaleString("en-US")} values (array elements and object members); llmux parses at most that many`;
