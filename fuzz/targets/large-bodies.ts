import { isAscii } from "node:buffer";
import fc from "fast-check";
import { decodeJson, JSON_DEPTH_LIMIT, PIECES_FROM } from "../../src/http/decode-json.js";
import { longJsonBytes } from "../../src/http/json-bytes.js";
import { longStrings, parseInPieces, topMembers } from "../../src/http/json-pieces.js";
import { LOOKED_UP_CHARS } from "../../src/http/long-strings.js";
import type { JsonObject } from "../../src/ir/types.js";
import { spliceBody } from "../../src/upstream/json-splice.js";
import { bytesMutant, type Json, jsonMutant } from "../mutate.js";
import { ROUTE_SEEDS } from "../seeds.js";
import type { Target } from "../target.js";

/**
 * Each route's seed body grown past the size from which a body is parsed in pieces (http/json-pieces.ts): its
 * messages (or contents, or input) repeated, with long texts among them (quotes and backslashes escaped in one),
 * which the writer of a translated body copies (http/long-strings.ts), as a long session's body grows.
 */
function grown(body: Json): Json {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return body;
  const key = ["messages", "contents", "input"].find((k) => Array.isArray(body[k]));
  if (key === undefined) return { ...body, pad: "é ".repeat(PIECES_FROM) };
  const list = body[key] as Json[];
  const size = Buffer.byteLength(JSON.stringify(list)) + 1;
  const times = Math.ceil((1.5 * PIECES_FROM) / size);
  return {
    ...body,
    [key]: [
      ...Array(times).fill(list).flat(),
      { role: "user", content: '"→" \\ x '.repeat(PIECES_FROM / 8) },
      { role: "user", content: "plain → é text ".repeat(40) },
      { role: "assistant", content: [{ type: "text", text: "plain → é text ".repeat(40) }] },
    ],
  };
}

const INVALID = "Request body is not valid JSON: ";

const SEEDS = ROUTE_SEEDS.map((s) => grown(s.body));

/** The texts of the grown seeds. */
const TEXTS = SEEDS.map((s) => JSON.stringify(s));

/**
 * A comma added next to a bracket or a comma, found by its count (inside a string it changes the text only):
 * blank elements and members, which a cut must not read as nothing (`[,1]`, `[1,,2]`, `{"a":1,}`).
 */
const blankMember = fc
  .record({ seed: fc.nat(), nth: fc.nat(), mark: fc.constantFrom("[", "{", ",", "]", "}") })
  .map(({ seed, nth, mark }) => {
    const text = TEXTS[seed % TEXTS.length]!;
    let at = -1;
    for (let n = nth % 64, i = text.indexOf(mark); i !== -1 && n >= 0; n--, i = text.indexOf(mark, i + 1)) at = i;
    if (at < 0) return Buffer.from(text);
    const cut = mark === "]" || mark === "}" ? at : at + 1;
    return Buffer.from(`${text.slice(0, cut)},${text.slice(cut)}`);
  });

/** What JSON.parse makes of the whole text (the ordinary decoding): the value's text, or its refusal. */
function ordinary(raw: Buffer): string {
  try {
    return `value ${JSON.stringify(JSON.parse(raw.toString("utf8")))}`;
  } catch (err) {
    return `refused: ${(err as Error).message}`;
  }
}

/** The value with a quote in place of the second character of each long string (the look-up samples elsewhere). */
function withQuotes(v: unknown): unknown {
  if (typeof v === "string") return v.length >= LOOKED_UP_CHARS ? `${v.slice(0, 1)}"${v.slice(2)}` : v;
  if (typeof v !== "object" || v === null) return v;
  if (Array.isArray(v)) return v.map(withQuotes);
  return Object.fromEntries(Object.entries(v).map(([k, m]) => [k, withQuotes(m)]));
}

/** How deep arrays and objects nest in a value (a scalar: 0). */
function depthOf(v: unknown): number {
  if (typeof v !== "object" || v === null) return 0;
  let deepest = 0;
  for (const c of Object.values(v)) deepest = Math.max(deepest, depthOf(c));
  return 1 + deepest;
}

