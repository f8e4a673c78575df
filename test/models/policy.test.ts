import { describe, expect, it } from "vitest";
import type { ModelConfig } from "../../src/config/schema.js";
import type { Dialect, ErrorInfo, Json, JsonObject, Request } from "../../src/ir/types.js";
import { Warnings } from "../../src/ir/warnings.js";
import { capabilitiesOf } from "../../src/models/capabilities.js";
import { applyAliasSettings, applyCapabilities, nearestEffort, type Policy } from "../../src/models/policy.js";
import { bodyView, irView, type SettingsView } from "../../src/models/settings-view.js";
import { codecs } from "../../src/translate/codecs.js";

/** The parameter name each dialect's client spells the effort with. */
const EFFORT_PARAM: Record<Dialect, string> = {
  "openai-chat": "reasoning_effort",
  "openai-responses": "reasoning.effort",
  anthropic: "output_config.effort",
  gemini: "generationConfig.thinkingConfig",
};

const DIALECTS: Dialect[] = ["openai-chat", "openai-responses", "anthropic"];

/** A minimal request body of `dialect` for `model`, with `extra` fields merged in. */
function body(dialect: Dialect, model: string, extra: JsonObject = {}): JsonObject {
  switch (dialect) {
    case "openai-chat":
      return { model, messages: [{ role: "user", content: "hi" }], ...extra };
    case "openai-responses":
      return { model, input: "hi", ...extra };
    case "anthropic":
      return { model, max_tokens: 1024, messages: [{ role: "user", content: "hi" }], ...extra };
    case "gemini":
      return { model, contents: [{ role: "user", parts: [{ text: "hi" }] }], ...extra };
  }
}

/** How a client of `dialect` asks for a reasoning effort. */
function effortFields(dialect: Dialect, effort: string): JsonObject {
  switch (dialect) {
    case "openai-chat":
      return { reasoning_effort: effort };
    case "openai-responses":
      return { reasoning: { effort } };
    case "anthropic":
      return { output_config: { effort } };
    case "gemini":
      return { generationConfig: { thinkingConfig: { thinkingLevel: effort } } };
  }
}

function decode(dialect: Dialect, b: JsonObject): Request {
  return codecs[dialect].decodeRequest(b as Json);
}

interface Outcome {
  error: ErrorInfo | undefined;
  warnings: Warnings;
}

function apply(view: SettingsView, model: string, policy: Policy, client: Dialect): Outcome {
  const warnings = new Warnings();
  const error = applyCapabilities(view, capabilitiesOf(model), model, policy, client, warnings);
  return { error, warnings };
}

function codes(w: Warnings): string[] {
  return w.list.map((x) => (x.param === undefined ? x.code : `${x.code}@${x.param}`));
}

describe("capability rows", () => {
  it("know the restricted models", () => {
    expect(capabilitiesOf("gpt-5-pro").efforts).toEqual(["high"]);
    expect(capabilitiesOf("gpt-5-codex").efforts).toEqual(["low", "medium", "high"]);
    expect(capabilitiesOf("gpt-5-codex").verbosity).toEqual(["medium"]);
    expect(capabilitiesOf("gpt-5.1-codex").truncation).toEqual(["disabled"]);
    expect(capabilitiesOf("gpt-5.1-codex-max").efforts).toContain("xhigh");
    expect(capabilitiesOf("gpt-5").sampling).toBe(false);
    expect(capabilitiesOf("GPT-5-Pro").efforts).toEqual(["high"]);
    expect(capabilitiesOf("claude-opus-4-7").thinking).toEqual(["adaptive"]);
    expect(capabilitiesOf("claude-sonnet-4-5").thinking).toEqual(["enabled"]);
    expect(capabilitiesOf("gpt-4.1")).toEqual({});
    expect(capabilitiesOf("kimi-k2-thinking")).toEqual({});
  });

  it("nearestEffort prefers the closest accepted effort, the higher one on ties", () => {
    expect(nearestEffort("low", ["high"])).toBe("high");
    expect(nearestEffort("minimal", ["low", "medium", "high"])).toBe("low");
    expect(nearestEffort("xhigh", ["low", "medium", "high"])).toBe("high");
    expect(nearestEffort("medium", ["low", "high"])).toBe("high");
    expect(nearestEffort("none", ["low", "medium", "high"])).toBe("low");
  });
});

