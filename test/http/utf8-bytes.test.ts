/** utf8Bytes: the same bytes as Buffer.from(text) for every kind of text. */
import { describe, expect, it } from "vitest";
import { utf8Bytes } from "../../src/http/utf8-bytes.js";

const PIECES = [
  "a",
  " ",
  '"',
  "\\n",
  "→",
  "—",
  "é",
  "ÿ",
  "\u0080",
  "中文",
  "😀",
  "\u2028",
  "ß",
  "𝄞",
  "\u0000",
  "\ud800",
  "\udfff",
];

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const same = (text: string) => expect(utf8Bytes(text).equals(Buffer.from(text, "utf8"))).toBe(true);

describe("utf8Bytes", () => {
  it("ASCII, empty, and text that is only non-ASCII", () => {
    for (const t of ["", "a", '{"model":"x","input":"hello"}', "→", "😀😀", "ÿ", "é→é", "\ud800", "a\udfffb"]) same(t);
  });
  it("a long JSON text with a few non-ASCII characters (the upstream body of a Claude Code request)", () => {
    const base = JSON.stringify({
      messages: Array.from({ length: 200 }, (_, i) => ({ text: `line ${i} `.repeat(50) })),
    });
    same(`${base.slice(0, 1000)}→${base.slice(1000, 50_000)}— é${base.slice(50_000)}`);
    same(`→${base}`);
    same(`${base}😀`);
  });
  it("random mixes of every kind of character, lone surrogates included", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = random(seed);
      let t = "";
      const n = Math.floor(r() * 60);
      for (let i = 0; i < n; i++)
        t += r() < 0.5 ? "x".repeat(Math.floor(r() * 40)) : PIECES[Math.floor(r() * PIECES.length)];
      same(t);
    }
  });
});
