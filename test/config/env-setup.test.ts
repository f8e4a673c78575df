import { describe, expect, it } from "vitest";
import { configFromEnv } from "../../src/config/env-setup.js";
import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/schema.js";
import { SERVER_DEFAULTS } from "../../src/config/schema-server.js";
import { Warnings } from "../../src/ir/warnings.js";
import { createProviders } from "../../src/providers/index.js";
import type { CallContext } from "../../src/providers/types.js";
import { ModelTable } from "../../src/routing/model-table.js";
import { problemsOf } from "./helpers.js";

type Env = Record<string, string | undefined>;

/** The configuration llmux starts with when only these variables are set (as `llmux start` validates it). */
function fromEnv(env: Env): { config: Config; notices: string[]; table: ModelTable } {
  const setup = configFromEnv(env);
  const config = parseConfig(setup.raw, env);
  return { config, notices: setup.notices, table: new ModelTable(config.models, createProviders(config)) };
}

function ctx(): CallContext {
  return { stream: true, clientHeaders: {}, sameDialect: false, warnings: new Warnings() };
}

/** Provider name, upstream model and URL a model name resolves to. */
function route(table: ModelTable, name: string): { provider: string; model: string; url: string } | undefined {
  const r = table.resolve(name);
  if (!r) return undefined;
  return { provider: r.provider.name, model: r.upstreamModel, url: r.provider.target(r.upstreamModel, ctx()).url };
}

const CURSOR_AZURE: Env = {
  AZURE_BASE_URL: "https://res.openai.azure.com",
  AZURE_API_KEY: "azure-key",
};

const CLAUDE_AZURE: Env = {
  AZURE_OPENAI_ENDPOINT: "https://claude-res.openai.azure.com/",
  AZURE_OPENAI_API_KEY: "azure-openai-key",
  BIG_MODEL: "gpt-5",
  SMALL_MODEL: "gpt-5-mini",
  ANTHROPIC_AUTH_TOKEN: "claude-code-token",
};

describe("configFromEnv (a): Azure Responses for Cursor (AZURE_BASE_URL)", () => {
  it("defines gpt-high/medium/low/minimal and * on the deployment, with the defaults, and serves Cursor", () => {
    const { config, notices } = fromEnv(CURSOR_AZURE);
    expect(config.providers).toEqual({
      azure: {
        type: "azure",
        base_url: "https://res.openai.azure.com",
        api_key: "azure-key",
        api: "responses",
        auth: "api-key",
      },
    });
    // Without AZURE_VERBOSITY_LEVEL and AZURE_TRUNCATION, the client's values are left alone.
    const common = { provider: "azure", model: "gpt-5", reasoning_display: "think-tags" };
    expect(config.models).toEqual({
      "gpt-high": { ...common, reasoning: { effort: "high", summary: "detailed" } },
      "gpt-medium": { ...common, reasoning: { effort: "medium", summary: "detailed" } },
      "gpt-low": { ...common, reasoning: { effort: "low", summary: "detailed" } },
      "gpt-minimal": { ...common, reasoning: { effort: "minimal", summary: "detailed" } },
      "*": { ...common, reasoning: { summary: "detailed" } },
    });
    expect(config.auth.keys).toEqual([]);
    expect(config.server.port).toBe(4000);
    // These variables come from a Cursor-only setup: every Chat Completions client is treated as Cursor.
    expect(config.cursor).toEqual({ detect: "always", reasoning_display: "think-tags", errors_as_text: true });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain("gpt-high");
  });

  it("reads AZURE_DEPLOYMENT, AZURE_API_VERSION, AZURE_SUMMARY_LEVEL, AZURE_VERBOSITY_LEVEL, AZURE_TRUNCATION, SERVICE_API_KEY", () => {
    const { config, table } = fromEnv({
      ...CURSOR_AZURE,
      AZURE_DEPLOYMENT: "gpt-5-codex",
      AZURE_API_VERSION: "2025-04-01-preview",
      AZURE_SUMMARY_LEVEL: "concise",
      AZURE_VERBOSITY_LEVEL: "low",
      AZURE_TRUNCATION: "auto",
      SERVICE_API_KEY: "sk-service",
    });
    expect(config.providers.azure).toMatchObject({ api_version: "2025-04-01-preview" });
    expect(config.models["gpt-low"]).toEqual({
      provider: "azure",
      model: "gpt-5-codex",
      verbosity: "low",
      truncation: "auto",
      reasoning_display: "think-tags",
      reasoning: { effort: "low", summary: "concise" },
    });
    expect(config.auth.keys).toEqual(["sk-service"]);
    expect(route(table, "gpt-high")).toEqual({
      provider: "azure",
      model: "gpt-5-codex",
      url: "https://res.openai.azure.com/openai/responses?api-version=2025-04-01-preview",
    });
  });

  it("routes the effort aliases and any other name to the deployment (v1 URL without AZURE_API_VERSION)", () => {
    const { table } = fromEnv({ ...CURSOR_AZURE, AZURE_DEPLOYMENT: "my-gpt5" });
    for (const name of ["gpt-high", "gpt-medium", "gpt-low", "gpt-minimal", "gpt-5", "anything"]) {
      expect(route(table, name)).toEqual({
        provider: "azure",
        model: "my-gpt5",
        url: "https://res.openai.azure.com/openai/v1/responses",
      });
    }
    expect(table.resolve("gpt-high")!.settings.reasoning?.effort).toBe("high");
    expect(table.resolve("anything")!.settings.reasoning?.effort).toBeUndefined();
  });

  it("needs both AZURE_BASE_URL and AZURE_API_KEY: one alone names the other, and the mock does not serve", () => {
    expect(problemsOf(() => configFromEnv({ AZURE_BASE_URL: "https://res.openai.azure.com" }))).toEqual([
      "AZURE_BASE_URL is set, but AZURE_API_KEY is not: setup (a), Azure OpenAI Responses deployment (for Cursor), needs AZURE_BASE_URL and AZURE_API_KEY",
    ]);
    expect(problemsOf(() => configFromEnv({ AZURE_API_KEY: "k" }))).toEqual([
      "AZURE_API_KEY is set, but AZURE_BASE_URL is not: setup (a), Azure OpenAI Responses deployment (for Cursor), needs AZURE_BASE_URL and AZURE_API_KEY",
    ]);
  });

  it("an invalid level is reported with the variable's name and value", () => {
    expect(problemsOf(() => configFromEnv({ ...CURSOR_AZURE, AZURE_SUMMARY_LEVEL: "verbose" }))).toEqual([
      'AZURE_SUMMARY_LEVEL: "verbose" is not one of auto, concise, detailed, none',
    ]);
    expect(problemsOf(() => configFromEnv({ ...CURSOR_AZURE, AZURE_VERBOSITY_LEVEL: "hgih" }))).toEqual([
      "AZURE_VERBOSITY_LEVEL: \"hgih\" is not one of low, medium, high (did you mean 'high'?)",
    ]);
  });
});

