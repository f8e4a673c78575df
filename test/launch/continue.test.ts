/**
 * `llmux env continue`'s config.yaml, read by Continue's own parser and schema (`@continuedev/config-yaml`,
 * nobody here wrote it): every role on llmux — chat, edit and apply over the OpenAI provider, autocomplete
 * over the Mistral one (llmux's /v1/fim/completions), embed over the OpenAI one and rerank over the Cohere
 * one — each on the configuration's first alias of its kind unless named, and a note for a role with none.
 */
import { configYamlSchema, parseConfigYaml } from "@continuedev/config-yaml";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { continueConfig, modelsOf } from "../../src/launch/continue.js";

const config = parseConfig(
  {
    providers: { oa: { type: "openai", api_key: "k" }, co: { type: "openai-compatible", base_url: "http://x/v1" } },
    models: {
      "claude-*": { provider: "oa" },
      coder: { provider: "oa", model: "gpt-5" },
      embed: { kind: "embedding", provider: "oa", model: "text-embedding-3-small" },
      codestral: { kind: "completion", provider: "co", model: "codestral-latest" },
      rerank: { kind: "rerank", provider: "co", model: "rerank-v3.5" },
      "embed-2": { kind: "embedding", provider: "oa", model: "text-embedding-3-large" },
    },
  },
  {},
);

describe("llmux env continue", () => {
  it("finds each role's alias in the configuration: the first of its kind, chat the first without one", () => {
    expect(modelsOf(config, [])).toEqual({
      chat: "coder",
      autocomplete: "codestral",
      embed: "embed",
      rerank: "rerank",
    });
    expect(modelsOf(undefined, ["a", "b"])).toEqual({
      chat: "a",
      autocomplete: undefined,
      embed: undefined,
      rerank: undefined,
    });
  });

  it("writes a config.yaml Continue's parser and schema take, each role on llmux", () => {
    const text = continueConfig("http://127.0.0.1:4000", "sk-llmux-key", modelsOf(config, [])).join("\n");
    const parsed = parseConfigYaml(text);
    expect(configYamlSchema.safeParse(parsed).success).toBe(true);
    const models = (parsed.models ?? []) as {
      provider: string;
      model: string;
      apiBase: string;
      apiKey: string;
      roles: string[];
    }[];
    const byRole = (role: string) => models.filter((m) => m.roles.includes(role));
    expect(byRole("chat").map((m) => [m.provider, m.model, m.apiBase])).toEqual([
      ["openai", "coder", "http://127.0.0.1:4000/v1"],
    ]);
    expect(byRole("edit")).toEqual(byRole("chat"));
    expect(byRole("autocomplete").map((m) => [m.provider, m.model, m.apiBase])).toEqual([
      ["mistral", "codestral", "http://127.0.0.1:4000/v1/"],
    ]);
    expect(byRole("embed").map((m) => [m.provider, m.model, m.apiBase])).toEqual([
      ["openai", "embed", "http://127.0.0.1:4000/v1"],
    ]);
    expect(byRole("rerank").map((m) => [m.provider, m.model, m.apiBase])).toEqual([
      ["cohere", "rerank", "http://127.0.0.1:4000/v1/"],
    ]);
    expect(new Set(models.map((m) => m.apiKey))).toEqual(new Set(["sk-llmux-key"]));
  });

  it("names a role it found no alias for, and leaves it out", () => {
    const lines = continueConfig("http://h:4000", "k", { chat: "coder", embed: "embed" });
    expect(lines.filter((l) => l.startsWith("# no "))).toEqual([
      "# no autocomplete model: name one with --autocomplete NAME (an alias of kind: completion)",
      "# no rerank model: name one with --rerank NAME (an alias of kind: rerank)",
    ]);
    const parsed = parseConfigYaml(lines.join("\n"));
    expect((parsed.models ?? []).map((m) => (m as { roles: string[] }).roles)).toEqual([
      ["chat", "edit", "apply"],
      ["embed"],
    ]);
  });
});