describe("gpt-5-pro accepts only effort high", () => {
  for (const dialect of DIALECTS) {
    it(`clamps low → high on the IR of a ${dialect} request, warning with '${EFFORT_PARAM[dialect]}'`, () => {
      const ir = decode(dialect, body(dialect, "gpt-5-pro", effortFields(dialect, "low")));
      const view = irView(ir);
      expect(view.effort()).toBe("low");
      const { error, warnings } = apply(view, "gpt-5-pro", "clamp", dialect);
      expect(error).toBeUndefined();
      expect(ir.reasoning?.effort).toBe("high");
      expect(codes(warnings)).toEqual([`effort_clamped@${EFFORT_PARAM[dialect]}`]);
      expect(warnings.list[0]!.message).toContain("'low'");
      expect(warnings.list[0]!.message).toContain("'high' was used");
    });

    it(`rejects low with a 400 naming '${EFFORT_PARAM[dialect]}' under strict (IR of ${dialect})`, () => {
      const ir = decode(dialect, body(dialect, "gpt-5-pro", effortFields(dialect, "low")));
      const { error, warnings } = apply(irView(ir), "gpt-5-pro", "strict", dialect);
      expect(error).toMatchObject({
        status: 400,
        kind: "invalid_request",
        param: EFFORT_PARAM[dialect],
        code: "unsupported_value",
      });
      expect(error!.message).toContain("gpt-5-pro");
      expect(warnings.list).toEqual([]);
      expect(ir.reasoning?.effort).toBe("low");
    });
  }

  it("clamps on a raw Chat Completions body (reasoning_effort)", () => {
    const b = body("openai-chat", "gpt-5-pro", { reasoning_effort: "low" });
    const { error, warnings } = apply(bodyView("openai-chat", b), "gpt-5-pro", "clamp", "openai-chat");
    expect(error).toBeUndefined();
    expect(b.reasoning_effort).toBe("high");
    expect(codes(warnings)).toEqual(["effort_clamped@reasoning_effort"]);
  });

  it("clamps on a raw Responses body (reasoning.effort), keeping the other reasoning fields", () => {
    const b = body("openai-responses", "gpt-5-pro", { reasoning: { effort: "low", summary: "auto" } });
    const { error, warnings } = apply(bodyView("openai-responses", b), "gpt-5-pro", "clamp", "openai-responses");
    expect(error).toBeUndefined();
    expect(b.reasoning).toEqual({ effort: "high", summary: "auto" });
    expect(codes(warnings)).toEqual(["effort_clamped@reasoning.effort"]);
  });

  it("rejects on raw bodies under strict, leaving the body as sent", () => {
    const chat = body("openai-chat", "gpt-5-pro", { reasoning_effort: "low" });
    expect(apply(bodyView("openai-chat", chat), "gpt-5-pro", "strict", "openai-chat").error).toMatchObject({
      status: 400,
      param: "reasoning_effort",
    });
    expect(chat.reasoning_effort).toBe("low");
    const resp = body("openai-responses", "gpt-5-pro", { reasoning: { effort: "low" } });
    expect(apply(bodyView("openai-responses", resp), "gpt-5-pro", "strict", "openai-responses").error).toMatchObject({
      status: 400,
      param: "reasoning.effort",
    });
    expect(resp.reasoning).toEqual({ effort: "low" });
  });

  it("derives the effort of an Anthropic thinking budget and rewrites the budget with it", () => {
    const ir = decode(
      "anthropic",
      body("anthropic", "gpt-5-pro", { max_tokens: 8192, thinking: { type: "enabled", budget_tokens: 4096 } }),
    );
    const view = irView(ir);
    expect(view.effort()).toBe("low");
    const { warnings } = apply(view, "gpt-5-pro", "clamp", "anthropic");
    expect(ir.reasoning).toMatchObject({ mode: "enabled", effort: "high", budgetTokens: 16_000 });
    expect(codes(warnings)).toEqual(["effort_clamped@output_config.effort"]);
  });

  it("leaves an accepted effort alone", () => {
    const b = body("openai-chat", "gpt-5-pro", { reasoning_effort: "high" });
    const { warnings } = apply(bodyView("openai-chat", b), "gpt-5-pro", "clamp", "openai-chat");
    expect(b.reasoning_effort).toBe("high");
    expect(warnings.list).toEqual([]);
  });
});