describe("configFromEnv (b): Claude models on Azure for Claude Code (AZURE_OPENAI_ENDPOINT)", () => {
  it("maps haiku to SMALL_MODEL and sonnet/opus to BIG_MODEL, with ANTHROPIC_AUTH_TOKEN as the service key", () => {
    const { config, table, notices } = fromEnv(CLAUDE_AZURE);
    expect(config.providers).toEqual({
      "azure-openai": {
        type: "azure",
        base_url: "https://claude-res.openai.azure.com/",
        api_key: "azure-openai-key",
        api: "responses",
        auth: "api-key",
      },
    });
    expect(config.models).toEqual({
      "claude-*haiku*": { provider: "azure-openai", model: "gpt-5-mini" },
      "claude-*sonnet*": { provider: "azure-openai", model: "gpt-5" },
      "claude-*opus*": { provider: "azure-openai", model: "gpt-5" },
    });
    expect(config.auth.keys).toEqual(["claude-code-token"]);
    expect(notices[0]).toContain("haiku → gpt-5-mini");

    const v1 = "https://claude-res.openai.azure.com/openai/v1/responses";
    expect(route(table, "claude-3-5-haiku-20241022")).toEqual({
      provider: "azure-openai",
      model: "gpt-5-mini",
      url: v1,
    });
    expect(route(table, "claude-haiku-4-5-20251001")).toEqual({
      provider: "azure-openai",
      model: "gpt-5-mini",
      url: v1,
    });
    expect(route(table, "claude-sonnet-4-5-20250929")).toEqual({ provider: "azure-openai", model: "gpt-5", url: v1 });
    expect(route(table, "claude-3-7-sonnet-latest")).toEqual({ provider: "azure-openai", model: "gpt-5", url: v1 });
    expect(route(table, "claude-opus-4-1-20250805")).toEqual({ provider: "azure-openai", model: "gpt-5", url: v1 });
    expect(route(table, "gpt-5")).toBeUndefined();
  });

  it("SMALL_MODEL defaults to BIG_MODEL, BIG_MODEL to gpt-5", () => {
    const only = { AZURE_OPENAI_ENDPOINT: "https://r.openai.azure.com", AZURE_OPENAI_API_KEY: "k" };
    expect(route(fromEnv({ ...only, BIG_MODEL: "gpt-5-codex" }).table, "claude-haiku-4-5")!.model).toBe("gpt-5-codex");
    expect(route(fromEnv(only).table, "claude-haiku-4-5")!.model).toBe("gpt-5");
    expect(route(fromEnv(only).table, "claude-opus-4-7")!.model).toBe("gpt-5");
    expect(fromEnv(only).config.auth.keys).toEqual([]);
  });

  it("AZURE_API_VERSION selects the dated Responses URL", () => {
    const { table } = fromEnv({ ...CLAUDE_AZURE, AZURE_API_VERSION: "2025-04-01-preview" });
    expect(route(table, "claude-sonnet-4-5")!.url).toBe(
      "https://claude-res.openai.azure.com/openai/responses?api-version=2025-04-01-preview",
    );
  });
});

