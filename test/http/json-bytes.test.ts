/**
 * jsonBytes: the bytes of Buffer.from(JSON.stringify(value)) for every value, split or not: recorded upstream
 * bodies, long bodies of every script (pieces that do not fit the first buffer), values JSON.stringify leaves
 * out or writes as null, toJSON. Given the long strings of the client's body (longStrings), each of them copied
 * from its bytes: JSON.stringify's bytes again when the client wrote it so, the same JSON otherwise; for values
 * made from a parsed body (strings kept, changed, moved, sent with other escapes, sent as bytes that are not UTF-8).
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { jsonBytes, longJsonBytes, splittable } from "../../src/http/json-bytes.js";
import { longStrings, parseInPieces } from "../../src/http/json-pieces.js";
import { LONG_BYTES, LONG_SHARE, LongStrings } from "../../src/http/long-strings.js";
import { FIXTURES, files } from "../support/fixture-files.js";

/**
 * jsonBytes writes JSON.stringify's bytes; given the long strings of a body written by JSON.stringify, so does the
 * writer that copies them, whatever their share.
 */
const same = (value: unknown, longs?: LongStrings) => {
  const want = Buffer.from(JSON.stringify(value) ?? "null", "utf8");
  for (const got of longs ? [jsonBytes(value, longs), longJsonBytes(value, longs)] : [jsonBytes(value)]) {
    if (!got.equals(want)) expect(got.toString("utf8")).toBe(want.toString("utf8"));
    expect(got.equals(want)).toBe(true);
  }
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

/** A body parsed in pieces from `raw`, and its long strings. */
function parsed(raw: Buffer): { value: Record<string, unknown>; longs: LongStrings } {
  const pieces = parseInPieces(raw);
  if (pieces === undefined || !("json" in pieces)) throw new Error("not parsed in pieces");
  expect(pieces.json).toEqual(JSON.parse(raw.toString("utf8")));
  const longs = longStrings(raw);
  if (longs === undefined) throw new Error("no long strings");
  return { value: pieces.json as Record<string, unknown>, longs };
}

/** A text of at least LONG_BYTES characters: prose, or (`lines`) numbered lines, as a file read. */
function longText(r: () => number, lines: boolean): string {
  const words = ["lorem", "ipsum", "→", "é", "中文", "😀", "—", "\u2028", '"q"', "\\", "\t", "x".repeat(30)];
  let t = "";
  const len = LONG_BYTES + Math.floor(r() * 4000);
  for (let n = 1; t.length < len; n++)
    t += lines ? `${String(n).padStart(6)}→${words[n % words.length]}\n` : `${words[Math.floor(r() * words.length)]} `;
  return t;
}

describe("jsonBytes with the client's long strings", () => {
  afterEach(() => vi.restoreAllMocks());

  /** Counts the long strings copied (look-ups that found one). */
  const copied = () => {
    const spy = vi.spyOn(LongStrings.prototype, "find");
    return () => spy.mock.results.filter((x) => x.value !== undefined).length;
  };

  it("writes JSON.stringify's bytes for values made from the body: strings kept, changed, moved", () => {
    const count = copied();
    for (let seed = 1; seed <= 40; seed++) {
      const r = random(seed);
      const messages = Array.from({ length: 20 + Math.floor(r() * 120) }, (_, i) => ({
        role: i % 2 ? "assistant" : "user",
        content: [
          { type: "text", text: longText(r, r() < 0.5) },
          { type: "text", text: "short" },
        ],
      }));
      const sent = { model: "m", messages, tools: [{ name: "t", description: longText(r, false) }], stream: true };
      const { value, longs } = parsed(Buffer.from(JSON.stringify(sent)));
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
        copy: `${texts[1]!} `.slice(0, -1),
        keyed: { [texts[1]!]: texts[2] },
        tools: value.tools,
        missing: undefined,
        when: new Date(0),
      };
      same(translated, longs);
      same(value, longs);
    }
    expect(count()).toBeGreaterThan(2000);
  });

  it("copies the client's own escapes: the same JSON, as the client wrote it", () => {
    const count = copied();
    const text = `${"A/é→".repeat(100)}\n"end"`;
    // Escapes JSON.stringify does not write: \u0041 for A, \/ for /, \u00e9 for é, \u2192 for →.
    const own = JSON.stringify(text).replaceAll("A", "\\u0041").replaceAll("/", "\\/").replaceAll("é", "\\u00e9");
    const raw = Buffer.from(`{"model":"m","input":[${own},${JSON.stringify(text)}]}`);
    const { value, longs } = parsed(raw);
    expect(value.input).toEqual([text, text]);
    const got = longJsonBytes({ model: "x", input: [{ content: (value.input as string[])[0] }] }, longs);
    expect(JSON.parse(got.toString("utf8"))).toEqual({ model: "x", input: [{ content: text }] });
    expect(got.toString("utf8")).toContain(own);
    // Found once to find what holds it, once to copy it.
    expect(count()).toBe(2);
  });

  it("copies them only when they are enough of the body (LONG_SHARE); below that, serialises as without them", () => {
    const count = copied();
    const body = (longTexts: number) => ({
      model: "m",
      messages: Array.from({ length: 40 }, (_, i) => ({
        role: "user",
        content: i < longTexts ? `${"line\n".repeat(200)} ${i}` : `${"short ".repeat(30)} ${i}`,
      })),
    });
    for (const n of [1, 10, 30]) {
      const { value, longs } = parsed(Buffer.from(JSON.stringify(body(n))));
      expect(longs.spans.length / 2).toBe(n);
      const before = count();
      expect(jsonBytes(value, longs).equals(Buffer.from(JSON.stringify(value)))).toBe(true);
      // 1,200 bytes of text a long message against ~200 for a short one: 1 is below the share, 10 and 30 above.
      expect(longs.worth).toBe(n >= 10);
      expect(longs.bytes >= LONG_SHARE * longs.raw.length).toBe(n >= 10);
      // Each found twice when written with them: once to find what holds them, once to copy.
      expect(count() - before).toBe(n >= 10 ? 2 * n : 0);
    }
  });

  it("knows only the strings of the body (equal ones too), not keys, short, changed or other strings", () => {
    const long = `${"a→".repeat(200)}end`;
    const raw = Buffer.from(JSON.stringify({ [long]: 1, a: [long, "short", long.replace("end", "fin")] }));
    const { value, longs } = parsed(raw);
    expect(longs.spans.length / 2).toBe(2);
    const [first, , other] = (value as { a: string[] }).a;
    expect(longs.find(first!)).toBeDefined();
    expect(longs.find(other!)).toBeDefined();
    expect(longs.find(`${first} `.slice(0, -1))).toBeDefined();
    expect(longs.find(long.replace("end", "fix"))).toBeUndefined();
    expect(longs.find("short")).toBeUndefined();
    expect(longs.find(Object.keys(value)[0]!)).toBeDefined();
  });

  it("writes a string sent as bytes that are not UTF-8 as JSON.stringify does (U+FFFD), never as those bytes", () => {
    const count = copied();
    const head = Buffer.from(`{"model":"m","input":["${"x".repeat(LONG_BYTES)}`);
    const raw = Buffer.concat([head, Buffer.from([0xff]), Buffer.from(`","${"\\ud800".repeat(LONG_BYTES)}"]}`)]);
    const { value, longs } = parsed(raw);
    expect((value.input as string[])[0]).toContain("\ufffd");
    same(value, longs);
    // The lone surrogates' string, escaped as JSON.stringify escapes them, is copied (by each writer, found once
    // to find what holds it and once to copy it); the other is not known.
    expect(count()).toBe(4);
  });

  it("stays right when many strings share a length and their samples (more than it compares)", () => {
    const count = copied();
    // Same length and characters wherever the key looks (its second character is never among them).
    const texts = Array.from({ length: 20 }, (_, i) => `s${String.fromCharCode(65 + i)}${"m".repeat(700)}`);
    const { value, longs } = parsed(Buffer.from(JSON.stringify({ input: texts })));
    same(value, longs);
    same({ input: [...(value.input as string[])].reverse() }, longs);
    // Those found among the first compared are copied, and the rest escaped as JSON.stringify would.
    expect(count()).toBeGreaterThan(0);
    expect(count()).toBeLessThan(4 * 2 * 20);
  });
});
