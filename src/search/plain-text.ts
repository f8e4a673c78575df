const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", "#39": "'" };

/** A character reference's character; the reference as written when it names none. */
function entity(ref: string): string {
  const named = NAMED[ref.toLowerCase()];
  if (named !== undefined) return named;
  const code = /^#x([0-9a-f]{1,6})$/i.test(ref)
    ? Number.parseInt(ref.slice(2), 16)
    : /^#(\d{1,7})$/.test(ref)
      ? Number.parseInt(ref.slice(1), 10)
      : undefined;
  if (code === undefined || code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return `&${ref};`;
  return String.fromCodePoint(code);
}

/**
 * A snippet as plain text: tags a provider left in (`<strong>`) removed, the common character references
 * decoded, runs of white space made one space.
 */
export function plainText(s: string): string {
  return s
    .replace(/<[^<>]{0,200}>/g, "")
    .replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6}|#39);/gi, (_, ref: string) => entity(ref))
    .replace(/\s+/g, " ")
    .trim();
}
