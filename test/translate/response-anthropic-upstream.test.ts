/**
 * Non-streaming responses from an Anthropic upstream, served to each client dialect.
 * Expected bodies are written from the reference: §3.7 (A response), §1.4 (CC response), §2.4 (R response),
 * §5.4 (reasoning), §5.5 (stop reasons), §5.6 (usage).
 */
import { describe, expect, it } from "vitest";
import type { ToolMapping } from "../../src/dialects/types.js";
import type { JsonObject } from "../../src/ir/types.js";
import { dig, envelope, jsonText, recordingWrapper, translate } from "./helpers.js";

const SIGNATURE =
  "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds2wYzF/Ei6YwZg2DkNcKfB3XzW2vL0UQ1x9sbX0hDmNLp9yMq6xv1oUg2rYk";

/** Thinking + text + tool_use, with cache reads/writes and thinking tokens (§3.7 shape). */
const THINKING_TOOL_USE: JsonObject = {
  id: "msg_01Aq9w938a90dw8q6NeVPoEm",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-5-20250929",
  content: [
    {
      type: "thinking",
      thinking: "The user wants the current weather in Paris. I should call get_weather with the city.",
      signature: SIGNATURE,
    },
    { type: "text", text: "Let me check the weather in Paris for you.", citations: null },
    {
      type: "tool_use",
      id: "toolu_01A09q90qw90lq917835lq9",
      name: "get_weather",
      input: { city: "Paris", unit: "celsius" },
      caller: { type: "direct" },
    },
  ],
  stop_reason: "tool_use",
  stop_sequence: null,
  stop_details: null,
  container: null,
  usage: {
    input_tokens: 42,
    cache_creation_input_tokens: 1500,
    cache_read_input_tokens: 20000,
    cache_creation: { ephemeral_5m_input_tokens: 1500, ephemeral_1h_input_tokens: 0 },
    output_tokens: 180,
    output_tokens_details: { thinking_tokens: 95 },
    server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
    service_tier: "standard",
  },
};

const TEXT_ONLY: JsonObject = {
  id: "msg_01XFDUDYJgAACzvnptvVoYEL",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-5-20250929",
  content: [{ type: "text", text: "The capital of France is Paris.", citations: null }],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: { input_tokens: 21, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 9 },
};

const MAX_TOKENS: JsonObject = {
  id: "msg_01HCDu5LRGeP2o7s2xGmxyx8",
  type: "message",
  role: "assistant",
  model: "claude-opus-4-6",
  content: [{ type: "text", text: "Here is the first part of the essay. The history of the Roman Empire" }],
  stop_reason: "max_tokens",
  stop_sequence: null,
  usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 16 },
};

const REFUSAL: JsonObject = {
  id: "msg_01P9nHq8gE6bJxzkqLKxY1Zr",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-5-20250929",
  content: [{ type: "text", text: "I can explain general laboratory safety, but" }],
  stop_reason: "refusal",
  stop_sequence: null,
  stop_details: { type: "refusal", category: "bio", explanation: "The request touches on restricted content." },
  usage: { input_tokens: 30, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 11 },
};