describe("configFromEnv (c): ANTHROPIC_API_KEY", () => {
  it("sends claude-* models to Anthropic under the name asked for", () => {
    const { config, table } = fromEnv({ ANTHROPIC_API_KEY: "sk-ant" });
    expect(config.providers).toEqual({
      anthropic: {
        type: "anthropic",
        api_key: "sk-ant",
        base_url: "https://api.anthropic.com",
        auth: "x-api-key",
        version: "2023-06-01",
      },
    });
    expect(config.models).toEqual({ "claude-*": { provider: "anthropic" } });
    expect(config.cursor.detect).toBe("auto");
    expect(route(table, "claude-sonnet-4-5-20250929")).toEqual({
      provider: "anthropic",
      model: "claude-sonnet-4-5-20250929",
      url: "https://api.anthropic.com/v1/messages",
    });
    expect(route(table, "gpt-5")).toBeUndefined();
  });

  it("with setup (b) as well, Claude names stay on Azure and Anthropic is reachable as anthropic/…", () => {
    const { config, table } = fromEnv({ ...CLAUDE_AZURE, ANTHROPIC_API_KEY: "sk-ant" });
    expect(config.models).not.toHaveProperty("claude-*");
    expect(route(table, "claude-sonnet-4-5")!.provider).toBe("azure-openai");
    expect(route(table, "anthropic/claude-sonnet-4-5")).toEqual({
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      url: "https://api.anthropic.com/v1/messages",
    });
  });
});

describe("configFromEnv: base URLs of (c) and (d)", () => {
  it("LLMUX_ANTHROPIC_BASE_URL moves the Anthropic upstream; ANTHROPIC_BASE_URL is not read", () => {
    const moved = fromEnv({ ANTHROPIC_API_KEY: "sk-ant", LLMUX_ANTHROPIC_BASE_URL: "https://anthropic.example.com" });
    expect(route(moved.table, "claude-sonnet-4-5")!.url).toBe("https://anthropic.example.com/v1/messages");
    const ignored = fromEnv({ ANTHROPIC_API_KEY: "sk-ant", ANTHROPIC_BASE_URL: "http://127.0.0.1:4000" });
    expect(route(ignored.table, "claude-sonnet-4-5")!.url).toBe("https://api.anthropic.com/v1/messages");
  });

  it("KIMI_BASE_URL replaces the preset's URL", () => {
    const { table } = fromEnv({ KIMI_API_KEY: "sk-kimi", KIMI_BASE_URL: "https://api.moonshot.cn/v1" });
    expect(route(table, "kimi-k2-thinking")!.url).toBe("https://api.moonshot.cn/v1/chat/completions");
  });
});

describe("configFromEnv (d): KIMI_API_KEY", () => {
  it("sends kimi-* and moonshot-* models to Moonshot", () => {
    const { config, table } = fromEnv({ KIMI_API_KEY: "sk-kimi" });
    expect(config.providers).toEqual({
      kimi: { type: "openai-compatible", preset: "moonshot", api_key: "sk-kimi" },
    });
    expect(config.models).toEqual({ "kimi-*": { provider: "kimi" }, "moonshot-*": { provider: "kimi" } });
    const url = "https://api.moonshot.ai/v1/chat/completions";
    expect(route(table, "kimi-k2-thinking")).toEqual({ provider: "kimi", model: "kimi-k2-thinking", url });
    expect(route(table, "moonshot-v1-8k")).toEqual({ provider: "kimi", model: "moonshot-v1-8k", url });
    expect(route(table, "claude-sonnet-4-5")).toBeUndefined();
  });
});

