import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import type { ToolMapping } from "../../src/dialects/types.js";
import { InputError } from "../../src/ir/input-error.js";
import type { Dialect, Json, JsonObject, Warning } from "../../src/ir/types.js";
import { codecs, type RequestOptions } from "../../src/translate/codecs.js";

export interface Translated {
  body: JsonObject;
  tools: ToolMapping;
  warnings: Warning[];
}

/**
 * Decodes `body` as a `from` client request and encodes it for a `to` upstream. `body` is any object literal
 * (test literals are not always inferred as Json, e.g. heterogeneous block arrays).
 */
export function translate(from: Dialect, to: Dialect, body: object, opts?: RequestOptions): Translated {
  const ir = codecs[from].decodeRequest(body as Json);
  const { value, warnings } = codecs[to].encodeRequest(ir, opts);
  return { body: value.body, tools: value.tools, warnings };
}

/** The warnings as `code` or `code@param` strings, for compact assertions. */
export function warningKeys(warnings: Warning[]): string[] {
  return warnings.map((w) => (w.param === undefined ? w.code : `${w.code}@${w.param}`));
}

export function expectWarning(warnings: Warning[], code: string, param?: string | RegExp): void {
  const hit = warnings.some(
    (w) =>
      w.code === code &&
      (param === undefined || (typeof param === "string" ? w.param === param : param.test(w.param ?? ""))),
  );
  expect(hit, `expected warning ${code}${param ? ` @ ${String(param)}` : ""} in ${JSON.stringify(warnings)}`).toBe(
    true,
  );
}

export function expectNoWarning(warnings: Warning[], code: string): void {
  expect(warnings.filter((w) => w.code === code)).toEqual([]);
}

/** Asserts that decoding throws an InputError whose `param` names the offending field. */
export function expectInputError(dialect: Dialect, body: unknown, param: string | null): InputError {
  let caught: unknown;
  try {
    codecs[dialect].decodeRequest(body as Json);
  } catch (err) {
    caught = err;
  }
  expect(caught, "decodeRequest should throw").toBeInstanceOf(InputError);
  const err = caught as InputError;
  expect(err.param).toBe(param);
  expect(err.message.length).toBeGreaterThan(0);
  return err;
}

export const ANTHROPIC_TOOL_ID = /^[a-zA-Z0-9_-]+$/;

/** Typed accessors for wire bodies (JSON values). */
export function obj(value: Json | undefined): JsonObject {
  expect(value !== null && typeof value === "object" && !Array.isArray(value), `not an object: ${value}`).toBe(true);
  return value as JsonObject;
}

export function arr(value: Json | undefined): Json[] {
  expect(Array.isArray(value), `not an array: ${JSON.stringify(value)}`).toBe(true);
  return value as Json[];
}

export function objs(value: Json | undefined): JsonObject[] {
  return arr(value).map((v) => obj(v));
}

// ---------------------------------------------------------------------------------------------------------
// Real captured client requests
// ---------------------------------------------------------------------------------------------------------

export const FIXTURE_DIR = "/work/shared/fixtures/real-clients";

export interface ClientFixture {
  file: string;
  dialect: Dialect;
  body: JsonObject;
}

/** Which dialect a captured request speaks, from its URL (or, for a bare body, from its shape). */
function dialectOf(url: string | undefined, body: JsonObject): Dialect {
  if (url?.startsWith("/v1/messages")) return "anthropic";
  if (url?.startsWith("/v1/responses")) return "openai-responses";
  if (url?.startsWith("/v1/chat/completions")) return "openai-chat";
  if (Array.isArray(body.input)) return "openai-responses";
  return "openai-chat";
}

export function loadClientFixtures(): ClientFixture[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => {
      const raw = JSON.parse(readFileSync(join(FIXTURE_DIR, file), "utf8")) as JsonObject;
      const wrapped = typeof raw.method === "string" && raw.body !== undefined;
      const body = (wrapped ? raw.body : raw) as JsonObject;
      const url = wrapped && typeof raw.url === "string" ? raw.url : undefined;
      return { file, dialect: dialectOf(url, body), body };
    });
}

export function loadClientFixture(file: string): ClientFixture {
  const f = loadClientFixtures().find((x) => x.file === file);
  if (!f) throw new Error(`fixture ${file} not found`);
  return f;
}

/**
 * The first tool of an upstream body emulates a custom (free-form) tool as a function: it keeps the client's
 * description and takes one string `input` (Chat nests the function, Anthropic names its schema input_schema).
 */
export function expectWrappedCustomTool(out: Translated, description: string): void {
  const tool = objs(out.body.tools)[0]!;
  const def = tool.function === undefined ? tool : obj(tool.function);
  const schema = obj(def.input_schema ?? def.parameters);
  expect(def.description).toContain(description);
  expect(obj(schema.properties).input).toMatchObject({ type: "string" });
  expect(schema.required).toEqual(["input"]);
}

/** An Anthropic thinking budget of at least 1024 tokens, below max_tokens (§3.5, §6.18). */
export function expectBudgetBelowMax(out: Translated): void {
  const budget = obj(out.body.thinking).budget_tokens as number;
  expect(budget).toBeGreaterThanOrEqual(1024);
  expect(budget).toBeLessThan(out.body.max_tokens as number);
}
