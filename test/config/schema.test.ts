import { describe, expect, it } from "vitest";
import { configJsonSchema } from "../../src/config/json-schema.js";
import { ModelSchema, PRESETS, ProviderSchema } from "../../src/config/schema.js";

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: { if: JsonSchema; then: JsonSchema }[];
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
};

const schema = configJsonSchema() as JsonSchema & { $schema?: string };

describe("the JSON Schema of the configuration (llmux schema)", () => {
  it("is a draft 2020-12 object schema with the top-level sections and nothing else", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.type).toBe("object");
    // The sections, as the snapshot beside this file keeps them (a new section: `npx vitest run <this file> --update`, and
    // review the snapshot's diff).
    expect(Object.keys(schema.properties!)).toMatchSnapshot();
    expect(schema.additionalProperties).toBe(false);
    // Input schema: every section is optional (each has a default).
    expect(schema.required ?? []).toEqual([]);
  });

  it("describes providers as a map of the provider types, chosen by `type`", () => {
    const providers = schema.properties!.providers!;
    expect(providers.type).toBe("object");
    const item = providers.additionalProperties as JsonSchema;
    expect(item.required).toEqual(["type"]);
    expect(item.properties!.type!.enum).toMatchSnapshot();
    expect(item.oneOf ?? item.anyOf).toBeUndefined();
    for (const branch of item.allOf ?? []) expect(branch.if.required).toEqual(["type"]);
    const variants = (item.allOf ?? []).map((b) => b.then);
    expect(variants.map((v) => v.properties!.type!.const)).toEqual(item.properties!.type!.enum);
    for (const v of variants) {
      expect(v.additionalProperties).toBe(false);
      expect(v.required).toContain("type");
    }
    const variant = (type: string) => variants.find((v) => v.properties!.type!.const === type)!;
    const azure = variant("azure");
    expect(azure.required).toEqual(["type", "base_url"]);
    const compatible = variant("openai-compatible");
    expect((compatible.properties!.preset!.anyOf ?? [])[0]!.enum).toEqual([...PRESETS]);
    // The cloud providers: Vertex needs a project, Bedrock a region; their auth keys are described.
    const [vertex, bedrock] = [variant("vertex"), variant("bedrock")];
    expect(vertex.required).toEqual(["type", "project"]);
    expect(vertex.properties!.credentials!.description).toMatch(/service-account key/);
    expect(bedrock.required).toEqual(["type", "region"]);
    expect((bedrock.properties!.api!.anyOf ?? [])[0]!.enum).toEqual(["converse", "invoke"]);
    expect(Object.keys(bedrock.properties!)).toEqual(
      expect.arrayContaining(["profile", "access_key_id", "secret_access_key", "session_token", "api_key"]),
    );
  });

  it("describes models as a map of strict model settings", () => {
    const model = schema.properties!.models!.additionalProperties as JsonSchema;
    // provider + model (one deployment) or deployments: which one is checked after the schema.
    expect(model.required).toBeUndefined();
    expect(model.additionalProperties).toBe(false);
    expect(Object.keys(model.properties!)).toEqual([
      "provider",
      "deployments",
      "routing",
      "fallbacks",
      "context_window_fallbacks",
      "model",
      "reasoning",
      "verbosity",
      "truncation",
      "thinking",
      "max_tokens",
      "temperature",
      "reasoning_display",
      "policy",
      "guardrails",
      "context_window",
      "max_output_tokens",
      "cache",
      "cache_ttl",
      "kind",
      "embeddings",
      "completions",
      "rerank",
    ]);
  });

  it("carries the defaults", () => {
    const server = schema.properties!.server!;
    expect(server.properties!.host!.default).toBe("127.0.0.1");
    expect(server.properties!.port!.default).toBe(4000);
    expect(server.properties!.body_limit_mb!.default).toBe(32);
    expect(schema.properties!.defaults!.properties!.policy!.default).toBe("clamp");
    expect(schema.properties!.logging!.properties!.level!.default).toBe("info");
  });

  it("is serialisable as JSON (what `llmux schema` prints)", () => {
    const text = JSON.stringify(schema, null, 2);
    expect(JSON.parse(text)).toEqual(schema);
  });

  it("the provider and model schemas are exported on their own", () => {
    expect(ProviderSchema.safeParse({ type: "mock" }).success).toBe(true);
    expect(ModelSchema.safeParse({ provider: "p", model: "m" }).success).toBe(true);
    expect(ModelSchema.safeParse({ deployments: [{ provider: "p", model: "m", weight: 2 }] }).success).toBe(true);
    expect(ModelSchema.safeParse({ deployments: [] }).success).toBe(false);
    expect(ModelSchema.safeParse({ provider: "p", routing: { strategy: "random" } }).success).toBe(false);
  });
});