describe("gpt-5-codex: efforts low…high, verbosity medium", () => {
  it("clamps minimal → low and verbosity high → medium on a raw Responses body", () => {
    const b = body("openai-responses", "gpt-5-codex", {
      reasoning: { effort: "minimal" },
      text: { verbosity: "high", format: { type: "text" } },
    });
    const { error, warnings } = apply(bodyView("openai-responses", b), "gpt-5-codex", "clamp", "openai-responses");
    expect(error).toBeUndefined();
    expect(b.reasoning).toEqual({ effort: "low" });
    expect(b.text).toEqual({ verbosity: "medium", format: { type: "text" } });
    expect(codes(warnings)).toEqual(["effort_clamped@reasoning.effort", "verbosity_clamped@text.verbosity"]);
  });

  it("clamps on a raw Chat Completions body", () => {
    const b = body("openai-chat", "gpt-5-codex", { reasoning_effort: "minimal", verbosity: "high" });
    const { warnings } = apply(bodyView("openai-chat", b), "gpt-5-codex", "clamp", "openai-chat");
    expect(b.reasoning_effort).toBe("low");
    expect(b.verbosity).toBe("medium");
    expect(codes(warnings)).toEqual(["effort_clamped@reasoning_effort", "verbosity_clamped@verbosity"]);
  });

  it("clamps on the IR of a Chat Completions request", () => {
    const ir = decode(
      "openai-chat",
      body("openai-chat", "gpt-5-codex", { reasoning_effort: "minimal", verbosity: "high" }),
    );
    const { warnings } = apply(irView(ir), "gpt-5-codex", "clamp", "openai-chat");
    expect(ir.reasoning?.effort).toBe("low");
    expect(ir.verbosity).toBe("medium");
    expect(codes(warnings)).toEqual(["effort_clamped@reasoning_effort", "verbosity_clamped@verbosity"]);
  });

  it("under strict, the verbosity is refused by name once the effort is acceptable", () => {
    const b = body("openai-responses", "gpt-5-codex", { reasoning: { effort: "low" }, text: { verbosity: "high" } });
    const { error } = apply(bodyView("openai-responses", b), "gpt-5-codex", "strict", "openai-responses");
    expect(error).toMatchObject({ status: 400, param: "text.verbosity", code: "unsupported_value" });
  });
});

describe("gpt-5.1-codex: truncation disabled only", () => {
  it("turns truncation auto into disabled on a raw Responses body", () => {
    const b = body("openai-responses", "gpt-5.1-codex", { truncation: "auto" });
    const { error, warnings } = apply(bodyView("openai-responses", b), "gpt-5.1-codex", "clamp", "openai-responses");
    expect(error).toBeUndefined();
    expect(b.truncation).toBe("disabled");
    expect(codes(warnings)).toEqual(["truncation_clamped@truncation"]);
  });

  it("turns truncation auto into disabled on the IR of a Responses request", () => {
    const ir = decode("openai-responses", body("openai-responses", "gpt-5.1-codex", { truncation: "auto" }));
    const { warnings } = apply(irView(ir), "gpt-5.1-codex", "clamp", "openai-responses");
    expect(ir.truncation).toBe("disabled");
    expect(codes(warnings)).toEqual(["truncation_clamped@truncation"]);
  });

  it("refuses truncation auto under strict", () => {
    const b = body("openai-responses", "gpt-5.1-codex", { truncation: "auto" });
    expect(apply(bodyView("openai-responses", b), "gpt-5.1-codex", "strict", "openai-responses").error).toMatchObject({
      status: 400,
      param: "truncation",
    });
  });
});

