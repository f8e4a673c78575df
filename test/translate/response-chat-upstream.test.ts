/**
 * Non-streaming responses from a Chat Completions upstream (OpenAI, Azure, DeepSeek), served to each client
 * dialect. Expected bodies follow §1.4, §1.7, §2.4, §3.7, §4.2, §5.3–5.6 of the reference.
 */
import { describe, expect, it } from "vitest";
import type { ToolMapping } from "../../src/dialects/types.js";
import type { JsonObject } from "../../src/ir/types.js";
import { dig, jsonFixture, translate } from "./helpers.js";

/** o4-mini: two parallel tool calls, content null, cached prompt tokens and reasoning tokens. */
const PARALLEL_TOOLS: JsonObject = {
  id: "chatcmpl-BHm3kqLzR2vYQnE8xT4fGp1aWc9Ud",
  object: "chat.completion",
  created: 1743811200,
  model: "o4-mini-2025-04-16",
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        content: null,
        refusal: null,
        annotations: [],
        tool_calls: [
          {
            id: "call_A1b2C3d4E5f6G7h8I9j0K1l2",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"Paris"}' },
          },
          {
            id: "call_Z9y8X7w6V5u4T3s2R1q0P9o8",
            type: "function",
            function: { name: "get_time", arguments: '{"timezone":"Europe/Paris"}' },
          },
        ],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    },
  ],
  usage: {
    prompt_tokens: 2006,
    completion_tokens: 300,
    total_tokens: 2306,
    prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 256,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  },
  service_tier: "default",
  system_fingerprint: "fp_7a6f4c3b2e",
};

/** DeepSeek reasoner: reasoning_content then content (§1.7). */
const DEEPSEEK_REASONING: JsonObject = {
  id: "5e2f4c1a-9b8d-4e7f-a6c5-3d2b1a0f9e8d",
  object: "chat.completion",
  created: 1738000000,
  model: "deepseek-reasoner",
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        content: "9.11 is smaller than 9.8.",
        reasoning_content: "Compare 9.11 and 9.8. Write 9.8 as 9.80; 11 hundredths is less than 80 hundredths.",
      },
      logprobs: null,
      finish_reason: "stop",
    },
  ],
  usage: {
    prompt_tokens: 18,
    completion_tokens: 320,
    total_tokens: 338,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 300 },
    prompt_cache_hit_tokens: 0,
    prompt_cache_miss_tokens: 18,
  },
  system_fingerprint: "fp_3a5770e1b4_prod0225",
};

/** Structured-outputs refusal: content null, message.refusal set, finish_reason stop. */
const REFUSAL: JsonObject = {
  id: "chatcmpl-AZQ1rR7vG8mUeI8z2QyzN0dSd7sQt",
  object: "chat.completion",
  created: 1733000000,
  model: "gpt-4o-2024-08-06",
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        content: null,
        refusal: "I'm sorry, I can't assist with that request.",
        annotations: [],
      },
      logprobs: null,
      finish_reason: "stop",
    },
  ],
  usage: { prompt_tokens: 81, completion_tokens: 11, total_tokens: 92 },
};

