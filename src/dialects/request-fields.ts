import {
  expectArray,
  expectString,
  isObject,
  leftovers,
  optBoolean,
  optNumber,
  optObject,
  optString,
} from "../ir/input-error.js";
import type { Json, JsonObject, Request } from "../ir/types.js";

/**
 * The optional scalar fields of a request body (sampling, the caller's labels, caching), read the same way by
 * every request decoder: a table of the IR field, the wire key it comes from and the reader that checks it.
 */

/** Reads an optional wire value: undefined when absent or null; an InputError naming `path` when malformed. */
export type Read<T> = (value: Json | undefined, path: string) => T | undefined;

/** Request fields to read: each IR field, from its wire key, by its reader (in order: the first bad one fails). */
export type FieldReads = {
  readonly [F in keyof Request]?: readonly [key: string, read: Read<NonNullable<Request[F]>>];
};

/**
 * Sets each field of `reads` that `from` carries on `req`. `get` reads a key of `from` (Gemini's takes the
 * snake_case spelling too); `path` names it in an error.
 */
export function readFields(
  req: Request,
  from: JsonObject,
  reads: FieldReads,
  get: (from: JsonObject, key: string) => Json | undefined = ownKey,
  path: (key: string) => string = sameKey,
): void {
  const into = req as unknown as Record<string, unknown>;
  const table = reads as Readonly<Record<string, readonly [string, Read<unknown>]>>;
  // for-in over the table's own keys (in their order, as Object.entries): no list of pairs made per request.
  for (const field in table) {
    const entry = table[field]!;
    const key = entry[0];
    const value = entry[1](get(from, key), path(key));
    if (value !== undefined) into[field] = value;
  }
}

const ownKey = (o: JsonObject, key: string): Json | undefined => o[key];
const sameKey = (key: string): string => key;

/** The wire keys `reads` reads (for the decoder's list of the keys it knows). */
export function wireKeys(reads: FieldReads): string[] {
  return Object.values(reads).map(([key]) => key);
}

/** A list of strings, not a lone string (Responses `include`). */
export const optStrings: Read<string[]> = (value, path) =>
  value === undefined || value === null
    ? undefined
    : expectArray(value, path).map((v, i) => expectString(v, `${path}[${i}]`));

/** Temperature and nucleus sampling, as OpenAI Chat, Responses and Anthropic spell them. */
export const SAMPLING = {
  temperature: ["temperature", optNumber],
  topP: ["top_p", optNumber],
} as const satisfies FieldReads;

/** Who the request is for and how it is cached and served, as OpenAI Chat and Responses spell them. */
export const OPENAI_CALLER = {
  user: ["user", optString],
  metadata: ["metadata", optObject],
  promptCacheKey: ["prompt_cache_key", optString],
  serviceTier: ["service_tier", optString],
} as const satisfies FieldReads;

/**
 * OpenAI's `stream_options` (Chat's; some clients send it to Responses too): `include_usage` read, the other
 * options kept in the request's extras `fields` (none: no `stream_options` there).
 */
export function readStreamOptions(req: Request, body: JsonObject, fields: JsonObject): void {
  if (!isObject(body.stream_options)) return;
  const include = optBoolean(body.stream_options.include_usage, "stream_options.include_usage");
  if (include !== undefined) req.streamUsage = include;
  const rest = leftovers(body.stream_options, new Set(["include_usage"]));
  if (rest) fields.stream_options = rest;
  else delete fields.stream_options;
}
