import {
  expectArray,
  expectObject,
  expectOneOf,
  expectString,
  InputError,
  isObject,
  optBoolean,
  optString,
} from "../../ir/input-error.js";
import { boundedSchema } from "../../ir/json-bounds.js";
import type { Json, JsonObject, ResponseFormat, Tool, ToolChoice, ToolFormat } from "../../ir/types.js";

const D = "openai-chat" as const;

/** A custom tool's format: nested Chat grammar {grammar:{syntax, definition}} or the flat Responses form. */
export function decodeToolFormat(value: Json | undefined, path: string): ToolFormat | undefined {
  if (value === undefined || value === null) return undefined;
  const f = expectObject(value, path);
  if (f.type === "text") return { type: "text" };
  if (f.type === "grammar") {
    // Nested Chat form {grammar:{syntax, definition}}, or the flat Responses form Cursor also sends.
    const g = isObject(f.grammar) ? f.grammar : f;
    return {
      type: "grammar",
      syntax: expectString(g.syntax, `${path}.grammar.syntax`),
      definition: expectString(g.definition, `${path}.grammar.definition`),
    };
  }
  throw new InputError(`${path}.type`, `${path}.type must be 'text' or 'grammar'`);
}

/** Accepts the nested Chat shapes and the flat Responses shapes that some Chat clients (Cursor) mix in. */
export function decodeChatTool(value: Json, path: string): Tool {
  const t = expectObject(value, path);
  if (t.type === "function") {
    const nested = isObject(t.function);
    const fn = nested ? (t.function as JsonObject) : t;
    const fp = nested ? `${path}.function` : path;
    const tool: Tool = { kind: "function", name: expectString(fn.name, `${fp}.name`) };
    const description = optString(fn.description, `${fp}.description`);
    if (description !== undefined) tool.description = description;
    if (fn.parameters !== undefined && fn.parameters !== null)
      tool.parameters = boundedSchema(fn.parameters, `${fp}.parameters`);
    const strict = optBoolean(fn.strict, `${fp}.strict`);
    if (strict !== undefined) tool.strict = strict;
    return tool;
  }
  if (t.type === "custom") {
    const nested = isObject(t.custom);
    const c = nested ? (t.custom as JsonObject) : t;
    const cp = nested ? `${path}.custom` : path;
    const tool: Tool = { kind: "custom", name: expectString(c.name, `${cp}.name`) };
    const description = optString(c.description, `${cp}.description`);
    if (description !== undefined) tool.description = description;
    const format = decodeToolFormat(c.format, `${cp}.format`);
    if (format) tool.format = format;
    return tool;
  }
  expectString(t.type, `${path}.type`);
  return { kind: "raw", dialect: D, value: t };
}

export function decodeChatToolChoice(value: Json | undefined, path: string): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") {
    const v = expectOneOf(value, ["auto", "none", "required"] as const, path);
    return { type: v };
  }
  const tc = expectObject(value, path);
  switch (tc.type) {
    case "function": {
      const name = isObject(tc.function) ? tc.function.name : tc.name;
      return { type: "tool", name: expectString(name, `${path}.function.name`), kind: "function" };
    }
    case "custom": {
      const name = isObject(tc.custom) ? tc.custom.name : tc.name;
      return { type: "tool", name: expectString(name, `${path}.custom.name`), kind: "custom" };
    }
    case "allowed_tools": {
      const at = isObject(tc.allowed_tools) ? tc.allowed_tools : tc;
      const mode = expectOneOf(at.mode, ["auto", "required"] as const, `${path}.allowed_tools.mode`);
      const names = expectArray(at.tools, `${path}.allowed_tools.tools`).map((t, i) => {
        const o = expectObject(t, `${path}.allowed_tools.tools[${i}]`);
        const inner = isObject(o.function) ? o.function : isObject(o.custom) ? o.custom : o;
        return expectString(inner.name, `${path}.allowed_tools.tools[${i}].name`);
      });
      return { type: "allowed", mode, names };
    }
    default:
      return { type: "raw", dialect: D, value: tc };
  }
}

export function decodeChatResponseFormat(
  value: Json | undefined,
  path: string,
  /** Where the schema was in the client's body (a Responses body has it at `text.format.schema`). */
  schemaPath = `${path}.json_schema.schema`,
): ResponseFormat | undefined {
  if (value === undefined || value === null) return undefined;
  const rf = expectObject(value, path);
  const type = expectOneOf(rf.type, ["text", "json_object", "json_schema"] as const, `${path}.type`);
  if (type !== "json_schema") return { type };
  const js = expectObject(rf.json_schema, `${path}.json_schema`);
  const out: ResponseFormat = { type: "json_schema", name: expectString(js.name, `${path}.json_schema.name`) };
  if (js.schema !== undefined) out.schema = boundedSchema(js.schema, schemaPath);
  if (typeof js.strict === "boolean") out.strict = js.strict;
  if (typeof js.description === "string") out.description = js.description;
  return out;
}