const LENGTH: JsonObject = {
  id: "chatcmpl-BLen9x8Yw7Vu6Ts5Rq4Po3Nm2Lk1J",
  object: "chat.completion",
  created: 1744000000,
  model: "gpt-4.1-2025-04-14",
  choices: [
    {
      index: 0,
      message: { role: "assistant", content: "Once upon a time, in a land far", refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: "length",
    },
  ],
  usage: { prompt_tokens: 10, completion_tokens: 8, total_tokens: 18 },
};

/** Azure output filter (§4.2): finish_reason content_filter, choice content_filter_results. */
const AZURE_CONTENT_FILTER: JsonObject = {
  id: "chatcmpl-BCf1lT5v2Hq3Xn9Yc8Wd7Ve6Uf5Tg",
  object: "chat.completion",
  created: 1742000000,
  model: "gpt-4o-2024-11-20",
  prompt_filter_results: [
    {
      prompt_index: 0,
      content_filter_results: {
        hate: { filtered: false, severity: "safe" },
        self_harm: { filtered: false, severity: "safe" },
        sexual: { filtered: false, severity: "safe" },
        violence: { filtered: false, severity: "safe" },
      },
    },
  ],
  choices: [
    {
      index: 0,
      finish_reason: "content_filter",
      logprobs: null,
      message: { role: "assistant", content: null, refusal: null },
      content_filter_results: {
        hate: { filtered: false, severity: "safe" },
        self_harm: { filtered: false, severity: "safe" },
        sexual: { filtered: false, severity: "safe" },
        violence: { filtered: true, severity: "medium" },
      },
    },
  ],
  usage: { prompt_tokens: 25, completion_tokens: 40, total_tokens: 65 },
};

/** A prompt-cache write reported by a newer model (§5.6 cache write row, NEW). */
const CACHE_WRITE: JsonObject = {
  id: "chatcmpl-CWr1tE2s3T4u5V6w7X8y9Z0aB1c2D",
  object: "chat.completion",
  created: 1755000000,
  model: "gpt-5.6",
  choices: [
    {
      index: 0,
      message: { role: "assistant", content: "Done.", refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: "stop",
    },
  ],
  usage: {
    prompt_tokens: 12000,
    completion_tokens: 30,
    total_tokens: 12030,
    prompt_tokens_details: { cached_tokens: 8000, cache_write_tokens: 3500 },
    completion_tokens_details: { reasoning_tokens: 12 },
  },
};

const PATCH = "*** Begin Patch\n*** Add File: hello.txt\n+Hello\n*** End Patch\n";

/** Native Chat custom tool call (§1.2). */
const CUSTOM_CALL: JsonObject = {
  id: "chatcmpl-CcT1a2B3c4D5e6F7g8H9i0J1k2L",
  object: "chat.completion",
  created: 1756000000,
  model: "gpt-5-2025-08-07",
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        content: null,
        refusal: null,
        tool_calls: [
          { id: "call_cUsT0m1d2e3f4g5h6i7j8k9l", type: "custom", custom: { name: "apply_patch", input: PATCH } },
        ],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    },
  ],
  usage: { prompt_tokens: 500, completion_tokens: 40, total_tokens: 540 },
};

/** The same custom tool emulated as a function with {input} for an upstream without custom tools. */
const WRAPPED_CUSTOM: JsonObject = {
  id: "chatcmpl-DdW1r2A3p4P5e6D7c8U9s0T1o2M",
  object: "chat.completion",
  created: 1756000100,
  model: "qwen3-coder-plus",
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        content: "",
        tool_calls: [
          {
            id: "call_0f1e2d3c4b5a69788796a5b4",
            type: "function",
            function: { name: "apply_patch", arguments: JSON.stringify({ input: PATCH }) },
          },
        ],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    },
  ],
  usage: { prompt_tokens: 700, completion_tokens: 50, total_tokens: 750 },
};
const CUSTOM_TOOLS: ToolMapping = new Map([["apply_patch", { name: "apply_patch", kind: "custom", wrapped: true }]]);