const REDACTED: JsonObject = {
  id: "msg_01Fz1QYxUj3rTwY1ki3f6Awj",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-5-20250929",
  content: [
    { type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP" },
    { type: "text", text: "I noticed part of my reasoning was flagged; here is the answer anyway: 42." },
  ],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: { input_tokens: 92, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 88 },
};

const CUSTOM_PATCH = "*** Begin Patch\n*** Update File: src/a.ts\n@@\n-const a = 1;\n+const a = 2;\n*** End Patch\n";

/** Codex's custom apply_patch tool, emulated upstream as {input: string} (§5.2 freeform tool row). */
const WRAPPED_CUSTOM: JsonObject = {
  id: "msg_01JbTqvG5ytFDhW2eXoFc8Xz",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-5-20250929",
  content: [
    { type: "text", text: "Applying the patch." },
    { type: "tool_use", id: "toolu_01UQz4AzVffWoq2wJ5Ws1sbN", name: "apply_patch", input: { input: CUSTOM_PATCH } },
  ],
  stop_reason: "tool_use",
  stop_sequence: null,
  usage: { input_tokens: 300, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 70 },
};
const CUSTOM_TOOLS: ToolMapping = new Map([["apply_patch", { name: "apply_patch", kind: "custom", wrapped: true }]]);

describe("Anthropic upstream → Chat Completions client", () => {
  it("thinking + text + tool_use: reasoning_content, tool_calls with the tool_use id, cache-inclusive usage", () => {
    const { value } = translate("anthropic", "openai-chat", THINKING_TOOL_USE, { encode: { model: "claude-sonnet" } });
    expect(value).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      object: "chat.completion",
      created: expect.any(Number),
      model: "claude-sonnet",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "Let me check the weather in Paris for you.",
            refusal: null,
            reasoning_content: "The user wants the current weather in Paris. I should call get_weather with the city.",
            tool_calls: [
              {
                id: "toolu_01A09q90qw90lq917835lq9",
                type: "function",
                function: { name: "get_weather", arguments: jsonText({ city: "Paris", unit: "celsius" }) },
              },
            ],
          },
          logprobs: null,
          finish_reason: "tool_calls",
        },
      ],
      usage: {
        // §5.6 A → CC: prompt = input + cache_creation + cache_read; cached = cache_read.
        prompt_tokens: 42 + 1500 + 20000,
        completion_tokens: 180,
        total_tokens: 42 + 1500 + 20000 + 180,
        prompt_tokens_details: { cached_tokens: 20000, cache_write_tokens: 1500 },
        completion_tokens_details: { reasoning_tokens: 95 },
      },
    });
    expect(dig(value, "created")).toBeGreaterThan(1_700_000_000);
  });

  it("plain text, end_turn → stop; no cache means prompt_tokens = input_tokens", () => {
    const { value } = translate("anthropic", "openai-chat", TEXT_ONLY);
    expect(value).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      object: "chat.completion",
      created: expect.any(Number),
      model: "claude-sonnet-4-5-20250929",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "The capital of France is Paris.", refusal: null },
          logprobs: null,
          finish_reason: "stop",
        },
      ],
      usage: {
        prompt_tokens: 21,
        completion_tokens: 9,
        total_tokens: 30,
        prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
  });

  it("max_tokens → finish_reason length, truncated text kept", () => {
    const { value } = translate("anthropic", "openai-chat", MAX_TOKENS);
    expect(dig(value, "choices", 0)).toEqual({
      index: 0,
      message: {
        role: "assistant",
        content: "Here is the first part of the essay. The history of the Roman Empire",
        refusal: null,
      },
      logprobs: null,
      finish_reason: "length",
    });
  });

  it("refusal → finish_reason content_filter", () => {
    const { value } = translate("anthropic", "openai-chat", REFUSAL);
    expect(dig(value, "choices", 0, "finish_reason")).toBe("content_filter");
    expect(dig(value, "choices", 0, "message", "content")).toBe("I can explain general laboratory safety, but");
    // stop_details is Anthropic-only.
    expect(value).not.toHaveProperty("stop_details");
  });

  it("redacted_thinking has no visible text: no reasoning_content", () => {
    const { value } = translate("anthropic", "openai-chat", REDACTED);
    expect(dig(value, "choices", 0, "message")).toEqual({
      role: "assistant",
      content: "I noticed part of my reasoning was flagged; here is the answer anyway: 42.",
      refusal: null,
    });
  });

  describe("reasoning modes (§7: reasoning_content, <think> only when configured, or dropped)", () => {
    const thinking = "The user wants the current weather in Paris. I should call get_weather with the city.";
    const text = "Let me check the weather in Paris for you.";

    it("reasoning_content (default)", () => {
      const { value } = translate("anthropic", "openai-chat", THINKING_TOOL_USE, {
        encode: { reasoningMode: "reasoning_content" },
      });
      expect(dig(value, "choices", 0, "message", "reasoning_content")).toBe(thinking);
      expect(dig(value, "choices", 0, "message", "content")).toBe(text);
    });

    it("think-tags: <think>…</think> before the answer, inside content", () => {
      const { value } = translate("anthropic", "openai-chat", THINKING_TOOL_USE, {
        encode: { reasoningMode: "think-tags" },
      });
      const message = dig(value, "choices", 0, "message");
      expect(message).not.toHaveProperty("reasoning_content");
      const content = dig(message, "content");
      expect(typeof content).toBe("string");
      const m = /^<think>\s*([\s\S]*?)\s*<\/think>\s*([\s\S]*)$/.exec(content as string);
      expect(m).not.toBeNull();
      expect(m?.[1]).toBe(thinking);
      expect(m?.[2]).toBe(text);
      expect(dig(message, "tool_calls", 0, "id")).toBe("toolu_01A09q90qw90lq917835lq9");
    });

    it("none: reasoning is dropped", () => {
      const { value } = translate("anthropic", "openai-chat", THINKING_TOOL_USE, { encode: { reasoningMode: "none" } });
      const message = dig(value, "choices", 0, "message");
      expect(message).not.toHaveProperty("reasoning_content");
      expect(dig(message, "content")).toBe(text);
    });
  });

  it("wrapped custom tool: tool_use {input} becomes a Chat custom tool call with the raw text (§1.2, §5.2)", () => {
    const { value } = translate("anthropic", "openai-chat", WRAPPED_CUSTOM, { decode: { tools: CUSTOM_TOOLS } });
    expect(dig(value, "choices", 0, "message", "tool_calls")).toEqual([
      { id: "toolu_01UQz4AzVffWoq2wJ5Ws1sbN", type: "custom", custom: { name: "apply_patch", input: CUSTOM_PATCH } },
    ]);
    expect(dig(value, "choices", 0, "finish_reason")).toBe("tool_calls");
  });
});

