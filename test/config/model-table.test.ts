import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { createProviders } from "../../src/providers/index.js";
import { ModelTable } from "../../src/routing/model-table.js";

/** A model table built the way the gateway builds it: a validated config, its providers, its models. */
function table(models: Record<string, unknown>): ModelTable {
  const config = parseConfig(
    {
      providers: {
        azure: { type: "azure", base_url: "https://res.openai.azure.com", api_key: "k" },
        claude: { type: "anthropic", api_key: "k" },
        kimi: { type: "openai-compatible", preset: "moonshot", api_key: "k" },
        local: { type: "mock" },
      },
      models,
    },
    {},
  );
  return new ModelTable(config.models, createProviders(config));
}

describe("ModelTable.resolve", () => {
  it("an exact alias beats a pattern that also matches, wherever it is written", () => {
    const t = table({
      "gpt-*": { provider: "azure", model: "gpt-5-mini" },
      "*": { provider: "local" },
      "gpt-high": { provider: "azure", model: "gpt-5-codex", reasoning: { effort: "high" } },
    });
    const r = t.resolve("gpt-high")!;
    expect(r.alias).toBe("gpt-high");
    expect(r.provider.name).toBe("azure");
    expect(r.upstreamModel).toBe("gpt-5-codex");
    expect(r.settings.reasoning?.effort).toBe("high");
  });

  it("patterns are tried in the order they are written; the first match wins", () => {
    const t = table({
      "claude-*haiku*": { provider: "azure", model: "gpt-5-mini" },
      "claude-*": { provider: "claude" },
      "*": { provider: "local" },
    });
    const haiku = t.resolve("claude-3-5-haiku-20241022")!;
    expect(haiku.alias).toBe("claude-*haiku*");
    expect(haiku.provider.name).toBe("azure");
    expect(haiku.upstreamModel).toBe("gpt-5-mini");
    const sonnet = t.resolve("claude-sonnet-4-5")!;
    expect(sonnet.alias).toBe("claude-*");
    expect(sonnet.provider.name).toBe("claude");
    expect(t.resolve("anything-else")!.alias).toBe("*");

    const reversed = table({
      "*": { provider: "local" },
      "claude-*haiku*": { provider: "azure", model: "gpt-5-mini" },
    });
    expect(reversed.resolve("claude-3-5-haiku-20241022")!.alias).toBe("*");
  });

  it("patterns match case-insensitively and '*' matches any run of characters, including none", () => {
    const t = table({ "claude-*haiku*": { provider: "azure", model: "gpt-5-mini" } });
    expect(t.resolve("Claude-3-5-HAIKU-20241022")?.alias).toBe("claude-*haiku*");
    expect(t.resolve("claude-haiku")?.alias).toBe("claude-*haiku*");
    expect(t.resolve("claude-haiku-4-5")?.alias).toBe("claude-*haiku*");
    expect(t.resolve("xclaude-haiku")).toBeUndefined();
    expect(t.resolve("claude-sonnet-4-5")).toBeUndefined();
  });

  it("pattern characters other than '*' are literal", () => {
    const t = table({ "gpt-5.1-*": { provider: "azure" }, "o(1)*": { provider: "azure" } });
    expect(t.resolve("gpt-5.1-codex")?.alias).toBe("gpt-5.1-*");
    expect(t.resolve("gpt-5x1-codex")).toBeUndefined();
    expect(t.resolve("o(1)-mini")?.alias).toBe("o(1)*");
    expect(t.resolve("o1-mini")).toBeUndefined();
  });

  it("exact aliases match whatever the case, as patterns do; the alias written exactly as asked wins", () => {
    const t = table({
      "gpt-high": { provider: "azure", model: "gpt-5" },
      "GPT-LOW": { provider: "azure", model: "gpt-5-mini" },
      "gpt-low": { provider: "azure", model: "gpt-5-nano" },
    });
    expect(t.resolve("gpt-high")!.alias).toBe("gpt-high");
    const loud = t.resolve("GPT-HIGH")!;
    expect(loud.alias).toBe("gpt-high");
    expect(loud.requested).toBe("GPT-HIGH");
    expect(loud.upstreamModel).toBe("gpt-5");
    expect(t.resolve("GPT-LOW")!.upstreamModel).toBe("gpt-5-mini");
    expect(t.resolve("gpt-low")!.upstreamModel).toBe("gpt-5-nano");
  });

  it("falls back to provider/model for a configured provider", () => {
    const t = table({ "gpt-high": { provider: "azure", model: "gpt-5" } });
    const r = t.resolve("claude/claude-opus-4-7")!;
    expect(r.provider.name).toBe("claude");
    expect(r.upstreamModel).toBe("claude-opus-4-7");
    expect(r.requested).toBe("claude/claude-opus-4-7");
    expect(r.settings).toEqual({ provider: "claude", model: "claude-opus-4-7" });
    expect(r.deployments.map((d) => d.id)).toEqual(["claude/claude-opus-4-7"]);
    // Only the first slash separates the provider; the rest is the upstream model.
    const nested = t.resolve("kimi/moonshotai/kimi-k2")!;
    expect(nested.provider.name).toBe("kimi");
    expect(nested.upstreamModel).toBe("moonshotai/kimi-k2");
  });

  it("aliases and patterns come before provider/model", () => {
    const t = table({
      "claude/claude-opus-4-7": { provider: "azure", model: "gpt-5" },
      "kimi/*": { provider: "local" },
    });
    expect(t.resolve("claude/claude-opus-4-7")!.provider.name).toBe("azure");
    expect(t.resolve("kimi/kimi-k2")!.provider.name).toBe("local");
  });

  it("returns undefined for unknown names and unknown providers", () => {
    const t = table({ "gpt-high": { provider: "azure", model: "gpt-5" } });
    expect(t.resolve("gpt-low")).toBeUndefined();
    expect(t.resolve("nope/gpt-5")).toBeUndefined();
    expect(t.resolve("/gpt-5")).toBeUndefined();
    expect(t.resolve("")).toBeUndefined();
  });

  it("`model` defaults to the name the client asked for", () => {
    const t = table({ "claude-*": { provider: "claude" }, "kimi-k2-thinking": { provider: "kimi" } });
    const r = t.resolve("claude-sonnet-4-5-20250929")!;
    expect(r.upstreamModel).toBe("claude-sonnet-4-5-20250929");
    expect(r.requested).toBe("claude-sonnet-4-5-20250929");
    expect(r.alias).toBe("claude-*");
    expect(t.resolve("kimi-k2-thinking")!.upstreamModel).toBe("kimi-k2-thinking");
  });

  it("names() lists exact aliases, then patterns as written", () => {
    const t = table({
      "claude-*": { provider: "claude" },
      "gpt-high": { provider: "azure" },
      "*": { provider: "local" },
      "gpt-low": { provider: "azure" },
    });
    expect(t.names()).toEqual(["gpt-high", "gpt-low", "claude-*", "*"]);
  });
});

describe("ModelTable.allDeployments", () => {
  it("lists every alias and pattern that reaches each deployment, before any request", () => {
    const t = table({
      sonnet: { provider: "claude", model: "claude-sonnet-4-5" },
      "claude-*": { provider: "claude" },
      fast: { provider: "claude", model: "claude-haiku-4-5" },
      "claude-haiku-4-5": { provider: "claude", model: "claude-haiku-4-5" },
    });
    const all = t.allDeployments();
    // Asking for claude-sonnet-4-5 by name goes through the pattern: it reaches sonnet's deployment too.
    expect(all.get("claude/claude-sonnet-4-5")?.aliases).toEqual(["sonnet", "claude-*"]);
    // claude-haiku-4-5 is an alias of its own: the pattern never reaches it.
    expect(all.get("claude/claude-haiku-4-5")?.aliases).toEqual(["fast", "claude-haiku-4-5"]);
  });
});
