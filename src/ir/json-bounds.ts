/**
 * Bounds on the JSON values llmux walks or writes again once decoded: a tool's schema, a structured output's
 * schema (a client's request) and a tool call's input (an upstream's answer). A request body may hold 500,000
 * arrays and objects and nest 128 levels (http/decode-json.ts), and an upstream answer as many; one such value
 * could take nearly all of it, and every dialect's encoder walks it (Gemini's schema conversion, parsing a tool
 * call's arguments to serialise them again). These bounds are checked once, where the value enters (the
 * dialects' decoders), by one pass that stops as soon as a bound is passed; a value within them passes
 * untouched.
 */
import { InputError } from "./input-error.js";

/** Deepest nesting of arrays and objects in a tool's or a structured output's schema (counted from the schema). */
export const SCHEMA_DEPTH_LIMIT = 64;

/** Values (arrays, objects and what they hold, the schema itself counted) in one schema. */
export const SCHEMA_VALUE_LIMIT = 100_000;

/** Values in one tool call's input from an upstream (its depth: `TOOL_INPUT_DEPTH_LIMIT`, json-depth.ts). */
export const TOOL_INPUT_VALUE_LIMIT = 100_000;

/** Which bound a value passes, if any. */
export type Beyond = "depth" | "values" | undefined;

/** Whether a parsed value nests deeper than `depth` or holds more than `values` values; iterative, stops early. */
export function valueBeyond(value: unknown, depth: number, values: number): Beyond {
  if (typeof value !== "object" || value === null) return undefined;
  const stack: [object, number][] = [[value, 1]];
  let seen = 1;
  while (stack.length > 0) {
    const [v, level] = stack.pop()!;
    if (level > depth) return "depth";
    if (Array.isArray(v)) {
      seen += v.length;
      if (seen > values) return "values";
      for (const c of v) if (typeof c === "object" && c !== null) stack.push([c, level + 1]);
    } else {
      for (const k in v) {
        if (!Object.hasOwn(v, k)) continue;
        if (++seen > values) return "values";
        const c = (v as Record<string, unknown>)[k];
        if (typeof c === "object" && c !== null) stack.push([c, level + 1]);
      }
    }
  }
  return undefined;
}

/**
 * The same for JSON text, in one pass over its characters without parsing: the values are counted as the arrays
 * and objects opened plus the commas between members (an upper bound: an empty array or object counts one more).
 */
export function textBeyond(text: string, depth: number, values: number): Beyond {
  let level = 0;
  let seen = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++level > depth) return "depth";
      if (++seen > values) return "values";
    } else if (c === 0x2c) {
      if (++seen > values) return "values";
    } else if (c === 0x7d || c === 0x5d) level--;
  }
  return undefined;
}

/**
 * Refuses (a 400 naming `path`) a client's schema that nests deeper than `SCHEMA_DEPTH_LIMIT` levels or holds
 * more than `SCHEMA_VALUE_LIMIT` values; returns it untouched otherwise.
 */
export function boundedSchema<T>(schema: T, path: string): T {
  const beyond = valueBeyond(schema, SCHEMA_DEPTH_LIMIT, SCHEMA_VALUE_LIMIT);
  if (beyond === "depth")
    throw new InputError(path, `${path} nests arrays and objects deeper than ${SCHEMA_DEPTH_LIMIT} levels`);
  if (beyond === "values")
    throw new InputError(
      path,
      `${path} holds more than ${SCHEMA_VALUE_LIMIT.toLocaleString("en-US")} values; llmux relays a schema of at most that many`,
    );
  return schema;
}
