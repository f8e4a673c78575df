import type { JsonObject } from "../ir/types.js";
import type { SearchHit } from "../search/types.js";

/** The most supports one answer's grounding metadata lists. */
const MAX_SUPPORTS = 200;

/** The sentences of a text, as [start, end) character offsets, whitespace around each left out. */
function sentences(text: string): [number, number][] {
  const out: [number, number][] = [];
  const push = (from: number, to: number) => {
    while (from < to && /\s/.test(text[from]!)) from++;
    while (to > from && /\s/.test(text[to - 1]!)) to--;
    if (to > from) out.push([from, to]);
  };
  let start = 0;
  // A sentence ends at . ! or ? before whitespace or the end (a URL's dots are not followed by a space), or a line's end.
  for (const m of text.matchAll(/[.!?]+(?=\s|$)|\n/g)) {
    const end = m.index + m[0].length;
    push(start, end);
    start = end;
  }
  push(start, text.length);
  return out;
}

/**
 * A Gemini client's `groundingSupports` for an answer whose search llmux ran (pure): each sentence of the
 * answer's text that cites a result (names its URL) is a segment supported by that result's grounding chunk
 * (its index in `groundingChunks`, the hits in order). A segment's `startIndex` and `endIndex` are UTF-8 byte
 * offsets, as Gemini's are, into the answer's text as its clients read it: its text parts one after another
 * (what `response.text` joins, and where Gemini CLI inserts its `[n]` markers). A part's end ends a sentence.
 */
export function groundingSupportsOf(parts: readonly string[], hits: readonly SearchHit[]): JsonObject[] {
  const chunkOf = new Map<string, number>();
  hits.forEach((h, i) => {
    if (h.url && !chunkOf.has(h.url)) chunkOf.set(h.url, i);
  });
  const out: JsonObject[] = [];
  if (chunkOf.size === 0) return out;
  let base = 0;
  for (const text of parts) {
    for (const [from, to] of sentences(text)) {
      const sentence = text.slice(from, to);
      const cited = [...chunkOf].filter(([url]) => sentence.includes(url)).map(([, i]) => i);
      if (cited.length === 0) continue;
      const startIndex = base + Buffer.byteLength(text.slice(0, from), "utf8");
      out.push({
        segment: { startIndex, endIndex: startIndex + Buffer.byteLength(sentence, "utf8"), text: sentence },
        groundingChunkIndices: cited.sort((a, b) => a - b),
      });
      if (out.length >= MAX_SUPPORTS) return out;
    }
    base += Buffer.byteLength(text, "utf8");
  }
  return out;
}
