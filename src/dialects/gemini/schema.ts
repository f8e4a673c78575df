import { isObject } from "../../ir/input-error.js";
import { isPrototypeKey, ownMember } from "../../ir/own-keys.js";
import type { Json, JsonObject } from "../../ir/types.js";
import type { Warnings } from "../../ir/warnings.js";

/**
 * JSON Schema → the OpenAPI 3.0 subset Gemini accepts in `parameters` and `responseSchema`. What maps is
 * converted (`type: ["string","null"]` → `nullable`, `const` → `enum`, local `$ref`s inlined); what Gemini
 * rejects (`additionalProperties`, `$schema`, `patternProperties`, unresolvable `$ref`, a `format` it does
 * not know for the type…) is dropped with a warning naming the path.
 */

const KEPT = new Set([
  "type",
  "title",
  "description",
  "nullable",
  "enum",
  "maxItems",
  "minItems",
  "properties",
  "required",
  "minProperties",
  "maxProperties",
  "minLength",
  "maxLength",
  "pattern",
  "example",
  "anyOf",
  "propertyOrdering",
  "default",
  "items",
  "minimum",
  "maximum",
]);

/**
 * The formats Gemini accepts, by type (ai.google.dev/api/caching#Schema); any other is refused with a 400
 * ("only 'enum' and 'date-time' are supported for STRING type"), e.g. Claude Code's `format: "uri"`.
 */
const FORMATS: Readonly<Record<string, readonly string[]>> = {
  string: ["enum", "date-time"],
  number: ["float", "double"],
  integer: ["int32", "int64"],
};

/** Keys that only organise a schema (definitions): removed without a warning once refs are inlined. */
const SILENT = new Set(["$defs", "definitions", "$schema", "$id", "$comment", "examples", "readOnly", "writeOnly"]);

const MAX_DEPTH = 32;

interface Ctx {
  root: JsonObject;
  warnings: Warnings;
  where: string;
  dropped: Set<string>;
}

function resolveRef(ref: string, root: JsonObject): Json | undefined {
  if (!ref.startsWith("#/")) return undefined;
  let node: Json | undefined = root;
  for (const seg of ref.slice(2).split("/")) {
    const key = seg.replace(/~1/g, "/").replace(/~0/g, "~");
    if (!isObject(node) || isPrototypeKey(key)) return undefined;
    node = ownMember(node, key);
  }
  return node;
}

function drop(ctx: Ctx, path: string, key: string): void {
  if (ctx.dropped.has(key)) return;
  ctx.dropped.add(key);
  // Each keyword is its own warning (warnings are told apart by their field): named where it was first met.
  ctx.warnings.add(
    "schema_keyword_dropped",
    `${ctx.where}: Gemini's schema subset has no '${key}'; it was dropped (first at ${path || "the root"})`,
    path ? `${ctx.where}.${path}` : ctx.where,
  );
}

function convert(node: Json, ctx: Ctx, path: string, depth: number, seen: readonly string[]): Json {
  if (!isObject(node)) return node === true || node === undefined ? {} : node;
  if (depth > MAX_DEPTH) {
    drop(ctx, path, "deep nesting");
    return {};
  }
  let schema = node;
  if (typeof schema.$ref === "string") {
    const ref = schema.$ref;
    const target = seen.includes(ref) ? undefined : resolveRef(ref, ctx.root);
    if (!isObject(target)) {
      drop(ctx, path, "$ref");
      const { $ref: _r, ...rest } = schema;
      schema = rest;
    } else {
      const { $ref: _r, ...rest } = schema;
      return convert({ ...target, ...rest }, ctx, path, depth + 1, [...seen, ref]);
    }
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    const here = path ? `${path}.${key}` : key;
    if (SILENT.has(key)) continue;
    switch (key) {
      case "format":
        // Judged once the type is known (below).
        continue;
      case "type": {
        if (Array.isArray(value)) {
          const types = value.filter((t) => t !== "null");
          if (types.length < value.length) out.nullable = true;
          if (types.length === 1) out.type = types[0]!;
          else if (types.length > 1) out.anyOf = types.map((t) => ({ type: t }));
        } else if (value !== "null") out.type = value;
        else out.nullable = true;
        continue;
      }
      case "const":
        out.enum = [value];
        continue;
      case "properties":
        if (isObject(value)) {
          // Own members whatever their names (a property may be called `__proto__`).
          out.properties = Object.fromEntries(
            Object.entries(value).map(([name, sub]) => [name, convert(sub, ctx, `${here}.${name}`, depth + 1, seen)]),
          );
        }
        continue;
      case "items":
        out.items = convert(Array.isArray(value) ? (value[0] ?? {}) : value, ctx, here, depth + 1, seen);
        continue;
      case "anyOf":
      case "oneOf":
        if (Array.isArray(value)) {
          const nonNull = value.filter((v) => !(isObject(v) && v.type === "null"));
          if (nonNull.length < value.length) out.nullable = true;
          const list = nonNull.map((v, i) => convert(v, ctx, `${here}[${i}]`, depth + 1, seen));
          if (list.length === 1 && isObject(list[0])) Object.assign(out, list[0]);
          else if (list.length > 0) out.anyOf = list;
        }
        continue;
      case "allOf":
        if (Array.isArray(value)) {
          for (const [i, v] of value.entries()) {
            const sub = convert(v, ctx, `${here}[${i}]`, depth + 1, seen);
            if (isObject(sub)) Object.assign(out, sub);
          }
        }
        continue;
      case "enum":
        // Gemini enums are strings.
        if (Array.isArray(value)) out.enum = value.filter((v) => v !== null).map((v) => String(v));
        continue;
      default:
        if (KEPT.has(key)) out[key] = value;
        else drop(ctx, here, key);
    }
  }
  if (Array.isArray(out.enum) && out.type === undefined) out.type = "string";
  if ((out.type === "integer" || out.type === "number") && Array.isArray(out.enum)) {
    // Gemini's enums are strings only: the model is told the values as text.
    ctx.warnings.add(
      "schema_value_converted",
      `${ctx.where}: Gemini's enums are strings; the ${out.type} values at ${path || "the root"} are sent as text`,
      path ? `${ctx.where}.${path}.enum` : `${ctx.where}.enum`,
    );
    out.type = "string";
  }
  if (schema.format !== undefined) {
    const known = typeof out.type === "string" ? FORMATS[out.type] : undefined;
    if (typeof schema.format === "string" && known?.includes(schema.format)) out.format = schema.format;
    else drop(ctx, path ? `${path}.format` : "format", `format: ${String(schema.format)}`);
  }
  if (Array.isArray(out.required) && isObject(out.properties)) {
    const props = out.properties;
    out.required = out.required.filter((r) => typeof r === "string" && r in props);
  }
  return out;
}

/** A JSON Schema in Gemini's subset; `where` names the field in warnings (`tools[0].parameters`). */
export function toGeminiSchema(schema: Json | undefined, warnings: Warnings, where: string): JsonObject | undefined {
  if (!isObject(schema)) return undefined;
  const ctx: Ctx = { root: schema, warnings, where, dropped: new Set() };
  const out = convert(schema, ctx, "", 0, []);
  return isObject(out) ? out : undefined;
}

/** Whether a function schema declares nothing (Gemini rejects an object type with no properties). */
export function isEmptyObjectSchema(schema: JsonObject | undefined): boolean {
  if (!schema) return true;
  if (schema.type !== "object") return false;
  return !isObject(schema.properties) || Object.keys(schema.properties).length === 0;
}
