/**
 * Anthropic Messages client (Claude Code, OpenCode's @ai-sdk/anthropic) → every upstream, as a fixture table
 * (see table.ts): client bodies in fixtures/from-anthropic/, upstream bodies in __snapshots__/from-anthropic/.
 * The expected bodies were first written by hand from /work/shared/reference/wire-protocols.md (§3.2–3.5 for
 * the client side, §1.1–1.3 / §2.1–2.3 for the upstreams, §5 for the mappings and §6 for the pitfalls).
 */
import { describe, expect, it } from "vitest";
import { EFFORTS } from "../../src/ir/effort.js";
import { obj, translate } from "./helpers.js";
import { type Case, fixture, keeps, type Outcome, requestTable } from "./table.js";

const OPUS47 = "claude-opus-4-7";
const SCHEMA_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** What unmapped-fields.json carries that only Anthropic takes. */
const DROPPED = ["dropped_field@context_management", "dropped_field@cache_control", "dropped_field@container"];
const isEffort = (v: unknown) => expect(EFFORTS).toContain(v);
const noLeak =
  (secret: string): Outcome["check"] =>
  (out) =>
    expect(JSON.stringify(out.body)).not.toContain(secret);

const cases: Case[] = [
  // 1. Plain text turn (string content is the equivalent text block)
  { name: "plain-text", input: "plain-text", to: { anthropic: [], "openai-chat": [], "openai-responses": [] } },
  // Chat upstreams get stream_options.include_usage with stream:true
  {
    name: "plain-text-stream",
    input: "plain-text",
    with: { stream: true },
    to: { anthropic: [], "openai-chat": [], "openai-responses": [] },
  },

  // 2 + 3. system string / Claude Code's cached system blocks and a mid-conversation system message (§3.2)
  { name: "system-string", input: "system-string", to: { anthropic: [], "openai-chat": [], "openai-responses": [] } },
  {
    name: "claude-code",
    input: "claude-code",
    to: {
      anthropic: { warnings: [], check: keeps("system", "messages.0") },
      "openai-chat": [],
      "openai-responses": [],
    },
  },

  // 4. Tools, single call + result; server tools have no equivalent elsewhere
  {
    name: "tool-single",
    input: "tool-single",
    to: {
      anthropic: { warnings: [], check: keeps("tools", "messages.1", "messages.2") },
      "openai-chat": [],
      "openai-responses": [],
    },
  },
  {
    name: "server-tool",
    input: "server-tool",
    to: {
      anthropic: { warnings: [], check: keeps("tools") },
      "openai-chat": ["tool_dropped@tools[1]"],
      "openai-responses": ["tool_dropped@tools[1]"],
    },
  },

  // 5. Parallel tool_use; results followed by text (§5.1)
  { name: "parallel-tools", input: "parallel-tools", to: { anthropic: [], "openai-chat": [], "openai-responses": [] } },

  // 6. tool_result with is_error and with an image (§5.1, §2.2, §1.2 ordering rule)
  {
    name: "tool-result-error",
    input: "tool-result-error",
    to: {
      anthropic: { warnings: [], check: keeps("messages.2") },
      "openai-chat": ["is_error_lossy@messages[2]"],
      "openai-responses": ["is_error_lossy@messages[2]"],
    },
  },
  {
    name: "tool-result-image",
    input: "tool-result-image",
    to: {
      anthropic: { warnings: [], check: keeps("messages.2") },
      "openai-chat": ["tool_result_media_moved@messages[2]"],
      "openai-responses": [],
    },
  },
  {
    name: "tool-result-image-error",
    input: "tool-result-image-error",
    to: { "openai-responses": ["is_error_lossy@messages[2]"] },
  },
  {
    name: "parallel-results-image",
    input: "parallel-results-image",
    to: { "openai-chat": ["tool_result_media_moved@messages[2]"] },
  },
  { name: "tool-result-empty", input: "tool-result-empty", to: { "openai-chat": [], "openai-responses": [] } },

  // 7. User images and documents
  {
    name: "user-media",
    input: "user-media",
    to: { anthropic: { warnings: [], check: keeps("messages") }, "openai-chat": [], "openai-responses": [] },
  },

  // 8. Thinking history: signatures are not OpenAI encrypted_content (§5.4); an open tool loop without thinking (§3.5)
  {
    name: "thinking-history",
    input: "thinking-history",
    to: {
      anthropic: { warnings: [], check: keeps("messages.1", "thinking") },
      "openai-chat": { warnings: ["reasoning_dropped"], check: noLeak("EqQBCkgIARABGAIiQL") },
      "openai-responses": {
        warnings: ["reasoning_dropped"],
        check: noLeak("EqQBCkgIARABGAIiQL"),
      },
    },
  },
  {
    name: "thinking-history-reasoning-field",
    input: "thinking-history",
    opts: { reasoningField: "reasoning_content" },
    to: { "openai-chat": { warnings: ["reasoning_dropped"], check: noLeak("EqQBCkgIARABGAIiQL") } },
  },
  { name: "thinking-open-loop", input: "thinking-open-loop", to: { anthropic: ["thinking_disabled@thinking"] } },

  // 9 + 10. max_tokens and thinking → effort
  {
    name: "max-tokens-10",
    input: "prove-it",
    with: { max_tokens: 10 },
    to: { "openai-chat": [], "openai-responses": ["max_tokens_raised@max_output_tokens"] },
  },
  {
    name: "max-tokens-10-legacy-field",
    input: "prove-it",
    with: { max_tokens: 10 },
    opts: { maxTokensField: "max_tokens" },
    to: { "openai-chat": [] },
  },
  {
    name: "thinking-budget",
    input: "prove-it",
    with: { max_tokens: 64_000, thinking: { type: "enabled", budget_tokens: 16_000 } },
    to: { "openai-responses": { warnings: [], check: (out) => isEffort(obj(out.body.reasoning).effort) } },
  },
  {
    name: "adaptive-effort",
    input: "prove-it",
    with: { model: OPUS47, max_tokens: 64_000, thinking: { type: "adaptive" }, output_config: { effort: "high" } },
    to: {
      anthropic: { warnings: [], check: keeps("thinking", "output_config") },
      "openai-chat": [],
      "openai-responses": [],
    },
  },
  {
    name: "adaptive-no-effort",
    input: "prove-it",
    with: { max_tokens: 64_000, thinking: { type: "adaptive" } },
    to: { "openai-chat": ["reasoning_default@thinking"] },
  },
  // opus-4-7 rejects enabled thinking: adaptive + effort instead (§3.5)
  {
    name: "enabled-on-opus",
    input: "prove-it",
    with: { model: OPUS47, max_tokens: 64_000, thinking: { type: "enabled", budget_tokens: 16_000 } },
    to: {
      anthropic: { warnings: ["thinking_form@thinking"], check: (out) => isEffort(obj(out.body.output_config).effort) },
    },
  },
  // sonnet-4-5 does not accept adaptive: enabled with a budget instead (§3.5)
  {
    name: "adaptive-on-sonnet",
    input: "prove-it",
    with: { max_tokens: 64_000, thinking: { type: "adaptive" }, output_config: { effort: "medium" } },
    to: {
      anthropic: {
        warnings: ["thinking_form@thinking"],
        check: (out) => {
          expect(obj(out.body.thinking).budget_tokens).toBeGreaterThanOrEqual(1024);
          expect(obj(out.body.thinking).budget_tokens).toBeLessThan(64_000);
        },
      },
    },
  },

  // 13. Empty text; prefill is rejected by opus-4-7 and incompatible with thinking (§3.3)
  { name: "empty-text", input: "empty-text", to: { anthropic: [] } },
  { name: "prefill-opus", input: "prefill-opus", to: { anthropic: ["prefill_dropped@messages[1]"] } },
  { name: "prefill-thinking", input: "prefill-thinking", to: { anthropic: ["prefill_dropped@messages[1]"] } },

  // 14. tool_choice; a forced choice with thinking becomes auto (§3.4)
  {
    name: "tool-choice-any-serial",
    input: "tool-choice",
    with: { tool_choice: { type: "any", disable_parallel_tool_use: true } },
    to: { anthropic: { warnings: [], check: keeps("tool_choice") }, "openai-chat": [], "openai-responses": [] },
  },
  {
    name: "tool-choice-tool",
    input: "tool-choice",
    with: { tool_choice: { type: "tool", name: "Read" } },
    to: { anthropic: { warnings: [], check: keeps("tool_choice") }, "openai-chat": [], "openai-responses": [] },
  },
  {
    name: "tool-choice-none",
    input: "tool-choice",
    with: { tool_choice: { type: "none" } },
    to: { "openai-chat": [], "openai-responses": [] },
  },
  {
    name: "tool-choice-auto-serial",
    input: "tool-choice",
    with: { tool_choice: { type: "auto", disable_parallel_tool_use: true } },
    to: { "openai-chat": [] },
  },
  {
    name: "tool-choice-any-thinking",
    input: "tool-choice",
    with: { max_tokens: 8192, thinking: { type: "enabled", budget_tokens: 2048 }, tool_choice: { type: "any" } },
    to: { anthropic: ["tool_choice_relaxed@tool_choice"] },
  },

  // 15. Fields with no IR mapping: carried to Anthropic, reported elsewhere
  {
    name: "unmapped-fields",
    input: "unmapped-fields",
    to: {
      anthropic: { warnings: [], same: true },
      "openai-chat": DROPPED,
      "openai-responses": DROPPED,
    },
  },
  {
    name: "output-config-extra",
    input: "output-config-extra",
    to: {
      anthropic: { warnings: [], check: keeps("output_config") },
      "openai-chat": ["dropped_field@output_config.task_budget"],
    },
  },
  {
    name: "metadata-user",
    input: "unmapped-fields",
    with: { metadata: { user_id: "device-1" } },
    to: { anthropic: { warnings: [], check: keeps("metadata") }, "openai-chat": DROPPED, "openai-responses": DROPPED },
  },

  // 18. output_config.format: the OpenAI side requires a schema name
  {
    name: "output-format",
    input: "output-format",
    to: {
      anthropic: { warnings: [], check: keeps("output_config") },
      "openai-chat": {
        warnings: [],
        check: (o) => expect(obj(obj(o.body.response_format).json_schema).name).toMatch(SCHEMA_NAME),
      },
      "openai-responses": {
        warnings: [],
        check: (o) => expect(obj(obj(o.body.text).format).name).toMatch(SCHEMA_NAME),
      },
    },
  },

  // 19. Sampling: top_k only where the upstream accepts it; thinking constrains sampling (§3.2, §6.19)
  {
    name: "sampling",
    input: "sampling",
    to: {
      anthropic: [],
      "openai-chat": ["dropped_field@top_k"],
      "openai-responses": ["dropped_field@stop", "dropped_field@top_k"],
    },
  },
  { name: "sampling-top-k", input: "sampling", opts: { topK: true }, to: { "openai-chat": [] } },
  {
    name: "sampling-thinking",
    input: "sampling",
    with: { max_tokens: 8192, top_p: 0.5, thinking: { type: "enabled", budget_tokens: 2048 } },
    to: { anthropic: ["temperature_dropped@temperature", "top_p_clamped@top_p", "top_k_dropped@top_k"] },
  },
  // Chat accepts 1–4 stop sequences (§1.1)
  {
    name: "stop-5",
    input: "sampling",
    with: { stop_sequences: ["a", "b", "c", "d", "e"] },
    to: {
      "openai-chat": {
        warnings: ["dropped_field@top_k", "dropped_field@stop"],
        check: (out) => expect((out.body.stop as string[]).length).toBeLessThanOrEqual(4),
      },
    },
  },
];

requestTable("from-anthropic", "anthropic", cases);

describe("anthropic client: one-offs", () => {
  it("enabled + budget_tokens → an effort that grows with the budget", () => {
    const effortFor = (budget: number) =>
      translate("anthropic", "openai-chat", {
        ...fixture("anthropic", "prove-it"),
        max_tokens: 64_000,
        thinking: { type: "enabled", budget_tokens: budget },
      }).body.reasoning_effort as string;
    const efforts = [1024, 4096, 16_000, 32_000].map(effortFor);
    for (const e of efforts) expect(EFFORTS).toContain(e);
    for (let i = 1; i < efforts.length; i++)
      expect(EFFORTS.indexOf(efforts[i] as never)).toBeGreaterThanOrEqual(EFFORTS.indexOf(efforts[i - 1] as never));
    expect(EFFORTS.indexOf(efforts[3] as never)).toBeGreaterThan(EFFORTS.indexOf(efforts[0] as never));
    expect(efforts[0]).not.toBe("none");
  });
});
