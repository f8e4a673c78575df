/**
 * jsonText: a UTF-8 body as a string that JSON.parse reads to exactly the value of the ordinary decoding,
 * checked against that decoding on every recorded body and on generated texts (every script, emoji,
 * bytes that are not UTF-8, runs across the scan's boundaries, invalid JSON).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { jsonText } from "../../src/http/json-text.js";
import { FIXTURES, files } from "../support/fixture-files.js";

/** What JSON.parse makes of a text, or the fact that it refuses it. */
function parsed(text: string): unknown {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return "invalid";
  }
}

const same = (raw: Buffer) => expect(parsed(jsonText(raw))).toEqual(parsed(raw.toString("utf8")));

/** A deterministic generator (so a failure names its seed). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = ["a", " ", "→", "—", "é", "中文", "😀", "\u2028", "\\n", '\\"', "\\u00e9", "ß", "𝄞", "\u0000"];

describe("jsonText", () => {
  it("reads every recorded JSON fixture to the value the ordinary decoding gives", () => {
    let nonAscii = 0;
    const all = files(FIXTURES).filter((f) => f.endsWith(".json"));
    expect(all.length).toBeGreaterThan(20);
    for (const f of all) {
      const raw = readFileSync(f);
      if (raw.some((b) => b >= 0x80)) nonAscii++;
      same(raw);
    }
    // The recordings include real bodies with non-ASCII text (Claude Code's arrows and dashes).
    expect(nonAscii).toBeGreaterThan(0);
  });

  it("is the ordinary decoding's value for generated bodies of every mix of scripts, and for bytes that are not UTF-8", () => {
    for (let seed = 1; seed <= 400; seed++) {
      const r = random(seed);
      const parts: string[] = [];
      const n = Math.floor(r() * 600);
      for (let i = 0; i < n; i++) parts.push(PIECES[Math.floor(r() * PIECES.length)]!.repeat(1 + Math.floor(r() * 40)));
      const body = { model: "m", messages: [{ role: "user", content: parts.join("") }], n: seed };
      const raw = Buffer.from(JSON.stringify(body));
      same(raw);
      expect(JSON.parse(jsonText(raw))).toEqual(body);
      // Corrupted: bytes that are no UTF-8 sequence, inside strings and outside them.
      const broken = Buffer.from(raw);
      for (let k = 0; k < 3; k++) broken[Math.floor(r() * broken.length)] = 0x80 + Math.floor(r() * 0x80);
      same(broken);
    }
  });

  it("gives the same value across the scan's boundaries and past its limits (many runs, mostly non-ASCII text)", () => {
    for (const size of [255, 256, 257, 511, 512, 513, 4096, 70_000]) {
      for (const at of [0, 1, 127, 128, 255, 256, 257, size - 2]) {
        const text = Array.from({ length: size }, (_, i) => (i === at || i === at + 1 ? "é" : "x")).join("");
        same(Buffer.from(JSON.stringify({ t: text })));
      }
    }
    // More runs than the escapes are worth, and a body that is mostly another script.
    same(Buffer.from(JSON.stringify({ t: "é x ".repeat(2000) })));
    same(Buffer.from(JSON.stringify({ t: "日本語のテキスト".repeat(3000) })));
  });

  it("leaves invalid JSON invalid: a non-ASCII character outside a string, or escaped, is refused as before", () => {
    // A backslash before a non-ASCII character is no escape: its `\\uXXXX` would read as an escaped backslash.
    for (const text of [
      '{"a": é}',
      '{"a":"x"}→',
      '→{"a":1}',
      '{"a":"unterminated é',
      '{"é":1,}',
      `{"a":"\\é","pad":"${"x".repeat(100)}"}`,
      `["x\\→ y","${"x".repeat(100)}"]`,
    ]) {
      const raw = Buffer.from(text);
      expect(parsed(jsonText(raw))).toBe("invalid");
      same(raw);
    }
  });
});
