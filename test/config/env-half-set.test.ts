/**
 * Without a file, the environment decides: a setup with some of its variables but not all it needs is an
 * error naming the missing ones (never a silent fall-back to the mock); the mock serves only when none of the
 * variables is set, and says so in words; OPENAI_API_KEY is a setup of its own.
 */
import { describe, expect, it } from "vitest";
import { ENV_SETUPS } from "../../src/config/env-check.js";
import { configFromEnv } from "../../src/config/env-setup.js";
import { parseConfig } from "../../src/config/load.js";
import { problemsOf } from "./helpers.js";

const A = "setup (a), Azure OpenAI Responses deployment (for Cursor), needs AZURE_BASE_URL and AZURE_API_KEY";
const B =
  "setup (b), Claude models on Azure OpenAI (for Claude Code), needs AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY";

describe("a half-set setup names what is missing", () => {
  it("each optional variable alone names its setup's required ones", () => {
    for (const s of ENV_SETUPS) {
      for (const name of [...s.required, ...s.optional]) {
        if (s.required.length === 1 && s.required[0] === name) continue; // a complete setup on its own
        const problems = problemsOf(() => configFromEnv({ [name]: "x" }));
        expect(problems, name).toHaveLength(1);
        expect(problems[0], name).toMatch(new RegExp(`^${name} is set, but .* (not|is): setup \\(`));
        for (const missing of s.required.filter((r) => r !== name)) expect(problems[0], name).toContain(missing);
      }
    }
  });

  it("says which Azure variables belong to the other setup", () => {
    expect(
      problemsOf(() => configFromEnv({ AZURE_OPENAI_ENDPOINT: "https://r.openai.azure.com", AZURE_API_KEY: "k" })),
    ).toEqual([
      `AZURE_API_KEY is set, but AZURE_BASE_URL is not: ${A} (AZURE_OPENAI_ENDPOINT is set: it belongs to the other Azure setup)`,
      `AZURE_OPENAI_ENDPOINT is set, but AZURE_OPENAI_API_KEY is not: ${B} (AZURE_API_KEY is set: it belongs to the other Azure setup)`,
    ]);
  });

  it("a complete setup with another half-set one is still an error", () => {
    expect(problemsOf(() => configFromEnv({ ANTHROPIC_API_KEY: "k", KIMI_BASE_URL: "https://x/v1" }))).toEqual([
      "KIMI_BASE_URL is set, but KIMI_API_KEY is not: setup (d), Kimi (Moonshot), needs KIMI_API_KEY",
    ]);
  });

  it("AZURE_API_VERSION belongs to whichever Azure setup is complete", () => {
    const setup = configFromEnv({
      AZURE_OPENAI_ENDPOINT: "https://r.openai.azure.com",
      AZURE_OPENAI_API_KEY: "k",
      AZURE_API_VERSION: "2025-04-01-preview",
    });
    expect(setup.mock).toBe(false);
    expect(parseConfig(setup.raw, {}).providers["azure-openai"]).toMatchObject({ api_version: "2025-04-01-preview" });
    expect(problemsOf(() => configFromEnv({ AZURE_API_VERSION: "2025-04-01-preview" }))).toEqual([
      `AZURE_API_VERSION is set, but no setup that reads it is: ${A}; ${B}`,
    ]);
  });
});

describe("the mock serves only when nothing is set, and says so", () => {
  it("nothing set", () => {
    const setup = configFromEnv({ PORT: "4100", LLMUX_STORE: ":memory:", HOME: "/root" });
    expect(setup.mock).toBe(true);
    expect(setup.notices).toEqual([
      "No configuration file and no provider variables: serving the built-in mock model, which answers every model name by echoing the request (try model 'llmux-mock'). To use real models write llmux.yaml or set provider variables (docs/config.md).",
    ]);
  });
});

describe("setup (e): OPENAI_API_KEY", () => {
  it("serves GPT and o-series names from OpenAI's Responses API", () => {
    const setup = configFromEnv({ OPENAI_API_KEY: " sk-openai " });
    const config = parseConfig(setup.raw, {});
    expect(setup.mock).toBe(false);
    expect(config.providers).toEqual({
      openai: { type: "openai", api_key: "sk-openai", base_url: "https://api.openai.com/v1", api: "responses" },
    });
    expect(Object.keys(config.models)).toEqual(["gpt-*", "chatgpt-*", "o1*", "o3*", "o4*", "codex-*"]);
    expect(setup.notices).toEqual(["OpenAI (OPENAI_API_KEY) for gpt-*, chatgpt-*, o1*, o3*, o4*, codex-* models"]);
  });

  it("LLMUX_OPENAI_BASE_URL moves it; with the Azure setup (a), GPT names stay on Azure", () => {
    const moved = parseConfig(
      configFromEnv({ OPENAI_API_KEY: "k", LLMUX_OPENAI_BASE_URL: "https://proxy.example/v1" }).raw,
      {},
    );
    expect(moved.providers.openai).toMatchObject({ base_url: "https://proxy.example/v1" });
    const both = configFromEnv({
      OPENAI_API_KEY: "k",
      AZURE_BASE_URL: "https://r.openai.azure.com",
      AZURE_API_KEY: "a",
    });
    const config = parseConfig(both.raw, {});
    expect(Object.keys(config.models)).not.toContain("gpt-*");
    expect(config.models["*"]).toMatchObject({ provider: "azure" });
    expect(both.notices).toContain("OpenAI (OPENAI_API_KEY) as openai/MODEL");
  });
});
