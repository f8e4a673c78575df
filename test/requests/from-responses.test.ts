/**
 * Responses client (Codex CLI, OpenCode's @ai-sdk/openai) → every upstream, as a fixture table (see table.ts):
 * client bodies in fixtures/from-responses/, upstream bodies in __snapshots__/from-responses/. The expected
 * bodies were first written by hand from /work/shared/reference/wire-protocols.md (§2.1–2.3 for the client
 * side, §1.1–1.3 / §3.2–3.5 for the upstreams, §5 for the mappings and §6 for the pitfalls).
 */
import { expect } from "vitest";
import { ANTHROPIC_TOOL_ID, expectBudgetBelowMax, expectWrappedCustomTool, objs } from "./helpers.js";
import { type Case, fixture, keeps, type Outcome, requestTable } from "./table.js";

const OPUS47 = "claude-opus-4-7";
const PATCH_TOOL = "Use the apply_patch tool to edit files.";
const CUSTOM = { name: "apply_patch", kind: "custom", wrapped: true } as const;
const SPAWN = { name: "spawn_agent", kind: "function", namespace: "multi_agent_v1" } as const;

const noLeak =
  (secret: string, field = "body"): Outcome["check"] =>
  (out) =>
    expect(JSON.stringify(field === "body" ? out.body : out.body[field])).not.toContain(secret);

const UNMAPPED = ["client_metadata", "prompt_cache_retention", "max_tool_calls"].map((f) => `dropped_field@${f}`);

