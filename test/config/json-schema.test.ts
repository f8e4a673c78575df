// biome-ignore-all lint/suspicious/noTemplateCurlyInString: configuration values spell ${VAR} literally
/**
 * `llmux schema` checked with a standard validator (ajv, draft 2020-12, with formats): it accepts every file
 * the loader accepts — the documentation's examples as written, and values that come from variables where a
 * number, URL, port, boolean or choice is expected — reports provider mistakes for the provider's own type,
 * and describes every key.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ErrorObject } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { configFromEnv } from "../../src/config/env-setup.js";
import { configJsonSchema } from "../../src/config/json-schema.js";
import { parseConfig } from "../../src/config/load.js";
import { ConfigSchema } from "../../src/config/schema.js";
import { ISSUE_ENV, ISSUE_EXAMPLE } from "./helpers.js";

const ROOT = join(import.meta.dirname, "../..");
const schema = configJsonSchema();
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictTuples: false });
addFormats.default(ajv);
const validate = ajv.compile(schema);

function errorsOf(value: unknown): ErrorObject[] {
  return validate(value) ? [] : [...(validate.errors ?? [])];
}

/** The loader's verdict: undefined when it accepts, else its problems. */
function loaderProblems(raw: unknown, env: Record<string, string>): string[] | undefined {
  try {
    parseConfig(raw, env);
    return undefined;
  } catch (err) {
    return (err as { problems?: string[] }).problems ?? [String(err)];
  }
}

/** A value for every variable a text refers to: URLs where a URL is expected, numbers for ports. */
function envFor(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
    const name = m[1]!;
    env[name] = /URL|ENDPOINT/.test(name)
      ? "https://example.test"
      : /PORT/.test(name)
        ? "4000"
        : "test-value-long-enough";
  }
  return env;
}

const TOP = new Set(Object.keys((schema.properties ?? {}) as object));