describe("Chat Completions upstream → Anthropic client", () => {
  it("parallel tool calls: tool_use blocks with the call ids, input objects, cache-exclusive input_tokens", () => {
    const { value } = translate("openai-chat", "anthropic", PARALLEL_TOOLS, { encode: { model: "claude-via-o4" } });
    expect(value).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: "message",
      role: "assistant",
      model: "claude-via-o4",
      content: [
        { type: "tool_use", id: "call_A1b2C3d4E5f6G7h8I9j0K1l2", name: "get_weather", input: { city: "Paris" } },
        {
          type: "tool_use",
          id: "call_Z9y8X7w6V5u4T3s2R1q0P9o8",
          name: "get_time",
          input: { timezone: "Europe/Paris" },
        },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: {
        // §5.6 CC → A: input_tokens = prompt − cached − cache_write; cache_read = cached; cache_creation = 0.
        input_tokens: 2006 - 1920,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 1920,
        output_tokens: 300,
        output_tokens_details: { thinking_tokens: 256 },
      },
    });
  });

  it("cache_write_tokens → cache_creation_input_tokens and subtracted from input_tokens", () => {
    const { value } = translate("openai-chat", "anthropic", CACHE_WRITE);
    expect(dig(value, "usage")).toEqual({
      input_tokens: 12000 - 8000 - 3500,
      cache_creation_input_tokens: 3500,
      cache_read_input_tokens: 8000,
      output_tokens: 30,
      output_tokens_details: { thinking_tokens: 12 },
    });
  });

  it("reasoning_content → thinking block before the text (display only: no signature to replay, §7)", () => {
    const { value } = translate("openai-chat", "anthropic", DEEPSEEK_REASONING);
    const content = dig(value, "content") as JsonObject[];
    expect(content).toHaveLength(2);
    expect(content[0]).toMatchObject({
      type: "thinking",
      thinking: "Compare 9.11 and 9.8. Write 9.8 as 9.80; 11 hundredths is less than 80 hundredths.",
    });
    expect(typeof content[0]?.signature).toBe("string");
    expect(content[1]).toEqual({ type: "text", text: "9.11 is smaller than 9.8." });
    expect(dig(value, "stop_reason")).toBe("end_turn");
    expect(dig(value, "usage")).toEqual({
      input_tokens: 18,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: 320,
      output_tokens_details: { thinking_tokens: 300 },
    });
  });

  it("refusal → text block and stop_reason refusal (§5.3 refusal row)", () => {
    const { value } = translate("openai-chat", "anthropic", REFUSAL);
    expect(dig(value, "content")).toEqual([{ type: "text", text: "I'm sorry, I can't assist with that request." }]);
    expect(dig(value, "stop_reason")).toBe("refusal");
  });

  it("length → max_tokens", () => {
    const { value } = translate("openai-chat", "anthropic", LENGTH);
    expect(dig(value, "stop_reason")).toBe("max_tokens");
    expect(dig(value, "content")).toEqual([{ type: "text", text: "Once upon a time, in a land far" }]);
  });

  it("Azure content_filter → refusal; Azure filter annotations are not leaked", () => {
    const { value } = translate("openai-chat", "anthropic", AZURE_CONTENT_FILTER);
    expect(dig(value, "stop_reason")).toBe("refusal");
    expect(value).not.toHaveProperty("prompt_filter_results");
    expect(value).not.toHaveProperty("content_filter_results");
  });

  it("native custom tool call → tool_use with {input: raw} (§5.2 emulation)", () => {
    const { value } = translate("openai-chat", "anthropic", CUSTOM_CALL);
    expect(dig(value, "content")).toEqual([
      { type: "tool_use", id: "call_cUsT0m1d2e3f4g5h6i7j8k9l", name: "apply_patch", input: { input: PATCH } },
    ]);
  });
});

