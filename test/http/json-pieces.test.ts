/**
 * Large request bodies parsed in pieces (src/http/json-pieces.ts) read to exactly the value JSON.parse gives for
 * the whole text, and a body that is not JSON is refused with the whole text's own error. Checked on recorded
 * bodies grown past the threshold, on generated values (every kind of JSON value, non-ASCII text, escapes at
 * the cut's edges, whitespace, duplicate and `__proto__` keys, values larger than a piece at every level) and on
 * hundreds of mutations of them, against JSON.parse of the whole text.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeJson, PIECES_FROM } from "../../src/http/decode-json.js";
import { KEPT_MEMBERS, PIECE, parseInPieces, topMembers } from "../../src/http/json-pieces.js";
import { FIXTURES, files } from "../support/fixture-files.js";
import { random } from "../support/report-rows.js";

/**
 * A value in few words: a digest of its text (member order and own `__proto__` members included) and of the
 * prototypes of its objects.
 */
function digest(value: unknown): string {
  const protos: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v !== "object" || v === null) return;
    protos.push(Array.isArray(v) ? "a" : Object.getPrototypeOf(v) === Object.prototype ? "o" : "?");
    for (const c of Object.values(v)) walk(c);
  };
  walk(value);
  return createHash("sha256").update(JSON.stringify(value)).update(protos.join("")).digest("hex");
}

/** What the ordinary decoding makes of a body: its value's digest, or the words of JSON.parse's refusal. */
function whole(raw: Buffer): string {
  try {
    return `value ${digest(JSON.parse(raw.toString("utf8")))}`;
  } catch (err) {
    return `error ${(err as Error).message}`;
  }
}

/** decodeJson's answer in the same terms. */
function decoded(raw: Buffer): string {
  const d = decodeJson(raw);
  if (d.ok) return `value ${digest(d.json)}`;
  return `error ${d.error.message.replace(/^Request body is not valid JSON: /, "")}`;
}

const expectSame = (raw: Buffer, what?: string): void => expect(decoded(raw), what).toBe(whole(raw));

const TEXTS = ["plain", "é", "→ arrow — dash", "中文", "😀", 'quote " inside', "back\\slash\\", "\\", "\n\t", "\u2028"];