describe("Anthropic upstream → Responses client", () => {
  it("thinking + text + tool_use: reasoning/message/function_call items, envelope, call_id = tool_use id", () => {
    const { wrap, calls } = recordingWrapper();
    const { value } = translate("anthropic", "openai-responses", THINKING_TOOL_USE, {
      encode: { model: "claude-sonnet", wrapReasoning: wrap },
    });
    const thinking = "The user wants the current weather in Paris. I should call get_weather with the city.";
    expect(value).toMatchObject({
      id: expect.stringMatching(/^resp_/),
      object: "response",
      created_at: expect.any(Number),
      status: "completed",
      error: null,
      incomplete_details: null,
      instructions: null,
      model: "claude-sonnet",
      parallel_tool_calls: true,
      tool_choice: "auto",
      tools: [],
      temperature: expect.any(Number),
      top_p: expect.any(Number),
      metadata: {},
    });
    expect(dig(value, "output")).toEqual([
      {
        type: "reasoning",
        id: expect.stringMatching(/^rs_/),
        summary: [{ type: "summary_text", text: thinking }],
        encrypted_content: envelope({ type: "reasoning", text: thinking, signature: SIGNATURE }, "openai-responses"),
      },
      {
        type: "message",
        id: expect.stringMatching(/^msg_/),
        status: "completed",
        role: "assistant",
        content: [
          { type: "output_text", text: "Let me check the weather in Paris for you.", annotations: [], logprobs: [] },
        ],
      },
      {
        type: "function_call",
        id: expect.stringMatching(/^fc_/),
        call_id: "toolu_01A09q90qw90lq917835lq9",
        name: "get_weather",
        arguments: jsonText({ city: "Paris", unit: "celsius" }),
        status: "completed",
      },
    ]);
    // Output item ids are unique (§2.6 invariants).
    const ids = (dig(value, "output") as JsonObject[]).map((i) => i.id);
    expect(new Set(ids).size).toBe(3);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.target).toBe("openai-responses");
    expect(calls[0]?.part.signature).toBe(SIGNATURE);
    // §5.6 A → R: input_tokens includes both cache counters; output includes thinking.
    expect(dig(value, "usage")).toEqual({
      input_tokens: 21542,
      input_tokens_details: { cached_tokens: 20000, cache_write_tokens: 1500 },
      output_tokens: 180,
      output_tokens_details: { reasoning_tokens: 95 },
      total_tokens: 21722,
    });
  });

  it("required Response fields are all present (§2.4)", () => {
    const { value } = translate("anthropic", "openai-responses", TEXT_ONLY);
    for (const key of [
      "id",
      "object",
      "created_at",
      "error",
      "incomplete_details",
      "instructions",
      "model",
      "tools",
      "output",
      "parallel_tool_calls",
      "metadata",
      "tool_choice",
      "temperature",
      "top_p",
    ]) {
      expect(value, key).toHaveProperty(key);
    }
    expect(dig(value, "status")).toBe("completed");
    expect(dig(value, "usage")).toEqual({
      input_tokens: 21,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: 9,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 30,
    });
  });

  it("max_tokens → status incomplete, incomplete_details.reason max_output_tokens", () => {
    const { value } = translate("anthropic", "openai-responses", MAX_TOKENS);
    expect(dig(value, "status")).toBe("incomplete");
    expect(dig(value, "incomplete_details")).toEqual({ reason: "max_output_tokens" });
    expect(dig(value, "output", 0, "content", 0, "text")).toBe(
      "Here is the first part of the essay. The history of the Roman Empire",
    );
  });

  it("refusal → incomplete + content_filter", () => {
    const { value } = translate("anthropic", "openai-responses", REFUSAL);
    expect(dig(value, "status")).toBe("incomplete");
    expect(dig(value, "incomplete_details")).toEqual({ reason: "content_filter" });
  });

  it("redacted_thinking → reasoning item with empty summary and the envelope", () => {
    const { wrap } = recordingWrapper();
    const { value } = translate("anthropic", "openai-responses", REDACTED, { encode: { wrapReasoning: wrap } });
    expect(dig(value, "output", 0)).toEqual({
      type: "reasoning",
      id: expect.stringMatching(/^rs_/),
      summary: [],
      encrypted_content: envelope(
        { type: "reasoning", text: "", redacted: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP" },
        "openai-responses",
      ),
    });
    expect(dig(value, "output", 1, "type")).toBe("message");
  });

  it("wrapped custom tool: tool_use {input} becomes custom_tool_call with the raw input", () => {
    const { value } = translate("anthropic", "openai-responses", WRAPPED_CUSTOM, { decode: { tools: CUSTOM_TOOLS } });
    expect(dig(value, "output", 1)).toEqual({
      type: "custom_tool_call",
      id: expect.stringMatching(/^ctc_/),
      call_id: "toolu_01UQz4AzVffWoq2wJ5Ws1sbN",
      name: "apply_patch",
      input: CUSTOM_PATCH,
      status: "completed",
    });
  });
});

