/**
 * jsonBytes: the bytes of Buffer.from(JSON.stringify(value)) for every value, split or not: recorded upstream
 * bodies, long bodies of every script (pieces that do not fit the first buffer), values JSON.stringify leaves
 * out or writes as null, toJSON.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { jsonBytes, splittable } from "../../src/http/json-bytes.js";
import { FIXTURES, files } from "../support/fixture-files.js";

const same = (value: unknown) => {
  const want = Buffer.from(JSON.stringify(value) ?? "null", "utf8");
  const got = jsonBytes(value);
  if (!got.equals(want)) expect(got.toString("utf8")).toBe(want.toString("utf8"));
  expect(got.equals(want)).toBe(true);
};

const PIECES = ["a", " ", '"', "\\", "\n", "→", "—", "é", "ÿ", "\u0080", "中文", "😀", "\u2028", "𝄞", "\u0000"];
const LONE = ["\ud800", "\udfff"];

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A body of `n` messages whose texts mix the pieces in proportion `wide`. */
function body(r: () => number, n: number, wide: number): Record<string, unknown> {
  const text = () => {
    let t = "";
    const len = Math.floor(r() * 3000);
    while (t.length < len)
      t += r() < wide ? PIECES[Math.floor(r() * PIECES.length)]!.repeat(1 + Math.floor(r() * 40)) : "x".repeat(50);
    return t;
  };
  return {
    model: "m",
    input: Array.from({ length: n }, (_, i) => ({
      role: i % 2 ? "assistant" : "user",
      content: [{ type: "text", text: text() }],
    })),
    tools: Array.from({ length: Math.floor(r() * 40) }, (_, i) => ({ name: `t${i}`, description: text() })),
    stream: true,
  };
}

describe("jsonBytes", () => {
  it("is JSON.stringify's UTF-8 for every recorded JSON body, and for them made long", () => {
    const all = files(FIXTURES).filter((f) => f.endsWith(".json"));
    expect(all.length).toBeGreaterThan(20);
    let split = 0;
    for (const f of all) {
      let value: unknown;
      try {
        value = JSON.parse(readFileSync(f, "utf8"));
      } catch {
        continue;
      }
      same(value);
      const v = value as Record<string, unknown>;
      for (const k of ["messages", "input", "contents", "tools"]) {
        if (!Array.isArray(v?.[k]) || v[k].length === 0) continue;
        const long = {
          ...v,
          [k]: Array.from({ length: 40 }, (_, i) => (v[k] as unknown[])[i % (v[k] as unknown[]).length]),
        };
        expect(splittable(long)).toBe(true);
        same(long);
        split++;
      }
    }
    expect(split).toBeGreaterThan(10);
  });

  it("long bodies of every mix of scripts, the first buffer outgrown or not", () => {
    for (let seed = 1; seed <= 60; seed++) {
      const r = random(seed);
      const b = body(r, 16 + Math.floor(r() * 200), r());
      expect(splittable(b)).toBe(true);
      same(b);
    }
    // Mostly other scripts: the buffer sized for one byte a character is outgrown early.
    same({ input: Array.from({ length: 300 }, () => "日本語のテキスト😀".repeat(50)), model: "m" });
  });

  it("writes what JSON.stringify writes for left-out values, null elements, toJSON, lone surrogates and keys", () => {
    const many = (e: unknown) => Array.from({ length: 20 }, (_, i) => (i === 7 ? e : { i }));
    same({ a: undefined, input: many(undefined), b: () => 1, c: Symbol("s") });
    same({ input: many(() => 1), x: 1 });
    same({ input: many(Symbol("s")) });
    same({ input: many(new Date(0)), when: new Date(0) });
    same({ input: many({ toJSON: () => undefined }), gone: { toJSON: () => undefined } });
    same({ input: many(LONE.join("x")), [LONE[0]!]: LONE[1], 'é"→': 1 });
    same({ 2: "b", 1: "a", z: many(null), 10: "c" });
    same({ toJSON: () => ({ input: many(1) }) });
    const arr = many(1) as unknown[] & { toJSON?: () => unknown };
    arr.toJSON = () => "array";
    same({ input: arr });
    same({ input: many(1), nested: { deep: many({ x: [1, "→"] }) } });
    for (const v of [null, 1, "→", [1, 2], many(1), undefined, {}, { input: [] }]) same(v);
  });
});
