/**
 * §5.6 usage formulas (and §6 item 25): Anthropic input_tokens excludes both cache counters, OpenAI
 * prompt_tokens / input_tokens include cache reads (and writes). Reasoning tokens are part of the output total
 * in every dialect (§5.4).
 */
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/ir/types.js";
import { dig, translate } from "./helpers.js";

function anthropic(usage: JsonObject): JsonObject {
  return {
    id: "msg_01UsageTest000000000000000",
    type: "message",
    role: "assistant",
    model: "claude-opus-4-6",
    content: [{ type: "text", text: "ok" }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage,
  };
}

function chat(usage: JsonObject): JsonObject {
  return {
    id: "chatcmpl-UsageTest0000000000000000000",
    object: "chat.completion",
    created: 1750000000,
    model: "gpt-5.6",
    choices: [
      { index: 0, message: { role: "assistant", content: "ok", refusal: null }, logprobs: null, finish_reason: "stop" },
    ],
    usage,
  };
}

function responses(usage: JsonObject): JsonObject {
  return {
    id: "resp_UsageTest0000000000000000000000",
    object: "response",
    created_at: 1750000000,
    status: "completed",
    error: null,
    incomplete_details: null,
    instructions: null,
    model: "gpt-5.6",
    output: [
      {
        id: "msg_UsageTest00000000000000000001",
        type: "message",
        status: "completed",
        role: "assistant",
        content: [{ type: "output_text", text: "ok", annotations: [] }],
      },
    ],
    parallel_tool_calls: true,
    tool_choice: "auto",
    tools: [],
    temperature: 1,
    top_p: 1,
    metadata: {},
    usage,
  };
}

/** Claude Code style turn: small fresh input, large cache read, some cache write, thinking. */
const A_USAGE = {
  input_tokens: 3,
  cache_creation_input_tokens: 2051,
  cache_read_input_tokens: 48213,
  output_tokens: 503,
  output_tokens_details: { thinking_tokens: 311 },
};
const A_TOTAL_INPUT = 3 + 2051 + 48213;

describe("§5.6 A → CC / R", () => {
  it("CC: prompt_tokens = input + cache_creation + cache_read; cached_tokens = cache_read", () => {
    const { value } = translate("anthropic", "openai-chat", anthropic(A_USAGE));
    expect(dig(value, "usage")).toEqual({
      prompt_tokens: A_TOTAL_INPUT,
      completion_tokens: 503,
      total_tokens: A_TOTAL_INPUT + 503,
      prompt_tokens_details: { cached_tokens: 48213, cache_write_tokens: 2051 },
      completion_tokens_details: { reasoning_tokens: 311 },
    });
  });

  it("R: input_tokens = input + cache_creation + cache_read; cached_tokens = cache_read", () => {
    const { value } = translate("anthropic", "openai-responses", anthropic(A_USAGE));
    expect(dig(value, "usage")).toEqual({
      input_tokens: A_TOTAL_INPUT,
      input_tokens_details: { cached_tokens: 48213, cache_write_tokens: 2051 },
      output_tokens: 503,
      output_tokens_details: { reasoning_tokens: 311 },
      total_tokens: A_TOTAL_INPUT + 503,
    });
  });

  it("older models without thinking_tokens report reasoning_tokens 0, cache fields absent count as 0", () => {
    const { value } = translate("anthropic", "openai-chat", anthropic({ input_tokens: 25, output_tokens: 7 }));
    expect(dig(value, "usage", "prompt_tokens")).toBe(25);
    expect(dig(value, "usage", "prompt_tokens_details", "cached_tokens")).toBe(0);
    expect(dig(value, "usage", "completion_tokens_details", "reasoning_tokens")).toBe(0);
    expect(dig(value, "usage", "total_tokens")).toBe(32);
  });
});

describe("§5.6 CC / R → A", () => {
  it("CC: input_tokens = prompt − cached − cache_write; no double counting in the three input counters", () => {
    const { value } = translate(
      "openai-chat",
      "anthropic",
      chat({
        prompt_tokens: 50000,
        completion_tokens: 900,
        total_tokens: 50900,
        prompt_tokens_details: { cached_tokens: 45000, cache_write_tokens: 4000 },
        completion_tokens_details: { reasoning_tokens: 600 },
      }),
    );
    expect(dig(value, "usage")).toEqual({
      input_tokens: 1000,
      cache_creation_input_tokens: 4000,
      cache_read_input_tokens: 45000,
      output_tokens: 900,
      output_tokens_details: { thinking_tokens: 600 },
    });
    // Claude Code's context meter adds the three input counters: it must see the OpenAI total, once.
    const u = dig(value, "usage") as Record<string, number>;
    expect(u.input_tokens! + u.cache_creation_input_tokens! + u.cache_read_input_tokens!).toBe(50000);
  });

  it("CC without cache_write_tokens: cache_creation = 0", () => {
    const { value } = translate(
      "openai-chat",
      "anthropic",
      chat({
        prompt_tokens: 1200,
        completion_tokens: 10,
        total_tokens: 1210,
        prompt_tokens_details: { cached_tokens: 1024 },
      }),
    );
    expect(dig(value, "usage")).toMatchObject({
      input_tokens: 176,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 1024,
      output_tokens: 10,
    });
  });

  it("DeepSeek prompt_cache_hit_tokens count as cache reads", () => {
    const { value } = translate(
      "openai-chat",
      "anthropic",
      chat({
        prompt_tokens: 1500,
        completion_tokens: 20,
        total_tokens: 1520,
        prompt_cache_hit_tokens: 1408,
        prompt_cache_miss_tokens: 92,
      }),
    );
    expect(dig(value, "usage")).toMatchObject({ input_tokens: 92, cache_read_input_tokens: 1408 });
  });

  it("R: input_tokens = input − cached − cache_write; reasoning_tokens → thinking_tokens", () => {
    const { value } = translate(
      "openai-responses",
      "anthropic",
      responses({
        input_tokens: 9000,
        input_tokens_details: { cached_tokens: 8192, cache_write_tokens: 500 },
        output_tokens: 250,
        output_tokens_details: { reasoning_tokens: 128 },
        total_tokens: 9250,
      }),
    );
    expect(dig(value, "usage")).toEqual({
      input_tokens: 308,
      cache_creation_input_tokens: 500,
      cache_read_input_tokens: 8192,
      output_tokens: 250,
      output_tokens_details: { thinking_tokens: 128 },
    });
  });
});

describe("§5.6 CC ↔ R (same convention: totals unchanged)", () => {
  it("CC → R", () => {
    const { value } = translate(
      "openai-chat",
      "openai-responses",
      chat({
        prompt_tokens: 700,
        completion_tokens: 90,
        total_tokens: 790,
        prompt_tokens_details: { cached_tokens: 512 },
        completion_tokens_details: { reasoning_tokens: 64 },
      }),
    );
    expect(dig(value, "usage")).toEqual({
      input_tokens: 700,
      input_tokens_details: { cached_tokens: 512 },
      output_tokens: 90,
      output_tokens_details: { reasoning_tokens: 64 },
      total_tokens: 790,
    });
  });

  it("R → CC", () => {
    const { value } = translate(
      "openai-responses",
      "openai-chat",
      responses({
        input_tokens: 700,
        input_tokens_details: { cached_tokens: 512 },
        output_tokens: 90,
        output_tokens_details: { reasoning_tokens: 64 },
        total_tokens: 790,
      }),
    );
    expect(dig(value, "usage")).toEqual({
      prompt_tokens: 700,
      completion_tokens: 90,
      total_tokens: 790,
      prompt_tokens_details: { cached_tokens: 512 },
      completion_tokens_details: { reasoning_tokens: 64 },
    });
  });
});

describe("usage survives A → OpenAI → A (both formulas are inverses)", () => {
  for (const mid of ["openai-chat", "openai-responses"] as const) {
    it(`through ${mid}`, () => {
      const first = translate("anthropic", mid, anthropic(A_USAGE)).value;
      const back = translate(mid, "anthropic", first).value;
      expect(dig(back, "usage")).toEqual({
        input_tokens: 3,
        cache_creation_input_tokens: 2051,
        cache_read_input_tokens: 48213,
        output_tokens: 503,
        output_tokens_details: { thinking_tokens: 311 },
      });
    });
  }
});