describe("gpt-5 accepts only the default sampling", () => {
  for (const dialect of DIALECTS) {
    it(`drops temperature 0.2 from the IR of a ${dialect} request`, () => {
      const ir = decode(dialect, body(dialect, "gpt-5", { temperature: 0.2 }));
      const { error, warnings } = apply(irView(ir), "gpt-5", "clamp", dialect);
      expect(error).toBeUndefined();
      expect(ir.temperature).toBeUndefined();
      expect(codes(warnings)).toEqual(["temperature_dropped@temperature"]);
    });
  }

  it("drops temperature and top_p from raw Chat Completions and Responses bodies", () => {
    for (const dialect of ["openai-chat", "openai-responses"] as const) {
      const b = body(dialect, "gpt-5", { temperature: 0.2, top_p: 0.5 });
      const { warnings } = apply(bodyView(dialect, b), "gpt-5", "clamp", dialect);
      expect(b).not.toHaveProperty("temperature");
      expect(b).not.toHaveProperty("top_p");
      expect(codes(warnings)).toEqual(["temperature_dropped@temperature", "top_p_dropped@top_p"]);
    }
  });

  it("keeps temperature 1 (the default)", () => {
    const b = body("openai-chat", "gpt-5", { temperature: 1 });
    const { warnings } = apply(bodyView("openai-chat", b), "gpt-5", "clamp", "openai-chat");
    expect(b.temperature).toBe(1);
    expect(warnings.list).toEqual([]);
  });

  it("refuses temperature 0.2 under strict", () => {
    const b = body("openai-chat", "gpt-5", { temperature: 0.2 });
    expect(apply(bodyView("openai-chat", b), "gpt-5", "strict", "openai-chat").error).toMatchObject({
      status: 400,
      param: "temperature",
      code: "unsupported_value",
    });
    expect(b.temperature).toBe(0.2);
  });

  it("leaves models without restrictions alone", () => {
    const b = body("openai-chat", "gpt-4.1", { temperature: 0.2, reasoning_effort: "minimal" });
    const { warnings } = apply(bodyView("openai-chat", b), "gpt-4.1", "strict", "openai-chat");
    expect(warnings.list).toEqual([]);
    expect(b.temperature).toBe(0.2);
  });
});

describe("Claude thinking forms on Anthropic bodies", () => {
  it("claude-opus-4-7: thinking enabled with a budget becomes adaptive, keeping the effort", () => {
    const b = body("anthropic", "claude-opus-4-7", {
      max_tokens: 16_000,
      thinking: { type: "enabled", budget_tokens: 8000 },
    });
    const { error, warnings } = apply(bodyView("anthropic", b), "claude-opus-4-7", "clamp", "anthropic");
    expect(error).toBeUndefined();
    expect(b.thinking).toEqual({ type: "adaptive" });
    expect(b.output_config).toEqual({ effort: "medium" });
    expect(codes(warnings)).toEqual(["thinking_form@thinking.type"]);
  });

  it("claude-opus-4-7 under strict: thinking enabled is a 400 naming thinking.type", () => {
    const b = body("anthropic", "claude-opus-4-7", { thinking: { type: "enabled", budget_tokens: 8000 } });
    const { error } = apply(bodyView("anthropic", b), "claude-opus-4-7", "strict", "anthropic");
    expect(error).toMatchObject({ status: 400, param: "thinking.type", code: "unsupported_value" });
    expect(b.thinking).toEqual({ type: "enabled", budget_tokens: 8000 });
  });

  it("claude-sonnet-4-5: adaptive becomes enabled with a budget below max_tokens", () => {
    const b = body("anthropic", "claude-sonnet-4-5", { max_tokens: 4096, thinking: { type: "adaptive" } });
    const { error, warnings } = apply(bodyView("anthropic", b), "claude-sonnet-4-5", "clamp", "anthropic");
    expect(error).toBeUndefined();
    const thinking = b.thinking as { type: string; budget_tokens: number };
    expect(thinking.type).toBe("enabled");
    expect(thinking.budget_tokens).toBeGreaterThanOrEqual(1024);
    expect(b.max_tokens as number).toBeGreaterThan(thinking.budget_tokens);
    expect(codes(warnings)).toEqual(["thinking_form@thinking.type"]);
  });

  it("claude-sonnet-4-5: adaptive with output_config.effort low becomes a low budget", () => {
    const b = body("anthropic", "claude-sonnet-4-5", {
      max_tokens: 32_000,
      thinking: { type: "adaptive" },
      output_config: { effort: "low" },
    });
    apply(bodyView("anthropic", b), "claude-sonnet-4-5", "clamp", "anthropic");
    expect(b.thinking).toEqual({ type: "enabled", budget_tokens: 4096 });
    expect(b.max_tokens).toBe(32_000);
  });

  it("claude-opus-4-7 drops a non-default temperature (fixed sampling)", () => {
    const b = body("anthropic", "claude-opus-4-7", { temperature: 0.3 });
    const { warnings } = apply(bodyView("anthropic", b), "claude-opus-4-7", "clamp", "anthropic");
    expect(b).not.toHaveProperty("temperature");
    expect(codes(warnings)).toEqual(["temperature_dropped@temperature"]);
  });

  // Claude Opus 4's dated id is claude-opus-4-20250514: the Opus 4 row (`opus-4(?!-\d)`) refuses it because
  // "-2" follows "opus-4", so it falls to the fallback row, which also accepts adaptive thinking.
  it("claude-opus-4-20250514 (Opus 4, dated id): adaptive becomes enabled like on claude-opus-4-0", () => {
    expect(capabilitiesOf("claude-opus-4-0").thinking).toEqual(["enabled"]);
    expect(capabilitiesOf("claude-opus-4-20250514").thinking).toEqual(["enabled"]);
    const b = body("anthropic", "claude-opus-4-20250514", { max_tokens: 32_000, thinking: { type: "adaptive" } });
    const { warnings } = apply(bodyView("anthropic", b), "claude-opus-4-20250514", "clamp", "anthropic");
    expect(b.thinking).toEqual({ type: "enabled", budget_tokens: 16_000 });
    expect(codes(warnings)).toEqual(["thinking_form@thinking.type"]);
  });

  it("forms the model accepts are left alone", () => {
    const b = body("anthropic", "claude-sonnet-4-5", {
      max_tokens: 16_000,
      thinking: { type: "enabled", budget_tokens: 8000 },
    });
    const { warnings } = apply(bodyView("anthropic", b), "claude-sonnet-4-5", "clamp", "anthropic");
    expect(b.thinking).toEqual({ type: "enabled", budget_tokens: 8000 });
    expect(warnings.list).toEqual([]);
  });
});