/** Every YAML block of the README and docs/ that is an llmux configuration (its keys are llmux's). */
function docExamples(): { where: string; text: string }[] {
  const files = [
    "README.md",
    ...readdirSync(join(ROOT, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
    ...readdirSync(join(ROOT, "docs/clients")).map((f) => `docs/clients/${f}`),
  ];
  const out: { where: string; text: string }[] = [];
  for (const f of files) {
    const md = readFileSync(join(ROOT, f), "utf8");
    for (const [i, m] of [...md.matchAll(/```yaml\n([\s\S]*?)```/g)].entries()) {
      const value = parseYaml(m[1]!) as unknown;
      if (value && typeof value === "object" && Object.keys(value).every((k) => TOP.has(k)))
        out.push({ where: `${f} #${i + 1}`, text: m[1]! });
    }
  }
  return out;
}

describe("the JSON Schema accepts what the loader accepts", () => {
  const examples = docExamples();

  it("finds the documentation's configuration examples", () => {
    expect(examples.length).toBeGreaterThanOrEqual(20);
    expect(examples.some((e) => e.where.startsWith("docs/clients/"))).toBe(true);
    expect(examples.some((e) => e.where.startsWith("README.md"))).toBe(true);
  });

  for (const { where, text } of [...docExamples(), { where: "the issue example", text: ISSUE_EXAMPLE }]) {
    it(`${where}: the loader and the schema both accept it`, () => {
      const raw = parseYaml(text) as unknown;
      expect(loaderProblems(raw, { ...envFor(text), ...ISSUE_ENV })).toBeUndefined();
      expect(errorsOf(raw)).toEqual([]);
    });
  }

  const ENV_CASES: [string, unknown, Record<string, string>][] = [
    ["a port", { server: { port: "${PORT}" } }, { PORT: "4001" }],
    ["a port with a default", { server: { port: "${LLMUX_PORT:-4000}" } }, {}],
    ["a size", { server: { body_limit_mb: "${LIMIT}" } }, { LIMIT: "64" }],
    ["a boolean", { auth: { passthrough: "${PASSTHROUGH}" } }, { PASSTHROUGH: "true" }],
    [
      "a URL",
      { providers: { a: { type: "azure", base_url: "${AZURE_URL}" } } },
      { AZURE_URL: "https://r.openai.azure.com" },
    ],
    [
      "a URL built around a variable",
      { providers: { o: { type: "openai-compatible", base_url: "http://${GPU_HOST}:8000/v1" } } },
      { GPU_HOST: "10.0.0.7" },
    ],
    ["a timeout", { providers: { o: { type: "openai", timeout_ms: "${TIMEOUT:-60000}" } } }, {}],
    [
      "a boolean of a provider",
      { providers: { o: { type: "openai-compatible", preset: "vllm", top_k: "${TOPK}" } } },
      { TOPK: "false" },
    ],
    ["a choice", { providers: { o: { type: "openai", api: "${OPENAI_API}" } } }, { OPENAI_API: "chat" }],
    [
      "model settings",
      {
        providers: { p: { type: "mock" } },
        models: {
          m: {
            provider: "p",
            reasoning: { effort: "${EFFORT}" },
            max_tokens: "${MAX}",
            temperature: "${TEMP}",
            thinking: { budget_tokens: "${BUDGET}" },
          },
        },
      },
      { EFFORT: "high", MAX: "4000", TEMP: "0.5", BUDGET: "2048" },
    ],
    ["a secret of a minimum length", { reasoning: { secret: "${LLMUX_SECRET}" } }, { LLMUX_SECRET: "a".repeat(32) }],
    ["the store", { store: { path: "${STORE}", retention_days: "${DAYS}" } }, { STORE: ":memory:", DAYS: "7" }],
    ["the log level", { logging: { level: "${LOG_LEVEL:-info}", pretty: "${PRETTY:-false}" } }, {}],
  ];
  for (const [name, raw, env] of ENV_CASES) {
    it(`a variable in ${name}`, () => {
      expect(loaderProblems(structuredClone(raw), env)).toBeUndefined();
      expect(errorsOf(raw)).toEqual([]);
    });
  }

  it("the configurations built from environment variables", () => {
    for (const env of [
      { AZURE_BASE_URL: "https://r.openai.azure.com", AZURE_API_KEY: "k", SERVICE_API_KEY: "s", PORT: "4100" },
      { AZURE_OPENAI_ENDPOINT: "https://r.openai.azure.com", AZURE_OPENAI_API_KEY: "k", ANTHROPIC_AUTH_TOKEN: "t" },
      { ANTHROPIC_API_KEY: "k", KIMI_API_KEY: "k", OPENAI_API_KEY: "k", LLMUX_STORE: ":memory:" },
      {},
    ]) {
      const { raw } = configFromEnv(env);
      expect(loaderProblems(raw, {})).toBeUndefined();
      expect(errorsOf(raw)).toEqual([]);
    }
  });
});

describe("and refuses what the loader refuses, readably", () => {
  it("a provider type that does not exist: one error, on `type`, listing the types", () => {
    const raw = { providers: { kimi: { type: "openai_compatible", preset: "moonshot" } } };
    expect(loaderProblems(raw, {})).toHaveLength(1);
    const errors = errorsOf(raw);
    expect(errors.map((e) => [e.instancePath, e.keyword])).toEqual([["/providers/kimi/type", "enum"]]);
    expect(errors[0]!.params).toEqual({
      allowedValues: [
        "azure",
        "openai",
        "anthropic",
        "openai-compatible",
        "gemini",
        "vertex",
        "bedrock",
        "mock",
        "cursor",
      ],
    });
  });

  it("a key of another provider type: one error, about that key only", () => {
    const raw = { providers: { oa: { type: "openai", version: "2023-06-01" } } };
    expect(loaderProblems(raw, {})).toHaveLength(1);
    const errors = errorsOf(raw);
    // ajv adds its `if` wrapper ("must match then schema") to the variant's own error; nothing about other types.
    expect(errors.filter((e) => e.keyword !== "if").map((e) => [e.instancePath, e.keyword, e.params])).toEqual([
      ["/providers/oa", "additionalProperties", { additionalProperty: "version" }],
    ]);
    expect(errors.filter((e) => e.keyword === "if").map((e) => e.params)).toEqual([{ failingKeyword: "then" }]);
  });

  it("a provider without a type, a choice misspelt, a number written as a string, a type from a variable", () => {
    for (const raw of [
      { providers: { p: { base_url: "https://x" } } },
      { providers: { p: { type: "mock" } }, models: { m: { provider: "p", reasoning: { effort: "hgih" } } } },
      { server: { port: "4000" } },
      { providers: { p: { type: "${PROVIDER_TYPE}" } } },
      { server: { prot: 4000 } },
    ]) {
      expect(loaderProblems(raw, { PROVIDER_TYPE: "mock" }), JSON.stringify(raw)).toBeDefined();
      expect(errorsOf(raw).length, JSON.stringify(raw)).toBeGreaterThan(0);
    }
  });
});

describe("every key is described", () => {
  type Node = Record<string, unknown>;
  function undescribed(node: unknown, path: string, out: string[]): void {
    if (Array.isArray(node)) {
      for (const n of node) undescribed(n, path, out);
      return;
    }
    if (!node || typeof node !== "object") return;
    const n = node as Node;
    if (n.properties && typeof n.properties === "object") {
      for (const [k, v] of Object.entries(n.properties as Node)) {
        const d = (v as Node).description;
        if (typeof d !== "string" || d.length < 10) out.push(`${path}.${k}`);
        undescribed(v, `${path}.${k}`, out);
      }
    }
    for (const k of ["additionalProperties", "items", "anyOf", "oneOf", "allOf", "then", "$defs"]) {
      if (n[k] !== undefined && typeof n[k] === "object")
        undescribed(k === "$defs" ? Object.values(n[k] as Node) : n[k], path, out);
    }
  }

  it("with a description on every property, at every depth and in every provider type", () => {
    const missing: string[] = [];
    undescribed(schema, "", missing);
    expect(missing).toEqual([]);
  });

  it("the zod schema and the JSON Schema have the same top-level sections", () => {
    expect(Object.keys(schema.properties as object)).toEqual(Object.keys(ConfigSchema.shape));
  });
});
