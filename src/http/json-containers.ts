/**
 * Arrays and objects a JSON body may open. Parsing costs up to a microsecond of the event loop and a hundred
 * bytes of memory per array or object, far more than per byte of text: 16 MB of `{},{},…` held the event loop
 * for 8 s and took 1 GB. At this many, parsing stays within half a second. Real requests stay far below (a long
 * agent conversation: tens of thousands).
 */
export const JSON_CONTAINER_LIMIT = 500_000;

const OPEN_ARRAY = 91;
const OPEN_OBJECT = 123;
const QUOTE = 34;
const BACKSLASH = 92;

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
