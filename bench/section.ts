/**
 * A section of docs/performance.md written by a run of its own (the instruction counts of --instructions-only),
 * between two markers: replaced in place by the next such run, and kept as it is when the full run regenerates the
 * rest of the page.
 */

export const SECTION_BEGIN = "<!-- bench:instructions -->";
export const SECTION_END = "<!-- /bench:instructions -->";

/** The marked section of `doc` (markers included), if it has one. */
export function markedSection(doc: string): string | undefined {
  const a = doc.indexOf(SECTION_BEGIN);
  const b = doc.indexOf(SECTION_END, a);
  return a >= 0 && b > a ? doc.slice(a, b + SECTION_END.length) : undefined;
}

/**
 * `doc` with `section` (without markers, or a block from markedSection) in place of its marked section; a document
 * without one gets it before its "## Results" heading, else at the end.
 */
export function spliceSection(doc: string, section: string): string {
  const body = section.startsWith(SECTION_BEGIN) ? section : `${SECTION_BEGIN}\n${section.trim()}\n${SECTION_END}`;
  const old = markedSection(doc);
  if (old) return doc.replace(old, () => body);
  const at = doc.search(/^## Results$/m);
  if (at >= 0) return `${doc.slice(0, at)}${body}\n\n${doc.slice(at)}`;
  return `${doc.trimEnd()}\n\n${body}\n`;
}
