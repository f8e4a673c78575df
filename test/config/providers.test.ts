import type { IncomingHttpHeaders } from "node:http";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { PRESET_TABLE as PRESETS } from "../../src/config/presets.js";
import { PRESETS as PRESET_NAMES } from "../../src/config/schema.js";
import { Warnings } from "../../src/ir/warnings.js";
import { createProviders, type Provider } from "../../src/providers/index.js";
import type { CallContext } from "../../src/providers/types.js";

/** The provider a one-provider configuration creates (validated first, so defaults apply). */
function provider(settings: Record<string, unknown>): Provider {
  const config = parseConfig({ providers: { p: settings } }, {});
  return createProviders(config).get("p")!;
}

function ctx(extra: Partial<CallContext> = {}, clientHeaders: IncomingHttpHeaders = {}): CallContext {
  return { stream: true, clientHeaders, sameDialect: false, warnings: new Warnings(), ...extra };
}

const url = (p: Provider, model = "m") => p.target(model, ctx()).url;

describe("azure URLs", () => {
  const root = "https://res.openai.azure.com";

  it("api responses without api_version: the /openai/v1 form", () => {
    const p = provider({ type: "azure", base_url: root, api_key: "k" });
    expect(p.dialect).toBe("openai-responses");
    expect(url(p, "gpt-5-codex")).toBe(`${root}/openai/v1/responses`);
  });

  it("api responses with api_version: the dated form", () => {
    const p = provider({ type: "azure", base_url: root, api_version: "2025-04-01-preview" });
    expect(url(p)).toBe(`${root}/openai/responses?api-version=2025-04-01-preview`);
  });

  it("api chat without api_version: the /openai/v1 form, the deployment in the body", () => {
    const p = provider({ type: "azure", base_url: root, api: "chat" });
    expect(p.dialect).toBe("openai-chat");
    expect(url(p, "gpt-4.1")).toBe(`${root}/openai/v1/chat/completions`);
  });

  it("api chat with api_version: the deployment in the path", () => {
    const p = provider({ type: "azure", base_url: root, api: "chat", api_version: "2024-10-21" });
    expect(url(p, "my gpt")).toBe(`${root}/openai/deployments/my%20gpt/chat/completions?api-version=2024-10-21`);
    expect(p.requestOptions("x")).toEqual({ customTools: false, maxTokensField: "max_completion_tokens" });
  });

  it("a base_url ending in /, /openai or /openai/v1 is reduced to the resource root", () => {
    for (const base of [`${root}/`, `${root}/openai`, `${root}/openai/`, `${root}/openai/v1`, `${root}/openai/v1/`]) {
      expect(url(provider({ type: "azure", base_url: base }))).toBe(`${root}/openai/v1/responses`);
    }
  });

  it("sends the key as api-key, or as a bearer token with auth: bearer", () => {
    expect(provider({ type: "azure", base_url: root, api_key: "k" }).target("m", ctx()).headers).toMatchObject({
      "api-key": "k",
    });
    const bearer = provider({ type: "azure", base_url: root, api_key: "k", auth: "bearer" }).target("m", ctx());
    expect(bearer.headers.authorization).toBe("Bearer k");
    expect(bearer.headers).not.toHaveProperty("api-key");
  });
});

describe("openai URLs", () => {
  it("defaults to https://api.openai.com/v1 and the Responses API", () => {
    const p = provider({ type: "openai", api_key: "sk" });
    expect(p.dialect).toBe("openai-responses");
    expect(url(p)).toBe("https://api.openai.com/v1/responses");
    expect(p.target("m", ctx()).headers.authorization).toBe("Bearer sk");
  });

  it("api chat uses /chat/completions under base_url; organization and project become headers", () => {
    const p = provider({
      type: "openai",
      api: "chat",
      base_url: "https://gateway.example.com/openai/v1/",
      organization: "org-1",
      project: "proj-1",
      headers: { "x-extra": "1" },
    });
    const t = p.target("m", ctx());
    expect(t.url).toBe("https://gateway.example.com/openai/v1/chat/completions");
    expect(t.headers).toMatchObject({ "openai-organization": "org-1", "openai-project": "proj-1", "x-extra": "1" });
  });
});