describe("configFromEnv (e): nothing set", () => {
  it("serves the built-in mock model under every name", () => {
    const { config, table, notices } = fromEnv({});
    expect(config.providers).toEqual({
      mock: { type: "mock", dialect: "openai-responses", price: { input: 3, output: 15 } },
    });
    expect(config.models).toEqual({ "llmux-mock": { provider: "mock" }, "*": { provider: "mock" } });
    expect(config.auth.keys).toEqual([]);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain("llmux-mock");
    for (const name of ["llmux-mock", "gpt-5", "claude-sonnet-4-5"]) {
      expect(table.resolve(name)!.provider.type).toBe("mock");
    }
  });

  it("blank and whitespace-only variables count as unset; values are trimmed", () => {
    expect(fromEnv({ AZURE_BASE_URL: " ", ANTHROPIC_API_KEY: "", KIMI_API_KEY: "\t" }).config.providers).toHaveProperty(
      "mock",
    );
    expect(problemsOf(() => configFromEnv({ AZURE_BASE_URL: " ", AZURE_API_KEY: "k" }))[0]).toMatch(
      /^AZURE_API_KEY is set, but AZURE_BASE_URL is not/,
    );
    const { config } = fromEnv({ KIMI_API_KEY: "  sk-kimi\n" });
    expect(config.providers.kimi).toMatchObject({ api_key: "sk-kimi" });
  });
});

describe("configFromEnv: PORT", () => {
  it("sets server.port from PORT", () => {
    expect(fromEnv({ PORT: "8080" }).config.server).toEqual({ ...SERVER_DEFAULTS, port: 8080 });
    expect(fromEnv({ ...CURSOR_AZURE, PORT: " 4100 " }).config.server.port).toBe(4100);
  });

  it("ignores a PORT that is not a number", () => {
    expect(fromEnv({ PORT: "http" }).config.server.port).toBe(4000);
    expect(fromEnv({ PORT: "-1" }).config.server.port).toBe(4000);
    expect(configFromEnv({ PORT: "abc" }).raw).not.toHaveProperty("server");
  });

  it("a PORT above 65535 is reported by path", () => {
    expect(problemsOf(() => parseConfig(configFromEnv({ PORT: "70000" }).raw, {}))[0]).toMatch(/^server\.port: /);
  });
});

describe("configFromEnv: several setups at once", () => {
  it("every setup's result passes parseConfig", () => {
    const all = {
      ...CURSOR_AZURE,
      ...CLAUDE_AZURE,
      ANTHROPIC_API_KEY: "sk-ant",
      KIMI_API_KEY: "sk-kimi",
      SERVICE_API_KEY: "sk-service",
      PORT: "4001",
    };
    const { config, notices } = fromEnv(all);
    expect(Object.keys(config.providers).sort()).toEqual(["anthropic", "azure", "azure-openai", "kimi"]);
    expect(config.auth.keys).toEqual(["sk-service", "claude-code-token"]);
    expect(config.server.port).toBe(4001);
    expect(notices).toHaveLength(4);
  });

  // Setup (a) adds a catch-all "*" before the patterns of (b), (c) and (d); patterns are tried in the order
  // they were added, so "*" takes every Claude, Kimi and Moonshot name to the Azure deployment, contrary to
  // the start-up notices ("Kimi (KIMI_API_KEY) for kimi-* and moonshot-* models").
  it("the catch-all of setup (a) does not shadow the patterns of (b), (c) and (d)", () => {
    const ab = fromEnv({ ...CURSOR_AZURE, ...CLAUDE_AZURE }).table;
    const ac = fromEnv({ ...CURSOR_AZURE, ANTHROPIC_API_KEY: "sk-ant" }).table;
    const ad = fromEnv({ ...CURSOR_AZURE, KIMI_API_KEY: "sk-kimi" }).table;
    expect({
      "(a)+(b) claude-3-5-haiku-20241022": route(ab, "claude-3-5-haiku-20241022")?.provider,
      "(a)+(c) claude-sonnet-4-5": route(ac, "claude-sonnet-4-5")?.provider,
      "(a)+(d) kimi-k2-thinking": route(ad, "kimi-k2-thinking")?.provider,
    }).toEqual({
      "(a)+(b) claude-3-5-haiku-20241022": "azure-openai",
      "(a)+(c) claude-sonnet-4-5": "anthropic",
      "(a)+(d) kimi-k2-thinking": "kimi",
    });
    // Names of no other setup still reach the Azure deployment.
    expect(route(ad, "gpt-5")?.provider).toBe("azure");
  });
});
