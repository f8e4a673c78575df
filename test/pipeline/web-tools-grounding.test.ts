/**
 * A Gemini client's groundingSupports for an answer whose search llmux ran (src/pipeline/web-tools-grounding.ts):
 * each sentence citing a result's URL is a segment of the answer's text (its parts one after another), in UTF-8
 * bytes as Gemini counts them, supported by that result's chunk.
 */
import { describe, expect, it } from "vitest";
import { groundingSupportsOf } from "../../src/pipeline/web-tools-grounding.js";

const A = "https://example.org/a.html";
const B = "https://docs.example.com/b?x=1";
const hits = [
  { url: A, title: "A", snippet: "" },
  { url: B, title: "B", snippet: "" },
  { url: A, title: "A again", snippet: "" },
];

/** The text of a segment, read back from the joined text's UTF-8 bytes as Gemini CLI reads it. */
const bytesOf = (parts: string[], s: { startIndex: number; endIndex: number }) =>
  Buffer.from(parts.join(""), "utf8").subarray(s.startIndex, s.endIndex).toString("utf8");

describe("groundingSupportsOf", () => {
  it("a sentence naming a result's URL is a segment supported by that result's first chunk", () => {
    const parts = [`Café first: see ${A}. Nothing here! Both ${B} and ${A} agree.\nNo source.`];
    const supports = groundingSupportsOf(parts, hits) as {
      segment: { startIndex: number; endIndex: number; text: string };
      groundingChunkIndices: number[];
    }[];
    expect(supports.map((s) => [s.segment.text, s.groundingChunkIndices])).toEqual([
      [`Café first: see ${A}.`, [0]],
      [`Both ${B} and ${A} agree.`, [0, 1]],
    ]);
    // Byte offsets: "é" is two bytes, so the second segment starts one byte past its character offset.
    const second = supports[1]!.segment;
    expect(second.startIndex).toBe(parts[0]!.indexOf("Both") + 1);
    for (const s of supports) expect(bytesOf(parts, s.segment)).toBe(s.segment.text);
  });

  it("offsets run over the parts one after another, a part's end ending a sentence", () => {
    const parts = ["Let me search.", `It is 42 (source: ${A}).`];
    const [s] = groundingSupportsOf(parts, hits) as { segment: { startIndex: number; endIndex: number } }[];
    expect(s!.segment).toEqual({ startIndex: 14, endIndex: 14 + parts[1]!.length, text: parts[1] });
    expect(bytesOf(parts, s!.segment)).toBe(parts[1]);
  });

  it("nothing cited, no results, or no text: no supports", () => {
    expect(groundingSupportsOf(["No URL here."], hits)).toEqual([]);
    expect(groundingSupportsOf([`See ${A}.`], [])).toEqual([]);
    expect(groundingSupportsOf([], hits)).toEqual([]);
  });
});