/** A generated JSON value of about `bytes` bytes of text, nesting down to `depth`. */
function value(rand: () => number, bytes: number, depth: number): unknown {
  const pick = rand();
  if (depth <= 0 || bytes < 40 || pick < 0.15) {
    const leaf = rand();
    if (leaf < 0.5) {
      let s = "";
      while (s.length < bytes) s += `${TEXTS[Math.floor(rand() * TEXTS.length)]!} `;
      return s;
    }
    if (leaf < 0.7) return Math.round((rand() - 0.5) * 1e9) / 1000;
    if (leaf < 0.8) return rand() < 0.5;
    if (leaf < 0.9) return null;
    return rand() < 0.5 ? [] : {};
  }
  const n = 1 + Math.floor(rand() * 12);
  if (pick < 0.55) return Array.from({ length: n }, () => value(rand, bytes / n, depth - 1));
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const key = rand() < 0.1 ? "__proto__" : `${TEXTS[Math.floor(rand() * TEXTS.length)]!}${i % 5}`;
    Object.defineProperty(out, key, {
      value: value(rand, bytes / n, depth - 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** A large body: an object of a few members, one of them an array large enough to be cut several levels down. */
function body(seed: number, messages = 10): Buffer {
  const rand = random(seed);
  const v = {
    model: "m",
    messages: Array.from({ length: messages }, () => value(rand, 1.6 * PIECE * rand(), 6)),
    big: value(rand, 1.5 * PIECE, 3),
    // Each level larger than a piece, deeper than the levels cut.
    deep: [[[[[[{ k: Array.from({ length: 3 }, () => value(rand, PIECE / 2, 0)) }]]]]]],
  };
  const text = seed % 3 === 0 ? JSON.stringify(v, null, seed % 2 === 0 ? 2 : "\t") : JSON.stringify(v);
  return Buffer.from(seed % 4 === 1 ? ` \r\n${text}\n ` : text);
}

describe("large bodies parsed in pieces", () => {
  it("read to the whole text's value, recorded Claude Code bodies grown past the threshold", () => {
    const recorded = files(join(FIXTURES, "real-clients")).filter((f) => f.endsWith(".json"));
    let grown = 0;
    for (const f of recorded) {
      const rec = JSON.parse(readFileSync(f, "utf8")) as { body?: { messages?: unknown[] } };
      const messages = rec.body?.messages;
      if (!Array.isArray(messages) || messages.length === 0) continue;
      const size = Buffer.byteLength(JSON.stringify(rec.body));
      const times = Math.ceil((2 * PIECES_FROM) / size);
      const raw = Buffer.from(JSON.stringify({ ...rec.body, messages: Array(times).fill(messages).flat() }));
      expect(parseInPieces(raw)).toBeDefined();
      expectSame(raw);
      grown++;
    }
    expect(grown).toBeGreaterThan(10);
  });

  it("read to the whole text's value, generated values of every kind", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const raw = body(seed);
      expect(raw.length).toBeGreaterThan(PIECES_FROM);
      expect(parseInPieces(raw), `seed ${seed}`).toBeDefined();
      expectSame(raw, `seed ${seed}`);
    }
  });

  it("keeps duplicate keys' last value at the first one's place, and `__proto__` as a member", () => {
    const filler = "x".repeat(PIECE);
    const text = `{"a":1,"__proto__":{"polluted":true},"pad":"${filler}","list":[${`"${filler}",`.repeat(3)}0],"a":2,"__proto__":[${`"${filler}",`.repeat(2)}1]}`;
    const raw = Buffer.from(text);
    const got = decodeJson(raw);
    expect(got.ok).toBe(true);
    if (!got.ok) return;
    const json = got.json as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(["a", "__proto__", "pad", "list"]);
    expect(json.a).toBe(2);
    expect(Object.getPrototypeOf(json)).toBe(Object.prototype);
    expect((Object.getOwnPropertyDescriptor(json, "__proto__")!.value as unknown[]).at(-1)).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expectSame(raw);
  });

  it("reads an object of many small members (parsed whole past a few runs) and of many elements alike", () => {
    const member = (i: number) => `"k${i}":${JSON.stringify({ t: "x".repeat(10_000), i })}`;
    const wide = `{${Array.from({ length: 60 }, (_, i) => member(i)).join(",")},"big":[${JSON.stringify("y".repeat(PIECE))}]}`;
    const raw = Buffer.from(`{"a":${wide},"b":[${`${wide},`.repeat(2)}0]}`);
    expect(parseInPieces(raw)).toBeDefined();
    expectSame(raw);
    expectSame(Buffer.from(`[${"0,".repeat(PIECES_FROM)}1]`));
    expectSame(Buffer.from(`[${"[],{},".repeat(PIECES_FROM / 6)}[[]]]`));
  });

  it("cuts a large string next to escaped quotes and backslashes right", () => {
    for (const edge of ['\\"', "\\\\", '\\\\\\"', "\\u0022", "é\\\\"]) {
      const s = `"${"y".repeat(PIECE)}${edge}"`;
      const raw = Buffer.from(`[${s},${s},{"k${edge}":${s},"n":[${s},${s}]},${s}]`);
      expect(parseInPieces(raw), edge).toBeDefined();
      expectSame(raw);
    }
  });

  it("refuses a body that is not JSON with the whole text's own error, over hundreds of mutations", () => {
    const STRUCTURE = Buffer.from('[]{},:" \\0a-');
    let refused = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const rand = random(seed * 7919);
      // ASCII bodies: the whole text's error names the same positions as the ordinary decoding's.
      // Two messages (~300 kB in all): each mutant is parsed three times, so the bodies are kept small.
      const base = Buffer.from(
        body(seed, 2)
          .toString()
          .replace(/[\u0080-\uffff]/g, "?"),
      );
      expect(base.length).toBeGreaterThan(PIECES_FROM);
      for (let m = 0; m < 60; m++) {
        const raw = Buffer.from(base);
        const at = Math.floor(rand() * raw.length);
        const kind = rand();
        let mutated: Buffer;
        if (kind < 0.4) mutated = Buffer.concat([raw.subarray(0, at), raw.subarray(at + 1)]);
        else if (kind < 0.8) {
          const byte = STRUCTURE.subarray(Math.floor(rand() * STRUCTURE.length)).subarray(0, 1);
          mutated = Buffer.concat([raw.subarray(0, at), byte, raw.subarray(at)]);
        } else {
          raw[at] = STRUCTURE[Math.floor(rand() * STRUCTURE.length)]!;
          mutated = raw;
        }
        const want = whole(mutated);
        if (want.startsWith("error")) refused++;
        // Every body still JSON is read in pieces: the comparison below is not the whole parse's with itself.
        else expect(parseInPieces(mutated), `seed ${seed}, mutation ${m}`).toBeDefined();
        expect(decoded(mutated), `seed ${seed}, mutation ${m}`).toBe(want);
      }
    }
    expect(refused).toBeGreaterThan(60);
  });

  it("refuses blank elements and members, which only an empty array or object may have, at every level", () => {
    const big = JSON.stringify("x".repeat(PIECE + 10));
    const refused = [
      `[,${big},${big}]`,
      `[${big},${big},]`,
      `[${big},,${big}]`,
      `[${big}, ,1]`,
      `{"a":${big},"b":${big},}`,
      `{,"a":${big},"b":${big}}`,
      `{"a":${big},"b": }`,
      `{"m":[${big},${big},]}`,
      `{"m":[,${big},${big}]}`,
      `{"m":[${big},[[${big},${big},]]]}`,
    ];
    for (const text of refused) {
      const raw = Buffer.from(text);
      expect(parseInPieces(raw), text.replace(/x{20,}/g, "…")).toBeUndefined();
      expect(whole(raw)).toMatch(/^error /);
      expectSame(raw, text.replace(/x{20,}/g, "…"));
    }
    const empty = Buffer.from(`[ ${big} , [ ] , { } , [${big}, ${big}], {"e":[ ],"f":{}}, [[ ],[${big}, ${big}]] ]`);
    expect(parseInPieces(empty)).toBeDefined();
    expectSame(empty);
  });

  it("measures in the same pass how deep the body nests and where its members lie", () => {
    const depthOf = (v: unknown): number =>
      typeof v !== "object" || v === null ? 0 : 1 + Math.max(0, ...Object.values(v).map(depthOf));
    for (let seed = 1; seed <= 12; seed++) {
      const raw = body(seed);
      const parsed = JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
      const pieces = parseInPieces(raw);
      expect(pieces !== undefined && "depth" in pieces ? pieces.depth : undefined, `seed ${seed}`).toBe(
        depthOf(parsed),
      );
      // Each member's bytes, alone in an object, are that member; together, in order, they are the body.
      const bounds = topMembers(raw)!;
      expect(bounds.length, `seed ${seed}`).toBe(2 * Object.keys(parsed).length);
      const texts: string[] = [];
      for (let b = 0; b < bounds.length; b += 2) texts.push(raw.toString("utf8", bounds[b], bounds[b + 1]));
      texts.forEach((t, i) => {
        expect(Object.keys(JSON.parse(`{${t}}`) as object)).toEqual([Object.keys(parsed)[i]]);
      });
      expect(digest(JSON.parse(`{${texts.join(",")}}`))).toBe(digest(parsed));
    }
    // Kept for an object's members only, and only for as many as a request has.
    const list = Buffer.from(`[${`${JSON.stringify("x".repeat(PIECE))},`.repeat(3)}0]`);
    expect(parseInPieces(list)).toBeDefined();
    expect(topMembers(list)).toBeUndefined();
    const member = (i: number) => `"k${i}":${JSON.stringify("x".repeat(PIECES_FROM / KEPT_MEMBERS))}`;
    const kept = Buffer.from(`{${Array.from({ length: KEPT_MEMBERS }, (_, i) => member(i)).join(",")}}`);
    const many = Buffer.from(`{${Array.from({ length: KEPT_MEMBERS + 1 }, (_, i) => member(i)).join(",")}}`);
    for (const raw of [kept, many]) expect(parseInPieces(raw)).toBeDefined();
    expect(topMembers(kept)).toHaveLength(2 * KEPT_MEMBERS);
    expect(topMembers(many)).toBeUndefined();
  });

  it("refuses a body nested deeper than the limit as the whole parse does, wherever the depth is", () => {
    const big = JSON.stringify("x".repeat(PIECE + 10));
    const nest = (levels: number) => `${"[".repeat(levels)}1${"]".repeat(levels)}`;
    for (const levels of [126, 127, 128, 129, 200]) {
      // The body's own object is one level: the nesting inside it is one less.
      const inner = nest(levels - 1);
      for (const text of [
        `{"a":${big},"deep":${inner},"b":${big}}`,
        `{"a":${big},"b":[${big},{"c":${inner.slice(2, -2)}},${big}]}`,
        `{"deep":${inner},"a":${big},"b":${big}}`,
        `[${big},${big},${inner}]`,
      ]) {
        const raw = Buffer.from(text);
        const pieces = parseInPieces(raw);
        expect(pieces !== undefined && "depth" in pieces ? pieces.depth : undefined).toBe(levels);
        const got = decodeJson(raw);
        expect(got.ok, `${levels} levels`).toBe(levels <= 128);
        if (!got.ok) expect(got.error.message).toBe("Request body nests arrays and objects deeper than 128 levels");
        // The same text below the size parsed in pieces is judged the same by walking its value.
        const small = Buffer.from(text.replaceAll(big, "0"));
        expect(small.length).toBeLessThan(PIECES_FROM);
        expect(decodeJson(small).ok, `${levels} levels, small`).toBe(levels <= 128);
      }
    }
  });

  it("judges the depth of the value, not of a key's first value that a second one replaces", () => {
    const big = JSON.stringify("x".repeat(PIECE + 10));
    const deep = `${"[".repeat(200)}1${"]".repeat(200)}`;
    for (const [text, levels, ok] of [
      [`{"x":${deep},"x":1,"a":${big},"b":${big}}`, 201, true],
      [`{"x":1,"a":${big},"x":${deep},"b":${big}}`, 201, false],
      [`{"a":${big},"m":{"y":${deep},"y":[]},"b":${big}}`, 202, true],
    ] as const) {
      const raw = Buffer.from(text);
      const pieces = parseInPieces(raw);
      // The text nests as deep whichever value is kept.
      expect(pieces !== undefined && "depth" in pieces ? pieces.depth : undefined).toBe(levels);
      expect(decodeJson(raw).ok).toBe(ok);
      expect(decodeJson(Buffer.from(text.replaceAll(big, "0"))).ok).toBe(ok);
    }
  });

  it("leaves what is not one array or object, and text that does not close, to the whole parse", () => {
    const long = `"${"z".repeat(PIECES_FROM)}"`;
    expect(parseInPieces(Buffer.from(long))).toBeUndefined();
    expectSame(Buffer.from(long));
    const open = Buffer.from(`[${`${long},`.repeat(2)}1`);
    expect(parseInPieces(open)).toBeUndefined();
    expectSame(open);
    const trailing = Buffer.from(`[${long}] [1]`);
    expect(parseInPieces(trailing)).toBeUndefined();
    expectSame(trailing);
    const mismatched = Buffer.from(`[${long},{"a":[${long}}]}]`);
    expectSame(mismatched);
  });
});