describe("anthropic URLs", () => {
  it("defaults to https://api.anthropic.com; /v1/messages and /v1/messages/count_tokens", () => {
    const p = provider({ type: "anthropic", api_key: "sk-ant" });
    const t = p.target("m", ctx());
    expect(t.url).toBe("https://api.anthropic.com/v1/messages");
    expect(t.headers).toMatchObject({ "x-api-key": "sk-ant", "anthropic-version": "2023-06-01" });
    expect(p.countTarget!("m", ctx()).url).toBe("https://api.anthropic.com/v1/messages/count_tokens");
  });

  it("a base_url ending in /v1 is accepted too", () => {
    expect(url(provider({ type: "anthropic", base_url: "https://proxy.example.com/anthropic/v1/" }))).toBe(
      "https://proxy.example.com/anthropic/v1/messages",
    );
  });

  it("auth bearer, version, and betas", () => {
    const p = provider({ type: "anthropic", api_key: "t", auth: "bearer", version: "2024-01-01", betas: ["a"] });
    const c = ctx({ sameDialect: true }, { "anthropic-beta": "a, b" });
    const t = p.target("m", c);
    expect(t.headers.authorization).toBe("Bearer t");
    expect(t.headers).not.toHaveProperty("x-api-key");
    expect(t.headers["anthropic-version"]).toBe("2024-01-01");
    expect(t.headers["anthropic-beta"]).toBe("a");
    expect(c.warnings.list.map((w) => w.code)).toEqual(["beta_dropped"]);
  });

  it("without betas, client betas are forwarded as sent", () => {
    const p = provider({ type: "anthropic" });
    expect(p.target("m", ctx({ sameDialect: true }, { "anthropic-beta": "x,y" })).headers["anthropic-beta"]).toBe(
      "x,y",
    );
  });
});

describe("openai-compatible", () => {
  it("every preset in the schema has a row, and the other way round", () => {
    expect(Object.keys(PRESETS).sort()).toEqual([...PRESET_NAMES].sort());
  });

  for (const [name, preset] of Object.entries(PRESETS)) {
    it(`preset ${name}: ${preset.baseUrl}/chat/completions with its quirks`, () => {
      const p = provider({ type: "openai-compatible", preset: name, api_key: "k" });
      expect(p.dialect).toBe("openai-chat");
      const t = p.target("m", ctx());
      expect(t.url).toBe(`${preset.baseUrl}/chat/completions`);
      expect(t.headers.authorization).toBe("Bearer k");
      const opts = p.requestOptions("m");
      expect(opts.maxTokensField).toBe(preset.maxTokensField ?? "max_tokens");
      expect(opts.customTools).toBe(preset.customTools ?? false);
      expect(opts.topK).toBe(preset.topK ?? false);
      // A preset without a reasoning field echoes what the upstream sends (auto).
      expect(opts.reasoningField).toBe(preset.reasoningField ?? "auto");
    });
  }

  it("explicit settings win over the preset", () => {
    const p = provider({
      type: "openai-compatible",
      preset: "deepseek",
      base_url: "http://10.0.0.2:8000/v1/",
      reasoning_field: "none",
      max_tokens_field: "max_completion_tokens",
      custom_tools: true,
      top_k: true,
    });
    expect(url(p)).toBe("http://10.0.0.2:8000/v1/chat/completions");
    expect(p.requestOptions("m")).toEqual({ maxTokensField: "max_completion_tokens", customTools: true, topK: true });
  });

  it("without api_key, no authorization header is sent", () => {
    const p = provider({ type: "openai-compatible", preset: "ollama" });
    expect(p.target("m", ctx()).headers).not.toHaveProperty("authorization");
  });
});

describe("pass-through keys", () => {
  it("the caller's key replaces the provider's on every type", () => {
    const c = ctx({ callerKey: "caller" });
    expect(provider({ type: "openai", api_key: "own" }).target("m", c).headers.authorization).toBe("Bearer caller");
    expect(provider({ type: "anthropic", api_key: "own" }).target("m", c).headers["x-api-key"]).toBe("caller");
    expect(
      provider({ type: "azure", base_url: "https://r.openai.azure.com", api_key: "own" }).target("m", c).headers[
        "api-key"
      ],
    ).toBe("caller");
    expect(
      provider({ type: "openai-compatible", preset: "groq", api_key: "own" }).target("m", c).headers.authorization,
    ).toBe("Bearer caller");
  });
});

describe("mock", () => {
  it("answers in process in its dialect", () => {
    expect(provider({ type: "mock" }).dialect).toBe("openai-responses");
    const p = provider({ type: "mock", dialect: "anthropic", reply: "hello" });
    expect(p.dialect).toBe("anthropic");
    expect(typeof p.local).toBe("function");
  });
});
