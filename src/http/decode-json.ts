import { InputError } from "../ir/input-error.js";
import type { ErrorInfo, Json } from "../ir/types.js";
import { textBound, tooManyContainers, tooManyValues } from "./json-containers.js";
import { parseInPieces } from "./json-pieces.js";
import { jsonText } from "./json-text.js";

/**
 * Deepest nesting of arrays and objects accepted in a request body. Real requests stay far below it (a
 * tool's JSON Schema nests a few dozen levels at most); much deeper values would make recursive work on
 * the body (serialising it to store it, to send it upstream) fail after the client was answered.
 */
export const JSON_DEPTH_LIMIT = 128;

/** The depth of a parsed value, counted only until it passes `limit` (so deep values cost little). */
function deeperThan(value: Json, limit: number): boolean {
  if (limit < 0) return true;
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) {
    for (const v of value) if (typeof v === "object" && v !== null && deeperThan(v, limit - 1)) return true;
    return false;
  }
  for (const k in value) {
    const v = value[k]!;
    if (typeof v === "object" && v !== null && deeperThan(v, limit - 1)) return true;
  }
  return false;
}

/**
 * Bodies from this size on are parsed in pieces (json-pieces.ts): V8 keeps a string of more than 128 KiB in pages
 * of its own, which cost more to map than to fill.
 */
export const PIECES_FROM = 128 * 1024;

/** The 400 for a body past a bound on its arrays and objects or its values. */
function boundError(bound: "containers" | "values"): Decoded {
  const message = bound === "containers" ? tooManyContainers("Request body") : tooManyValues("Request body");
  return { ok: false, error: new InputError(null, message).toErrorInfo() };
}

export type Decoded = { ok: true; json: Json } | { ok: false; error: ErrorInfo };

/** A request body as JSON, or the 400 that says why it is not acceptable JSON. */
export function decodeJson(raw: Buffer, depthLimit = JSON_DEPTH_LIMIT): Decoded {
  let json: Json;
  /** How deep the body's text nests, when the pieces' pass measured it. */
  let depth: number | undefined;
  // Whatever the pieces do not settle (text that is not JSON among them) is parsed whole, and said wrong as ever.
  const pieces = raw.length >= PIECES_FROM ? parseInPieces(raw) : undefined;
  if (pieces !== undefined) {
    if ("bound" in pieces) return boundError(pieces.bound);
    json = pieces.json;
    depth = pieces.depth;
  } else
    try {
      const text = jsonText(raw);
      // Refused before parsing: parsing millions of arrays and objects, or of values, holds the event loop for seconds.
      const bound = textBound(text);
      if (bound !== undefined) return boundError(bound);
      json = JSON.parse(text) as Json;
    } catch (err) {
      const error = new InputError(null, `Request body is not valid JSON: ${(err as Error).message}`).toErrorInfo();
      return { ok: false, error };
    }
  // The text's depth settles a body within the limit; past it, the value is walked: of a key sent twice, only the
  // last value counts, and it may nest less.
  if ((depth === undefined || depth > depthLimit) && deeperThan(json, depthLimit - 1)) {
    const message = `Request body nests arrays and objects deeper than ${depthLimit} levels`;
    return { ok: false, error: new InputError(null, message).toErrorInfo() };
  }
  return { ok: true, json };
}