const cases: Case[] = [
  // 1. Plain text turn: the string shorthand and easy-input messages (no type) are the same request (§2.1)
  {
    name: "plain-text",
    input: "plain-text",
    to: { "openai-responses": { warnings: [], same: true }, "openai-chat": [] },
  },
  {
    name: "plain-text-shorthand",
    input: "plain-text-shorthand",
    to: {
      "openai-responses": {
        warnings: [],
        check: (out) => expect(out.body).toEqual(fixture("openai-responses", "plain-text")),
      },
    },
  },
  { name: "plain-text-opus", input: "plain-text", with: { model: OPUS47 }, to: { anthropic: [] } },
  { name: "easy-input", input: "easy-input", to: { anthropic: [] } },

  // 2 + 3. instructions and developer items: Chat keeps developer in place; Anthropic's system takes them all
  {
    name: "instructions-developer",
    input: "instructions-developer",
    to: {
      "openai-responses": { warnings: [], same: true },
      "openai-chat": [],
      anthropic: ["system_moved@messages[3]"],
    },
  },
  { name: "instructions-only", input: "instructions-only", to: { anthropic: [] } },

  // 4 + 12. Function tool, call + output: ids are the call_id, never the fc_ item id (§6.6)
  {
    name: "tool-single",
    input: "tool-single",
    to: {
      "openai-responses": [],
      "openai-chat": { warnings: [], check: noLeak("fc_68a1") },
      anthropic: { warnings: [], check: noLeak("fc_68a1") },
    },
  },
  // a call_id with characters Anthropic rejects is sanitised identically on both sides
  {
    name: "call-id-illegal",
    input: "call-id-illegal",
    to: {
      anthropic: {
        warnings: [],
        check: (out) => {
          const msgs = objs(out.body.messages);
          const id = objs(msgs[1]!.content)[0]!.id as string;
          expect(id).toMatch(ANTHROPIC_TOOL_ID);
          expect(objs(msgs[2]!.content)[0]!.tool_use_id).toBe(id);
        },
      },
    },
  },
  // built-in tools have no equivalent elsewhere
  {
    name: "builtin-tool",
    input: "builtin-tool",
    to: {
      "openai-chat": ["tool_dropped@tools[1]"],
      anthropic: ["tool_dropped@tools[1]"],
      "openai-responses": { warnings: [], check: keeps("tools") },
    },
  },

  // 5. Parallel calls
  {
    name: "parallel-tools",
    input: "parallel-tools",
    to: { "openai-chat": [], anthropic: [], "openai-responses": { warnings: [], check: keeps("input") } },
  },

  // 6. function_call_output with an image: Chat moves the image to a user message (§5.1, LOSSY)
  {
    name: "tool-output-image",
    input: "tool-output-image",
    to: { anthropic: [], "openai-chat": ["tool_result_media_moved@messages[2]"], "openai-responses": [] },
  },

  // 7. User images; an OpenAI file_id cannot cross providers (§5.3)
  { name: "user-images", input: "user-images", to: { anthropic: [], "openai-chat": [] } },
  {
    name: "file-id",
    input: "file-id",
    to: {
      anthropic: { warnings: ["unsupported_content@messages[0].content[1]"], check: noLeak("file-abc123", "messages") },
    },
  },

  // 8. Reasoning items: replayed to Responses; OpenAI reasoning cannot become an Anthropic signature (§5.4)
  {
    name: "reasoning-items",
    input: "reasoning-items",
    to: {
      "openai-responses": { warnings: [], check: keeps("input.1", "store", "include") },
      anthropic: { warnings: ["reasoning_dropped"], check: noLeak("gAAAAB-encrypted") },
      "openai-chat": ["reasoning_dropped"],
    },
  },
  {
    name: "reasoning-items-reasoning-field",
    input: "reasoning-items",
    opts: { reasoningField: "reasoning_content" },
    to: { "openai-chat": ["reasoning_dropped"] },
  },
  // a stored reasoning reference (id only, store:true) is kept for the same provider
  {
    name: "reasoning-reference",
    input: "reasoning-reference",
    to: { "openai-responses": { warnings: [], check: keeps("input.1") } },
  },

  // 9 + 10. max_output_tokens and reasoning effort
  {
    name: "max-output-tokens",
    input: "prove-it",
    with: { max_output_tokens: 2048 },
    to: { anthropic: [], "openai-chat": [], "openai-responses": [] },
  },
  {
    name: "max-output-tokens-legacy-field",
    input: "prove-it",
    with: { max_output_tokens: 2048 },
    opts: { maxTokensField: "max_tokens" },
    to: { "openai-chat": [] },
  },
  {
    name: "effort-medium",
    input: "prove-it",
    with: { reasoning: { effort: "medium", summary: "auto" } },
    to: { anthropic: { warnings: [], check: expectBudgetBelowMax } },
  },
  {
    name: "effort-medium-opus",
    input: "prove-it",
    with: { model: OPUS47, reasoning: { effort: "medium", summary: "auto" } },
    to: { anthropic: [] },
  },
  {
    name: "effort-low",
    input: "prove-it",
    with: { reasoning: { effort: "low", summary: "auto" } },
    to: { "openai-chat": [] },
  },
  // a non-default summary has no equivalent in Chat or Anthropic
  {
    name: "summary-detailed",
    input: "prove-it",
    with: { reasoning: { effort: "high", summary: "detailed" } },
    to: {
      anthropic: ["dropped_field@reasoning.summary"],
      "openai-chat": ["dropped_field@reasoning.summary"],
      "openai-responses": { warnings: [], check: keeps("reasoning") },
    },
  },

  // 13. Empty text for Anthropic
  { name: "empty-text", input: "empty-text", to: { anthropic: [] } },

  // 14. tool_choice and parallel_tool_calls
  {
    name: "tool-choice-function",
    input: "tool-choice",
    with: { tool_choice: { type: "function", name: "shell" } },
    to: { "openai-chat": [], anthropic: [], "openai-responses": { warnings: [], check: keeps("tool_choice") } },
  },
  {
    name: "tool-choice-required",
    input: "tool-choice",
    with: { tool_choice: "required" },
    to: { anthropic: [], "openai-chat": [] },
  },
  {
    name: "tool-choice-none",
    input: "tool-choice",
    with: { tool_choice: "none" },
    to: { anthropic: [], "openai-chat": [] },
  },
  {
    name: "tool-choice-auto-serial",
    input: "tool-choice",
    with: { tool_choice: "auto", parallel_tool_calls: false },
    to: { anthropic: [] },
  },
  { name: "serial", input: "tool-choice", with: { parallel_tool_calls: false }, to: { "openai-chat": [] } },
  {
    name: "allowed-tools",
    input: "tool-choice",
    with: { tool_choice: { type: "allowed_tools", mode: "auto", tools: [{ type: "function", name: "shell" }] } },
    to: { "openai-chat": [], anthropic: ["allowed_tools@tool_choice"] },
  },

  // 15. Fields with no IR mapping; state and context fields; item_reference (store:true replay by reference)
  {
    name: "unmapped-fields",
    input: "unmapped-fields",
    to: { "openai-responses": { warnings: [], same: true }, "openai-chat": UNMAPPED, anthropic: UNMAPPED },
  },
  {
    name: "state-fields",
    input: "state-fields",
    to: {
      anthropic: ["verbosity", "truncation", "previous_response_id", "prompt_cache_key", "include"].map(
        (f) => `dropped_field@${f}`,
      ),
      "openai-chat": ["previous_response_id", "truncation", "include"].map((f) => `dropped_field@${f}`),
    },
  },
  {
    name: "item-reference",
    input: "item-reference",
    to: {
      "openai-chat": ["unsupported_content@messages[1]"],
      anthropic: ["unsupported_content@messages[1].content[0]"],
      "openai-responses": { warnings: [], check: keeps("input.1") },
    },
  },

  // 16. Custom grammar tool (Codex apply_patch): emulated as {input: string} where there is no custom tool
  {
    name: "custom-tool",
    input: "custom-tool",
    to: {
      "openai-responses": { warnings: [], check: keeps("tools", "input") },
      anthropic: {
        warnings: ["grammar_dropped@tools[0]"],
        tools: [["apply_patch", CUSTOM]],
        check: (out) => expectWrappedCustomTool(out, PATCH_TOOL),
      },
      "openai-chat": [],
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
        check: (out) => expectWrappedCustomTool(out, PATCH_TOOL),
      },
    },
  },

  // 17. Namespace tools: flattened to ns__name elsewhere, with the mapping back
  {
    name: "namespace-tools",
    input: "namespace-tools",
    to: {
      "openai-responses": { warnings: [], check: keeps("tools", "input") },
      anthropic: { warnings: [], tools: [["multi_agent_v1__spawn_agent", SPAWN]] },
      "openai-chat": { warnings: [], tools: [["multi_agent_v1__spawn_agent", SPAWN]] },
    },
  },

  // 18. text.format (+ verbosity, which Anthropic does not have)
  {
    name: "text-format",
    input: "text-format",
    to: {
      "openai-chat": [],
      anthropic: ["dropped_field@verbosity"],
      "openai-responses": { warnings: [], check: keeps("text") },
    },
  },
  {
    name: "json-object",
    input: "text-format",
    with: { text: { format: { type: "json_object" } } },
    to: { "openai-chat": [] },
  },

  // 19. Sampling; reasoning constrains Anthropic's sampling; user and metadata
  { name: "sampling", input: "sampling", to: { "openai-chat": [], anthropic: [] } },
  {
    name: "sampling-reasoning",
    input: "sampling",
    with: { reasoning: { effort: "low" } },
    to: { anthropic: ["temperature_dropped@temperature", "top_p_clamped@top_p"] },
  },
  {
    name: "user-metadata",
    input: "sampling",
    with: { user: "u-1", metadata: { k: "v" } },
    to: { anthropic: ["dropped_field@metadata.k"], "openai-chat": [] },
  },
];

requestTable("from-responses", "openai-responses", cases);