describe("Chat Completions upstream → Responses client", () => {
  it("parallel tool calls → function_call items keyed by call_id, fc_ item ids, cache-inclusive usage", () => {
    const { value } = translate("openai-chat", "openai-responses", PARALLEL_TOOLS);
    expect(value).toMatchObject({
      id: expect.stringMatching(/^resp_/),
      object: "response",
      created_at: 1743811200,
      status: "completed",
      error: null,
      incomplete_details: null,
      model: "o4-mini-2025-04-16",
    });
    expect(dig(value, "output")).toEqual([
      {
        type: "function_call",
        id: expect.stringMatching(/^fc_/),
        call_id: "call_A1b2C3d4E5f6G7h8I9j0K1l2",
        name: "get_weather",
        arguments: '{"city":"Paris"}',
        status: "completed",
      },
      {
        type: "function_call",
        id: expect.stringMatching(/^fc_/),
        call_id: "call_Z9y8X7w6V5u4T3s2R1q0P9o8",
        name: "get_time",
        arguments: '{"timezone":"Europe/Paris"}',
        status: "completed",
      },
    ]);
    expect(dig(value, "output", 0, "id")).not.toBe(dig(value, "output", 1, "id"));
    expect(dig(value, "usage")).toEqual({
      input_tokens: 2006,
      input_tokens_details: { cached_tokens: 1920 },
      output_tokens: 300,
      output_tokens_details: { reasoning_tokens: 256 },
      total_tokens: 2306,
    });
    // Chat-only top-level fields (system_fingerprint) stay out of a Responses object.
    expect(value).not.toHaveProperty("system_fingerprint");
  });

  it("reasoning_content → reasoning item carrying the raw text as reasoning_text, then the message", () => {
    const { value } = translate("openai-chat", "openai-responses", DEEPSEEK_REASONING);
    expect(dig(value, "output")).toEqual([
      {
        type: "reasoning",
        id: expect.stringMatching(/^rs_/),
        summary: [],
        content: [
          {
            type: "reasoning_text",
            text: "Compare 9.11 and 9.8. Write 9.8 as 9.80; 11 hundredths is less than 80 hundredths.",
          },
        ],
      },
      {
        type: "message",
        id: expect.stringMatching(/^msg_/),
        status: "completed",
        role: "assistant",
        content: [{ type: "output_text", text: "9.11 is smaller than 9.8.", annotations: [], logprobs: [] }],
      },
    ]);
    expect(dig(value, "usage", "output_tokens_details")).toEqual({ reasoning_tokens: 300 });
  });

  it("refusal → message with a refusal content part", () => {
    const { value } = translate("openai-chat", "openai-responses", REFUSAL);
    expect(dig(value, "output")).toEqual([
      {
        type: "message",
        id: expect.stringMatching(/^msg_/),
        status: "completed",
        role: "assistant",
        content: [{ type: "refusal", refusal: "I'm sorry, I can't assist with that request." }],
      },
    ]);
    // §5.5: completed with a refusal part, or incomplete/content_filter.
    if (dig(value, "status") === "incomplete")
      expect(dig(value, "incomplete_details")).toEqual({ reason: "content_filter" });
    else expect(dig(value, "status")).toBe("completed");
  });

  it("length → incomplete / max_output_tokens; content_filter → incomplete / content_filter", () => {
    const a = translate("openai-chat", "openai-responses", LENGTH).value;
    expect(dig(a, "status")).toBe("incomplete");
    expect(dig(a, "incomplete_details")).toEqual({ reason: "max_output_tokens" });
    const b = translate("openai-chat", "openai-responses", AZURE_CONTENT_FILTER).value;
    expect(dig(b, "status")).toBe("incomplete");
    expect(dig(b, "incomplete_details")).toEqual({ reason: "content_filter" });
    expect(b).not.toHaveProperty("prompt_filter_results");
  });

  it("native custom tool call → custom_tool_call item", () => {
    const { value } = translate("openai-chat", "openai-responses", CUSTOM_CALL);
    expect(dig(value, "output")).toEqual([
      {
        type: "custom_tool_call",
        id: expect.stringMatching(/^ctc_/),
        call_id: "call_cUsT0m1d2e3f4g5h6i7j8k9l",
        name: "apply_patch",
        input: PATCH,
        status: "completed",
      },
    ]);
  });

  it("wrapped custom tool (function {input}) → custom_tool_call with the raw input", () => {
    const { value } = translate("openai-chat", "openai-responses", WRAPPED_CUSTOM, { decode: { tools: CUSTOM_TOOLS } });
    expect(dig(value, "output")).toEqual([
      {
        type: "custom_tool_call",
        id: expect.stringMatching(/^ctc_/),
        call_id: "call_0f1e2d3c4b5a69788796a5b4",
        name: "apply_patch",
        input: PATCH,
        status: "completed",
      },
    ]);
  });
});

describe("Chat Completions upstream → Chat Completions client", () => {
  it("parallel tool calls pass through with content null, ids and usage details", () => {
    const { value } = translate("openai-chat", "openai-chat", PARALLEL_TOOLS, { encode: { model: "my-alias" } });
    expect(value).toMatchObject({
      id: "chatcmpl-BHm3kqLzR2vYQnE8xT4fGp1aWc9Ud",
      object: "chat.completion",
      created: 1743811200,
      model: "my-alias",
      system_fingerprint: "fp_7a6f4c3b2e",
      service_tier: "default",
    });
    expect(dig(value, "choices")).toEqual([
      {
        index: 0,
        message: {
          role: "assistant",
          content: null,
          refusal: null,
          tool_calls: [
            {
              id: "call_A1b2C3d4E5f6G7h8I9j0K1l2",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris"}' },
            },
            {
              id: "call_Z9y8X7w6V5u4T3s2R1q0P9o8",
              type: "function",
              function: { name: "get_time", arguments: '{"timezone":"Europe/Paris"}' },
            },
          ],
        },
        logprobs: null,
        finish_reason: "tool_calls",
      },
    ]);
    expect(dig(value, "usage")).toMatchObject({
      prompt_tokens: 2006,
      completion_tokens: 300,
      total_tokens: 2306,
      prompt_tokens_details: { cached_tokens: 1920 },
      completion_tokens_details: { reasoning_tokens: 256 },
    });
  });

  it("reasoning modes on a DeepSeek reasoning_content response", () => {
    const reasoning = "Compare 9.11 and 9.8. Write 9.8 as 9.80; 11 hundredths is less than 80 hundredths.";
    const rc = translate("openai-chat", "openai-chat", DEEPSEEK_REASONING).value;
    expect(dig(rc, "id")).toMatch(/^chatcmpl-/);
    expect(dig(rc, "choices", 0, "message")).toEqual({
      role: "assistant",
      content: "9.11 is smaller than 9.8.",
      refusal: null,
      reasoning_content: reasoning,
    });
    const tags = translate("openai-chat", "openai-chat", DEEPSEEK_REASONING, {
      encode: { reasoningMode: "think-tags" },
    }).value;
    const content = dig(tags, "choices", 0, "message", "content") as string;
    expect(content).toMatch(/^<think>\s*[\s\S]*<\/think>\s*9\.11 is smaller than 9\.8\.$/);
    expect(content).toContain(reasoning);
    expect(dig(tags, "choices", 0, "message")).not.toHaveProperty("reasoning_content");
    const none = translate("openai-chat", "openai-chat", DEEPSEEK_REASONING, {
      encode: { reasoningMode: "none" },
    }).value;
    expect(dig(none, "choices", 0, "message")).toEqual({
      role: "assistant",
      content: "9.11 is smaller than 9.8.",
      refusal: null,
    });
  });

  it("refusal passes through in message.refusal with finish_reason stop", () => {
    const { value } = translate("openai-chat", "openai-chat", REFUSAL);
    expect(dig(value, "choices", 0, "message", "refusal")).toBe("I'm sorry, I can't assist with that request.");
    // The reference leaves content open here (null in OpenAI's own responses); it must not carry text.
    expect([null, ""]).toContain(dig(value, "choices", 0, "message", "content"));
    expect(dig(value, "choices", 0, "finish_reason")).toBe("stop");
  });

  it("native custom tool call stays a custom tool call (§1.2)", () => {
    const { value } = translate("openai-chat", "openai-chat", CUSTOM_CALL);
    expect(dig(value, "choices", 0, "message", "tool_calls")).toEqual([
      { id: "call_cUsT0m1d2e3f4g5h6i7j8k9l", type: "custom", custom: { name: "apply_patch", input: PATCH } },
    ]);
  });
});

