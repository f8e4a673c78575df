/**
 * Chat Completions client → every upstream: the request parameters (max tokens, reasoning effort, tool_choice,
 * unmapped fields, custom tools, response_format, sampling), as a fixture table (see table.ts). Client bodies in
 * fixtures/from-chat/, upstream bodies in __snapshots__/from-chat-params/. The expected bodies were first
 * written by hand from /work/shared/reference/wire-protocols.md.
 */
import { describe, expect, it } from "vitest";
import { expectBudgetBelowMax, expectWrappedCustomTool, obj, translate } from "./helpers.js";
import { type Case, fixture, keeps, type Outcome, requestTable } from "./table.js";

const OPUS47 = "claude-opus-4-7";
const CUSTOM = { name: "apply_patch", kind: "custom", wrapped: true } as const;

/** The JSON instruction reached Anthropic's system prompt (§9.14), next to any system text of the client. */
const jsonInSystem =
  (...also: RegExp[]): Outcome["check"] =>
  (out) => {
    const system = JSON.stringify(out.body.system ?? null);
    expect(system).toMatch(/JSON/);
    for (const re of also) expect(system).toMatch(re);
  };

const DROPPED = ["logprobs", "top_logprobs", "n", "frequency_penalty", "logit_bias"].map((f) => `dropped_field@${f}`);

