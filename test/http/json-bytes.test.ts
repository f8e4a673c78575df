/**
 * jsonBytes: the bytes of Buffer.from(JSON.stringify(value)) for every value, split or not: recorded upstream
 * bodies, long bodies of every script (pieces that do not fit the first buffer), values JSON.stringify leaves
 * out or writes as null, toJSON. Given the long strings a client sent without an escape (plainStrings), the
 * same bytes again, those strings copied as they are: values made from a parsed body (strings kept, changed,
 * moved, sent with escapes, sent as bytes that are not UTF-8).
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { jsonBytes, splittable } from "../../src/http/json-bytes.js";
import { parseInPieces, plainStrings } from "../../src/http/json-pieces.js";
import { PLAIN_MIN, PlainStrings } from "../../src/http/plain-strings.js";
import { FIXTURES, files } from "../support/fixture-files.js";

const same = (value: unknown, plain?: PlainStrings) => {
  const want = Buffer.from(JSON.stringify(value) ?? "null", "utf8");
  const got = jsonBytes(value, plain);
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

/** A body parsed in pieces from `raw`, and the long strings it was sent with without an escape. */
function parsed(raw: Buffer): { value: Record<string, unknown>; plain: PlainStrings } {
  const pieces = parseInPieces(raw);
  if (pieces === undefined || !("json" in pieces)) throw new Error("not parsed in pieces");
  const plain = plainStrings(raw);
  if (plain === undefined) throw new Error("no plain strings");
  return { value: pieces.json as Record<string, unknown>, plain };
}

/** A text of at least PLAIN_MIN characters, without a character JSON escapes unless `escaped`. */
function longText(r: () => number, escaped: boolean): string {
  const words = ["lorem", "ipsum", "→", "é", "中文", "😀", "—", "\u2028", "x".repeat(30)];
  let t = "";
  const len = PLAIN_MIN + Math.floor(r() * 4000);
  while (t.length < len) t += `${words[Math.floor(r() * words.length)]} `;
  return escaped ? `${t}"q"\n${t}` : t;
}

describe("jsonBytes with the client's plain strings", () => {
  afterEach(() => vi.restoreAllMocks());

  /** Counts the long strings copied as they are (look-ups that found the bytes). */
  const copied = () => {
    const spy = vi.spyOn(PlainStrings.prototype, "holds");
    return () => spy.mock.results.filter((x) => x.value === true).length;
  };

  it("writes JSON.stringify's bytes for values made from the body: strings kept, changed, moved, escaped", () => {
    const count = copied();
    for (let seed = 1; seed <= 40; seed++) {
      const r = random(seed);
      const messages = Array.from({ length: 20 + Math.floor(r() * 120) }, (_, i) => ({
        role: i % 2 ? "assistant" : "user",
        content: [
          { type: "text", text: longText(r, r() < 0.2) },
          { type: "text", text: "short" },
        ],
      }));
      const sent = { model: "m", messages, tools: [{ name: "t", description: longText(r, false) }], stream: true };
      const { value, plain } = parsed(Buffer.from(JSON.stringify(sent)));
      const texts = (value.messages as { content: { text: string }[] }[]).map((m) => m.content[0]!.text);
      // A translation's shape: the texts moved into other objects, some changed, some twice, one as a key.
      const translated = {
        model: "other",
        input: texts.map((t, i) => ({
          type: "message",
          content: [{ type: "input_text", text: i % 7 === 3 ? `${t}!` : i % 11 === 5 ? t.slice(1) : t }],
        })),
        instructions: texts.slice(0, 3).join("\n"),
        again: texts[0],
        keyed: { [texts[1]!]: texts[2] },
        tools: value.tools,
        missing: undefined,
        when: new Date(0),
      };
      same(translated, plain);
      same(value, plain);
    }
    expect(count()).toBeGreaterThan(1000);
  });

  it("copies only strings sent without an escape, looked up by their bytes", () => {
    const plainText = `${"a→".repeat(200)}end`;
    const escapedText = `${"b".repeat(300)}"q"`;
    const raw = Buffer.from(JSON.stringify({ a: [plainText, escapedText, "short", plainText.replace("end", "fin")] }));
    const { plain } = parsed(raw);
    expect(plain.size).toBe(2);
    const at = (s: string) => {
      const b = Buffer.from(` ${s}`);
      return plain.holds(b, 1, b.length - 1);
    };
    expect(at(plainText)).toBe(true);
    expect(at(plainText.replace("end", "fin"))).toBe(true);
    expect(at(plainText.replace("end", "fix"))).toBe(false);
    expect(at(`${"b".repeat(300)}"q"`)).toBe(false);
    expect(at("short")).toBe(false);
  });

  it("writes a string sent as bytes that are not UTF-8, or sent escaped as \\u, as JSON.stringify does", () => {
    const count = copied();
    const head = Buffer.from(`{"model":"m","input":["${"x".repeat(PLAIN_MIN)}`);
    // 0xff is not UTF-8 (the string holds U+FFFD); \u0078 is an x, and a lone surrogate is escaped.
    const raw = Buffer.concat([
      head,
      Buffer.from([0xff]),
      Buffer.from(`","${"\\u0078".repeat(PLAIN_MIN)}","\\ud800${"y".repeat(PLAIN_MIN)}"]}`),
    ]);
    const { value, plain } = parsed(raw);
    same(value, plain);
    expect(count()).toBe(0);
    // A lone surrogate is written as U+FFFD's bytes: sent as U+FFFD, the client's string has the same bytes.
    const sent = parsed(Buffer.from(JSON.stringify({ input: [`\ufffd${"z".repeat(PLAIN_MIN)}\ufffd`, "z"] })));
    same({ input: [`\udc00${"z".repeat(PLAIN_MIN)}\ud800`, `\ufffd${"z".repeat(PLAIN_MIN)}\ufffd`] }, sent.plain);
  });

  it("stays right when many strings share a length and their samples (more than it compares)", () => {
    const count = copied();
    // Same length, same first, middle and last bytes: they differ in between.
    const text = (mid: string) => `${"s".repeat(100)}${mid}${"m".repeat(200)}`;
    const texts = Array.from({ length: 12 }, (_, i) => text(String(i).padStart(3, "0")));
    const { value, plain } = parsed(Buffer.from(JSON.stringify({ input: texts })));
    same(value, plain);
    same({ input: [...(value.input as string[])].reverse() }, plain);
    // Identical to one of the first strings compared: copied; the others are escaped as JSON.stringify would.
    expect(count()).toBeGreaterThan(0);
    // Strings that need an escape where no sample looks, looked up among those: never copied.
    const before = count();
    same({ input: ['0"0', "0\\0", "0\n0", "0\u00010", "\ud8000"].map(text) }, plain);
    expect(count()).toBe(before);
  });
});