describe("Anthropic upstream → Anthropic client", () => {
  it("thinking + text + tool_use passes through, signature and usage counters unchanged", () => {
    const { value } = translate("anthropic", "anthropic", THINKING_TOOL_USE, { encode: { model: "claude-sonnet" } });
    expect(value).toEqual({
      id: "msg_01Aq9w938a90dw8q6NeVPoEm",
      type: "message",
      role: "assistant",
      model: "claude-sonnet",
      content: [
        {
          type: "thinking",
          thinking: "The user wants the current weather in Paris. I should call get_weather with the city.",
          signature: SIGNATURE,
        },
        { type: "text", text: "Let me check the weather in Paris for you." },
        {
          type: "tool_use",
          id: "toolu_01A09q90qw90lq917835lq9",
          name: "get_weather",
          input: { city: "Paris", unit: "celsius" },
          caller: { type: "direct" },
        },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      stop_details: null,
      container: null,
      usage: {
        input_tokens: 42,
        cache_creation_input_tokens: 1500,
        cache_read_input_tokens: 20000,
        cache_creation: { ephemeral_5m_input_tokens: 1500, ephemeral_1h_input_tokens: 0 },
        output_tokens: 180,
        output_tokens_details: { thinking_tokens: 95 },
        server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
        service_tier: "standard",
      },
    });
  });

  it("refusal keeps stop_reason and stop_details", () => {
    const { value } = translate("anthropic", "anthropic", REFUSAL);
    expect(dig(value, "stop_reason")).toBe("refusal");
    expect(dig(value, "stop_details")).toEqual({
      type: "refusal",
      category: "bio",
      explanation: "The request touches on restricted content.",
    });
  });

  it("redacted_thinking data passes through unchanged", () => {
    const { value } = translate("anthropic", "anthropic", REDACTED);
    expect(dig(value, "content")).toEqual([
      { type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP" },
      { type: "text", text: "I noticed part of my reasoning was flagged; here is the answer anyway: 42." },
    ]);
  });
});