/**
 * What the pieces' pass measured besides the value, checked against the value: its depth (decodeJson's decision
 * against the value's depth is checked by the caller), the long strings without an escape (the value written
 * with them copied is JSON.stringify's bytes), and the members a passthrough copies from it (the splice from them
 * gives the bytes a scan of the text gives).
 */
function measured(raw: Buffer, json: unknown): string | undefined {
  const pieces = parseInPieces(raw);
  if (pieces === undefined || !("depth" in pieces)) return undefined;
  // The text nests at least as deep as the value (of a key sent twice, the value keeps the last).
  if (pieces.depth < depthOf(json)) return `measured ${pieces.depth} levels deep, the value is ${depthOf(json)}`;
  const longs = longStrings(raw);
  if (longs !== undefined) {
    // Written with its long strings copied from the body, the value is the same JSON.
    const text = (v: unknown) => JSON.stringify(JSON.parse(longJsonBytes(v, longs).toString("utf8")));
    if (text(json) !== JSON.stringify(json)) return "written with its long strings copied, the value reads otherwise";
    // Its long strings each given a quote where the look-up does not sample: none may be copied.
    const quoted = withQuotes(json);
    if (text(quoted) !== JSON.stringify(quoted)) return "a long string was copied in place of another";
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  if (topMembers(raw) === undefined) return "an object read in pieces without its members";
  const original = json as JsonObject;
  const patched = { ...original, model: "fuzz-model" };
  const found = spliceBody(raw, original, patched);
  return found.equals(spliceBody(Buffer.from(raw), original, patched))
    ? undefined
    : "the splice from the members found differs from a scan's";
}

/**
 * Large request bodies, mutated as values and then as bytes: decodeJson reads each to the value JSON.parse gives
 * for the whole text, or refuses it as JSON.parse does (a 400 that carries JSON.parse's own words), or refuses it
 * for a bound JSON.parse does not know (arrays and objects, values, depth).
 */
export const largeBodies: Target<Buffer> = {
  name: "large-bodies",
  level: "decoder",
  input: fc.oneof(
    jsonMutant(SEEDS).map((text) => Buffer.from(text)),
    bytesMutant(TEXTS.map((t) => Buffer.from(t))),
    blankMember,
  ),
  async run(raw) {
    const want = ordinary(raw);
    const d = decodeJson(raw);
    if (d.ok) {
      const got = `value ${JSON.stringify(d.json)}`;
      if (got !== want) return `read to a value the whole text does not have (${want.slice(0, 80)})`;
      // An array or object in JSON is always cut: otherwise the comparison above was the whole parse's with itself.
      const first = raw.toString("latin1", 0, 64).trimStart()[0];
      const container = first === "[" || first === "{";
      if (depthOf(d.json) > JSON_DEPTH_LIMIT) return `accepted a value ${depthOf(d.json)} levels deep`;
      return container && raw.length >= PIECES_FROM && parseInPieces(raw) === undefined
        ? "a large JSON array or object was not read in pieces"
        : measured(raw, d.json);
    }
    if (d.error.status !== 400) return `answered ${d.error.status}`;
    // Too deep: only a value that nests deeper than the limit (told by walking the whole text's value).
    if (d.error.message.includes("nests arrays and objects deeper")) {
      if (!want.startsWith("value ")) return undefined;
      const depth = depthOf(JSON.parse(raw.toString("utf8")));
      return depth > JSON_DEPTH_LIMIT ? undefined : `refused as too deep a value ${depth} levels deep`;
    }
    // Past a bound JSON.parse does not know (arrays and objects, values): refused whatever JSON.parse says.
    if (!d.error.message.startsWith(INVALID)) return undefined;
    if (!want.startsWith("refused: ")) return "refused as not JSON a body the whole text reads";
    // JSON.parse's words name the characters it stopped at: a body with non-ASCII bytes is read with escapes.
    const words = d.error.message.slice(INVALID.length);
    return !isAscii(raw) || want === `refused: ${words}`
      ? undefined
      : `refused with other words than the whole text's: ${words.slice(0, 120)} / ${want.slice(0, 120)}`;
  },
  describe: (raw) => `${raw.length} bytes: ${raw.subarray(0, 200).toString("utf8")}`,
};
