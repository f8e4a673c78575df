import { isPrototypeKey } from "./own-keys.js";
import type { ErrorInfo, Json, JsonObject } from "./types.js";

/**
 * Thrown by decoders when a wire body is malformed. `param` names the offending field with a JSON-path-like
 * string (`messages[2].content[0].type`), so clients learn exactly what to fix.
 */
export class InputError extends Error {
  readonly param: string | null;
  constructor(param: string | null, message: string) {
    super(message);
    this.name = "InputError";
    this.param = param;
  }

  toErrorInfo(): ErrorInfo {
    return { status: 400, kind: "invalid_request", message: this.message, param: this.param };
  }
}

/** What `decode` returns, or the 400 its InputError describes (any other error is thrown on). */
export function decodedOr400<T>(decode: () => T): T | ErrorInfo {
  try {
    return decode();
  } catch (err) {
    if (err instanceof InputError) return err.toErrorInfo();
    throw err;
  }
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, path: string): JsonObject {
  if (!isObject(value)) throw new InputError(path, `${path} must be an object, got ${describe(value)}`);
  return value;
}

export function expectArray(value: unknown, path: string): Json[] {
  if (!Array.isArray(value)) throw new InputError(path, `${path} must be an array, got ${describe(value)}`);
  return value;
}

export function expectString(value: unknown, path: string): string {
  if (typeof value !== "string") throw new InputError(path, `${path} must be a string, got ${describe(value)}`);
  return value;
}

export function optString(value: unknown, path: string): string | undefined {
  return value === undefined || value === null ? undefined : expectString(value, path);
}

export function optNumber(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new InputError(path, `${path} must be a number, got ${describe(value)}`);
  }
  return value;
}

export function optInteger(value: unknown, path: string): number | undefined {
  const n = optNumber(value, path);
  if (n !== undefined && !Number.isInteger(n)) throw new InputError(path, `${path} must be an integer, got ${n}`);
  return n;
}

export function optBoolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw new InputError(path, `${path} must be a boolean, got ${describe(value)}`);
  return value;
}

/** An object, or nothing when absent or null. */
export function optObject(value: unknown, path: string): JsonObject | undefined {
  return value === undefined || value === null ? undefined : expectObject(value, path);
}

/** A string, or an array of strings (Chat `stop`). */
export function optStringList(value: unknown, path: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return [value];
  const list = expectArray(value, path);
  return list.map((v, i) => expectString(v, `${path}[${i}]`));
}

export function expectOneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    throw new InputError(
      path,
      `${path} must be one of ${allowed.map((a) => `'${a}'`).join(", ")}, got ${typeof value === "string" ? `'${value}'` : describe(value)}`,
    );
  }
  return value as T;
}

/**
 * Copies the keys of `obj` that are not in `known` (the fields a decoder did not map); a prototype's name
 * (`__proto__`, `constructor`, `prototype`) is never kept.
 */
export function leftovers(obj: JsonObject, known: ReadonlySet<string>): JsonObject | undefined {
  let out: JsonObject | undefined;
  for (const key of Object.keys(obj)) {
    if (known.has(key) || isPrototypeKey(key)) continue;
    const v = obj[key];
    if (v === undefined) continue;
    if (!out) out = {};
    out[key] = v;
  }
  return out;
}

/** Parses a JSON request body; a syntax error becomes an InputError naming the body. */
export function parseJsonBody(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    throw new InputError(null, `Request body is not valid JSON: ${(err as Error).message}`);
  }
}