describe("Azure non-stream 200 body with prompt_filter_results (fixture)", () => {
  const body = jsonFixture("azure/chat-nonstream-prompt-filter-results.json") as JsonObject;

  it("decodes as a Chat response", () => {
    const { ir } = translate("openai-chat", "openai-chat", body);
    expect(ir.id).toBe("chatcmpl-BAeyRj7gU6aCNSSAskAFbupBWYMIT");
    expect(ir.model).toBe("gpt-4o-2024-11-20");
    expect(ir.created).toBe(1741880483);
    expect(ir.content).toEqual([{ type: "text", text: "The capital of France is **Paris**." }]);
    expect(ir.stopReason).toBe("end_turn");
    expect(ir.usage).toMatchObject({ inputTokens: 14, outputTokens: 9, cacheReadTokens: 0, reasoningTokens: 0 });
  });

  it("→ Anthropic client: text, end_turn, usage; no Azure filter fields", () => {
    const { value } = translate("openai-chat", "anthropic", body);
    expect(value).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: "message",
      role: "assistant",
      model: "gpt-4o-2024-11-20",
      content: [{ type: "text", text: "The capital of France is **Paris**." }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: {
        input_tokens: 14,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        output_tokens: 9,
        // the upstream reported reasoning_tokens: 0
        output_tokens_details: { thinking_tokens: 0 },
      },
    });
  });

  it("→ Responses client: one completed message, no Azure filter fields", () => {
    const { value } = translate("openai-chat", "openai-responses", body);
    expect(dig(value, "status")).toBe("completed");
    expect(dig(value, "output")).toEqual([
      {
        type: "message",
        id: expect.stringMatching(/^msg_/),
        status: "completed",
        role: "assistant",
        content: [{ type: "output_text", text: "The capital of France is **Paris**.", annotations: [], logprobs: [] }],
      },
    ]);
    expect(dig(value, "usage")).toEqual({
      input_tokens: 14,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 9,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 23,
    });
    expect(value).not.toHaveProperty("prompt_filter_results");
  });

  it("→ Chat client: the Azure annotations may pass through unchanged", () => {
    const { value } = translate("openai-chat", "openai-chat", body);
    expect(dig(value, "choices", 0, "message")).toEqual({
      role: "assistant",
      content: "The capital of France is **Paris**.",
      refusal: null,
    });
    expect(dig(value, "choices", 0, "finish_reason")).toBe("stop");
    expect(dig(value, "usage", "prompt_tokens")).toBe(14);
    expect(dig(value, "usage", "completion_tokens")).toBe(9);
    expect(dig(value, "usage", "total_tokens")).toBe(23);
  });
});