describe("alias settings", () => {
  const alias = (s: Omit<ModelConfig, "provider">): ModelConfig => ({ provider: "p", ...s });

  it("override what a Chat Completions client sent", () => {
    const b = body("openai-chat", "gpt-5", { reasoning_effort: "low", verbosity: "low", max_tokens: 100 });
    applyAliasSettings(
      bodyView("openai-chat", b),
      alias({ reasoning: { effort: "high" }, verbosity: "high", max_tokens: 5000 }),
    );
    expect(b.reasoning_effort).toBe("high");
    expect(b.verbosity).toBe("high");
    expect(b.max_tokens).toBe(5000);
    expect(b).not.toHaveProperty("max_completion_tokens");
  });

  it("override what a Responses client sent, summary none removing the summary", () => {
    const b = body("openai-responses", "gpt-5", {
      reasoning: { effort: "low", summary: "auto" },
      text: { verbosity: "low" },
      truncation: "auto",
      temperature: 0.5,
    });
    applyAliasSettings(
      bodyView("openai-responses", b),
      alias({
        reasoning: { effort: "high", summary: "none" },
        verbosity: "medium",
        truncation: "disabled",
        temperature: 1,
        max_tokens: 2000,
      }),
    );
    expect(b.reasoning).toEqual({ effort: "high" });
    expect(b.text).toEqual({ verbosity: "medium" });
    expect(b.truncation).toBe("disabled");
    expect(b.temperature).toBe(1);
    expect(b.max_output_tokens).toBe(2000);
  });

  it("override what the IR holds", () => {
    const ir = decode("openai-responses", body("openai-responses", "gpt-5", { reasoning: { effort: "low" } }));
    applyAliasSettings(irView(ir), alias({ reasoning: { effort: "medium", summary: "detailed" }, max_tokens: 777 }));
    expect(ir.reasoning).toMatchObject({ effort: "medium", summary: "detailed" });
    expect(ir.maxOutputTokens).toBe(777);
  });

  it("then go through the capability policy like client values", () => {
    const b = body("openai-responses", "gpt-5-codex", { reasoning: { effort: "high" } });
    const view = bodyView("openai-responses", b);
    applyAliasSettings(view, alias({ reasoning: { effort: "minimal" } }));
    const { warnings } = apply(view, "gpt-5-codex", "clamp", "openai-responses");
    expect(b.reasoning).toEqual({ effort: "low" });
    expect(codes(warnings)).toEqual(["effort_clamped@reasoning.effort"]);
  });

  it("a thinking budget on an Anthropic body raises max_tokens above the budget", () => {
    const b = body("anthropic", "claude-sonnet-4-5", { max_tokens: 1000, temperature: 0.5, top_k: 5 });
    applyAliasSettings(bodyView("anthropic", b), alias({ thinking: { budget_tokens: 8000 } }));
    expect(b.thinking).toEqual({ type: "enabled", budget_tokens: 8000 });
    expect(b.max_tokens as number).toBeGreaterThan(8000);
    // Extended thinking refuses non-default temperature and top_k.
    expect(b).not.toHaveProperty("temperature");
    expect(b).not.toHaveProperty("top_k");
  });

  it("a thinking budget keeps a larger client max_tokens", () => {
    const b = body("anthropic", "claude-sonnet-4-5", { max_tokens: 30_000 });
    applyAliasSettings(bodyView("anthropic", b), alias({ thinking: { budget_tokens: 8000 } }));
    expect(b.max_tokens).toBe(30_000);
  });

  it("an effort on an Anthropic body becomes a budget below max_tokens", () => {
    const b = body("anthropic", "claude-sonnet-4-5", { max_tokens: 1024 });
    applyAliasSettings(bodyView("anthropic", b), alias({ reasoning: { effort: "high" } }));
    expect(b.thinking).toEqual({ type: "enabled", budget_tokens: 16_000 });
    expect(b.max_tokens as number).toBeGreaterThan(16_000);
  });

  it("an effort on an adaptive-only Claude becomes adaptive thinking with output_config.effort", () => {
    const b = body("anthropic", "claude-opus-4-7");
    applyAliasSettings(bodyView("anthropic", b), alias({ reasoning: { effort: "minimal" } }));
    expect(b.thinking).toEqual({ type: "adaptive" });
    expect(b.output_config).toEqual({ effort: "low" });
  });

  it("thinking type disabled turns thinking off", () => {
    const b = body("anthropic", "claude-sonnet-4-5", { thinking: { type: "enabled", budget_tokens: 2048 } });
    applyAliasSettings(bodyView("anthropic", b), alias({ thinking: { type: "disabled" } }));
    expect(b.thinking).toEqual({ type: "disabled" });
  });

  // An alias with both a thinking budget (or an effort) and max_tokens: the budget must stay below
  // max_tokens, or Anthropic answers 400 ("max_tokens must be greater than thinking.budget_tokens").
  it("an alias max_tokens does not undercut the alias thinking budget on an Anthropic body", () => {
    const b = body("anthropic", "claude-sonnet-4-5", { max_tokens: 1024 });
    applyAliasSettings(bodyView("anthropic", b), alias({ thinking: { budget_tokens: 8000 }, max_tokens: 4000 }));
    const thinking = b.thinking as { type: string; budget_tokens?: number };
    expect(thinking.type).toBe("enabled");
    expect(b.max_tokens as number).toBeGreaterThan(thinking.budget_tokens ?? 0);
  });

  it("an alias max_tokens does not undercut the budget of an alias effort on an Anthropic body", () => {
    const b = body("anthropic", "claude-sonnet-4-5", { max_tokens: 1024 });
    applyAliasSettings(bodyView("anthropic", b), alias({ reasoning: { effort: "high" }, max_tokens: 8000 }));
    const thinking = b.thinking as { type: string; budget_tokens?: number };
    expect(thinking.type).toBe("enabled");
    expect(b.max_tokens as number).toBeGreaterThan(thinking.budget_tokens ?? 0);
  });

  it("the IR path records an alias thinking budget", () => {
    const ir = decode("anthropic", body("anthropic", "claude-sonnet-4-5"));
    applyAliasSettings(irView(ir), alias({ thinking: { budget_tokens: 8000 } }));
    expect(ir.reasoning).toMatchObject({ mode: "enabled", budgetTokens: 8000 });
    expect(irView(ir).effort()).toBe("medium");
  });
});