const cases: Case[] = [
  // 9. Max tokens: a model-aware Anthropic default, or the configured one; legacy max_tokens (§1.1); Responses' minimum of 16 (§2.1)
  { name: "no-limit", input: "hi", to: { anthropic: [] } },
  { name: "no-limit-opus", input: "hi", with: { model: OPUS47 }, to: { anthropic: [] } },
  { name: "no-limit-default-4096", input: "hi", opts: { defaultMaxTokens: 4096 }, to: { anthropic: [] } },
  {
    name: "max-completion-tokens",
    input: "hi",
    with: { max_completion_tokens: 1000 },
    to: { anthropic: [], "openai-responses": [], "openai-chat": [] },
  },
  { name: "max-tokens-legacy", input: "hi", with: { max_tokens: 1000 }, to: { "openai-chat": [], anthropic: [] } },
  {
    name: "max-tokens-legacy-field",
    input: "hi",
    with: { max_tokens: 1000 },
    opts: { maxTokensField: "max_tokens" },
    to: { "openai-chat": [] },
  },
  {
    name: "max-completion-tokens-8",
    input: "hi",
    with: { max_completion_tokens: 8 },
    to: { "openai-responses": ["max_tokens_raised@max_output_tokens"] },
  },

  // 10. reasoning_effort → thinking (sonnet-4-5: a budget; opus-4-7: adaptive + effort) / Responses reasoning
  {
    name: "effort-high",
    input: "prove-it",
    with: { reasoning_effort: "high" },
    to: { anthropic: { warnings: [], check: expectBudgetBelowMax }, "openai-responses": [] },
  },
  {
    name: "effort-high-opus",
    input: "prove-it",
    with: { model: OPUS47, reasoning_effort: "high" },
    to: { anthropic: [] },
  },
  // opus-4-7: minimal → low, xhigh and max kept (§5.4)
  ...["minimal", "low", "medium", "xhigh", "max"].map((effort) => ({
    name: `effort-${effort}-opus`,
    input: "prove-it",
    with: { model: OPUS47, reasoning_effort: effort },
    to: { anthropic: [] },
  })),
  // none: thinking disabled where allowed, left out on adaptive-only models
  { name: "effort-none", input: "prove-it", with: { reasoning_effort: "none" }, to: { anthropic: [] } },
  {
    name: "effort-none-opus",
    input: "prove-it",
    with: { model: OPUS47, reasoning_effort: "none" },
    to: { anthropic: [] },
  },
  {
    name: "effort-high-max-8000",
    input: "prove-it",
    with: { reasoning_effort: "high", max_completion_tokens: 8000 },
    to: { anthropic: { warnings: ["thinking_budget_clamped@thinking.budget_tokens"], check: expectBudgetBelowMax } },
  },
  {
    name: "effort-high-default-4096",
    input: "prove-it",
    with: { reasoning_effort: "high" },
    opts: { defaultMaxTokens: 4096 },
    to: { anthropic: { warnings: [], check: expectBudgetBelowMax } },
  },
  // max_completion_tokens ≤ 1024 leaves no room for a budget
  {
    name: "effort-low-max-1000",
    input: "prove-it",
    with: { reasoning_effort: "low", max_completion_tokens: 1000 },
    to: { anthropic: ["thinking_dropped@thinking"] },
  },
  {
    name: "effort-low-no-summary",
    input: "prove-it",
    with: { reasoning_effort: "low" },
    opts: { defaultSummary: null },
    to: { "openai-responses": [] },
  },
  { name: "effort-xhigh", input: "prove-it", with: { reasoning_effort: "xhigh" }, to: { "openai-chat": [] } },

  // 14. tool_choice and parallel_tool_calls (§5.2); a forced choice with thinking becomes auto (§3.4)
  ...(["auto", "none", "required"] as const).map((tc) => ({
    name: `tool-choice-${tc}`,
    input: "tool-choice",
    with: { tool_choice: tc },
    to: { anthropic: [], "openai-responses": [], ...(tc === "required" ? { "openai-chat": [] } : {}) },
  })),
  {
    name: "tool-choice-function",
    input: "tool-choice",
    with: { tool_choice: { type: "function", function: { name: "get_time" } } },
    to: { anthropic: [], "openai-responses": [], "openai-chat": { warnings: [], check: keeps("tool_choice") } },
  },
  {
    name: "serial",
    input: "tool-choice",
    with: { parallel_tool_calls: false },
    to: { anthropic: [], "openai-responses": [], "openai-chat": [] },
  },
  {
    name: "serial-required",
    input: "tool-choice",
    with: { parallel_tool_calls: false, tool_choice: "required" },
    to: { anthropic: [] },
  },
  // disable_parallel_tool_use cannot be combined with none
  {
    name: "serial-none",
    input: "tool-choice",
    with: { parallel_tool_calls: false, tool_choice: "none" },
    to: { anthropic: [] },
  },
  {
    name: "allowed-tools",
    input: "tool-choice",
    with: {
      tool_choice: {
        type: "allowed_tools",
        allowed_tools: { mode: "required", tools: [{ type: "function", function: { name: "get_weather" } }] },
      },
    },
    to: {
      "openai-responses": [],
      "openai-chat": { warnings: [], check: keeps("tool_choice") },
      anthropic: ["allowed_tools@tool_choice"],
    },
  },
  {
    name: "tool-choice-required-thinking",
    input: "tool-choice",
    with: { tool_choice: "required", reasoning_effort: "medium" },
    to: { anthropic: ["tool_choice_relaxed@tool_choice"] },
  },

  // 15. Fields with no IR mapping; a partly mapped object is reported member by member
  {
    name: "unmapped-fields",
    input: "unmapped-fields",
    to: {
      "openai-chat": { warnings: [], same: true },
      "openai-responses": [...DROPPED, "dropped_field@stream_options.include_obfuscation"],
      anthropic: [...DROPPED, "dropped_field@stream_options.include_obfuscation"],
    },
  },
  // user → Anthropic metadata.user_id; Responses has all four fields
  {
    name: "user-metadata",
    input: "user-metadata",
    to: {
      anthropic: ["dropped_field@metadata.team", "dropped_field@service_tier", "dropped_field@prompt_cache_key"],
      "openai-responses": [],
    },
  },

  // 16. Custom (grammar) tool: emulated as a function with one string input where there is no custom tool (§2.2, §5.2)
  {
    name: "custom-tool",
    input: "custom-tool",
    to: {
      "openai-chat": { warnings: [], same: true },
      "openai-responses": [],
      anthropic: {
        warnings: ["grammar_dropped@tools[0]"],
        tools: [["apply_patch", CUSTOM]],
        check: (out) => expectWrappedCustomTool(out, "Apply a patch"),
      },
    },
  },
  {
    name: "custom-tool-emulated",
    input: "custom-tool",
    opts: { customTools: false },
    to: {
      "openai-chat": {
        warnings: ["grammar_dropped@tools[0]"],
        tools: [["apply_patch", CUSTOM]],
        check: (out) => expectWrappedCustomTool(out, "Apply a patch"),
      },
    },
  },
  {
    name: "custom-tool-forced",
    input: "custom-tool",
    with: { tool_choice: { type: "custom", custom: { name: "apply_patch" } } },
    to: {
      "openai-responses": [],
      anthropic: { warnings: ["grammar_dropped@tools[0]"], tools: [["apply_patch", CUSTOM]] },
      "openai-chat": { warnings: [], check: keeps("tool_choice") },
    },
  },

  // 18. response_format; json_object is emulated on Anthropic with a system instruction (§9.14)
  {
    name: "json-schema",
    input: "response-format",
    to: { "openai-chat": { warnings: [], same: true }, "openai-responses": [], anthropic: [] },
  },
  {
    name: "json-object",
    input: "response-format",
    with: { response_format: { type: "json_object" } },
    to: {
      "openai-responses": [],
      anthropic: { warnings: ["json_object_emulated@response_format"], check: jsonInSystem() },
    },
  },
  {
    name: "json-object-system",
    input: "json-object-system",
    to: { anthropic: { warnings: ["json_object_emulated@response_format"], check: jsonInSystem(/You are terse\./) } },
  },

  // 19. Sampling: stop and seed do not exist in Responses (§2.1, §6.21); Anthropic's ranges and models (§3.2, §6.19)
  {
    name: "sampling",
    input: "sampling",
    to: {
      "openai-chat": { warnings: [], same: true },
      "openai-responses": ["dropped_field@stop", "dropped_field@seed"],
      anthropic: ["dropped_field@seed"],
    },
  },
  {
    name: "sampling-opus",
    input: "sampling",
    with: { model: OPUS47 },
    to: { anthropic: ["temperature_dropped@temperature", "top_p_clamped@top_p", "dropped_field@seed"] },
  },
  {
    name: "sampling-thinking",
    input: "sampling",
    with: { reasoning_effort: "low" },
    to: { anthropic: ["temperature_dropped@temperature", "top_p_clamped@top_p", "dropped_field@seed"] },
  },
  {
    name: "temperature-1.5",
    input: "sampling",
    with: { temperature: 1.5 },
    to: { anthropic: ["temperature_clamped@temperature", "dropped_field@seed"] },
  },
];

requestTable("from-chat-params", "openai-chat", cases);

describe("chat client: one-offs", () => {
  it("→ anthropic claude-sonnet-4-5: the thinking budget grows with the effort", () => {
    const budget = (effort: string) =>
      obj(
        translate("openai-chat", "anthropic", { ...fixture("openai-chat", "prove-it"), reasoning_effort: effort }).body
          .thinking,
      ).budget_tokens as number;
    const b = ["minimal", "low", "medium", "high", "xhigh"].map(budget);
    expect(b[0]).toBe(1024);
    for (let i = 1; i < b.length; i++) expect(b[i]!).toBeGreaterThan(b[i - 1]!);
  });
});
