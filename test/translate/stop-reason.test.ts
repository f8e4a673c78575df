/**
 * §5.5 stop / finish reason tables, every row, through non-streaming bodies (decode upstream → encode client).
 */
import { describe, expect, it } from "vitest";
import { responsesFailure } from "../../src/dialects/openai-responses/response.js";
import type { Json, JsonObject } from "../../src/ir/types.js";
import { dig, translate } from "./helpers.js";

function anthropicBody(stopReason: string, extra: JsonObject = {}): JsonObject {
  const content: Json[] =
    stopReason === "tool_use"
      ? [
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "toolu_01StopRowTest00000000001", name: "get_weather", input: { city: "Oslo" } },
        ]
      : stopReason === "pause_turn"
        ? [
            { type: "text", text: "Let me search for that." },
            {
              type: "server_tool_use",
              id: "srvtoolu_01WYG3ziw53XMcoyKL4XcZmE",
              name: "web_search",
              input: { query: "weather Oslo" },
            },
          ]
        : [{ type: "text", text: "Some answer text" }];
  return {
    id: "msg_01StopRowTest0000000000000",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5-20250929",
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 5 },
    ...extra,
  };
}

function chatBody(finishReason: string, message: JsonObject): JsonObject {
  return {
    id: "chatcmpl-StopRowTest000000000000000000",
    object: "chat.completion",
    created: 1750000000,
    model: "gpt-4.1-2025-04-14",
    choices: [{ index: 0, message: { role: "assistant", ...message }, logprobs: null, finish_reason: finishReason }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}

const CALL = {
  id: "call_StopRowTest0000000000001",
  type: "function",
  function: { name: "get_weather", arguments: '{"city":"Oslo"}' },
};

function responsesBody(status: string, output: Json[], reason?: string): JsonObject {
  return {
    id: "resp_StopRowTest00000000000000000000",
    object: "response",
    created_at: 1750000000,
    status,
    error: null,
    incomplete_details: reason ? { reason } : null,
    instructions: null,
    model: "gpt-5-2025-08-07",
    output,
    parallel_tool_calls: true,
    tool_choice: "auto",
    tools: [],
    temperature: 1,
    top_p: 1,
    metadata: {},
    usage: {
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 15,
    },
  };
}

const MESSAGE_ITEM = {
  id: "msg_StopRowTest000000000000000001",
  type: "message",
  status: "completed",
  role: "assistant",
  content: [{ type: "output_text", text: "Some answer text", annotations: [] }],
};
const CALL_ITEM = {
  id: "fc_StopRowTest0000000000000000001",
  type: "function_call",
  status: "completed",
  call_id: "call_StopRowTest0000000000001",
  name: "get_weather",
  arguments: '{"city":"Oslo"}',
};

describe("§5.5 Anthropic stop_reason → Chat finish_reason and Responses status", () => {
  const rows: {
    stop: string;
    chat: string;
    responses: { status: string; reason: string | null }[];
  }[] = [
    { stop: "end_turn", chat: "stop", responses: [{ status: "completed", reason: null }] },
    { stop: "stop_sequence", chat: "stop", responses: [{ status: "completed", reason: null }] },
    { stop: "max_tokens", chat: "length", responses: [{ status: "incomplete", reason: "max_output_tokens" }] },
    { stop: "tool_use", chat: "tool_calls", responses: [{ status: "completed", reason: null }] },
    {
      stop: "refusal",
      chat: "content_filter",
      responses: [
        { status: "incomplete", reason: "content_filter" },
        { status: "completed", reason: null },
      ],
    },
    {
      stop: "pause_turn",
      chat: "stop",
      responses: [
        { status: "incomplete", reason: "max_output_tokens" },
        { status: "completed", reason: null },
      ],
    },
    {
      stop: "model_context_window_exceeded",
      chat: "length",
      responses: [{ status: "incomplete", reason: "max_output_tokens" }],
    },
  ];

  for (const row of rows) {
    it(`${row.stop} → ${row.chat} / ${row.responses.map((r) => r.status).join(" or ")}`, () => {
      const extra: JsonObject = row.stop === "stop_sequence" ? { stop_sequence: "</answer>" } : {};
      const body = anthropicBody(row.stop, extra);
      const chat = translate("anthropic", "openai-chat", body).value;
      expect(dig(chat, "choices", 0, "finish_reason")).toBe(row.chat);
      const resp = translate("anthropic", "openai-responses", body).value;
      const got = {
        status: dig(resp, "status"),
        reason: (dig(resp, "incomplete_details", "reason") as string | undefined) ?? null,
      };
      expect(row.responses).toContainEqual(got);
      if (row.stop === "tool_use") {
        expect(dig(chat, "choices", 0, "message", "tool_calls", 0, "id")).toBe("toolu_01StopRowTest00000000001");
        expect(dig(resp, "output", 1, "type")).toBe("function_call");
        expect(dig(resp, "output", 1, "call_id")).toBe("toolu_01StopRowTest00000000001");
      }
      // Same-dialect: the reason, and the matched stop sequence, survive.
      const anth = translate("anthropic", "anthropic", body).value;
      expect(dig(anth, "stop_reason")).toBe(row.stop);
      expect(dig(anth, "stop_sequence")).toBe(row.stop === "stop_sequence" ? "</answer>" : null);
    });
  }
});

describe("§5.5 Chat finish_reason → Anthropic stop_reason and Responses status", () => {
  it("stop → end_turn / completed", () => {
    const body = chatBody("stop", { content: "Some answer text", refusal: null });
    expect(dig(translate("openai-chat", "anthropic", body).value, "stop_reason")).toBe("end_turn");
    const r = translate("openai-chat", "openai-responses", body).value;
    expect(dig(r, "status")).toBe("completed");
    expect(dig(r, "incomplete_details")).toBeNull();
  });

  it("length → max_tokens / incomplete max_output_tokens", () => {
    const body = chatBody("length", { content: "Some answer", refusal: null });
    expect(dig(translate("openai-chat", "anthropic", body).value, "stop_reason")).toBe("max_tokens");
    const r = translate("openai-chat", "openai-responses", body).value;
    expect(dig(r, "status")).toBe("incomplete");
    expect(dig(r, "incomplete_details")).toEqual({ reason: "max_output_tokens" });
  });

  it("tool_calls → tool_use / completed + function_call items", () => {
    const body = chatBody("tool_calls", { content: null, tool_calls: [CALL] });
    const a = translate("openai-chat", "anthropic", body).value;
    expect(dig(a, "stop_reason")).toBe("tool_use");
    expect(dig(a, "content", 0, "id")).toBe("call_StopRowTest0000000000001");
    const r = translate("openai-chat", "openai-responses", body).value;
    expect(dig(r, "status")).toBe("completed");
    expect(dig(r, "output", 0, "type")).toBe("function_call");
  });

  it("stop with tool calls (providers that say stop, §1.5) → tool_use / tool_calls", () => {
    const body = chatBody("stop", { content: null, tool_calls: [CALL] });
    expect(dig(translate("openai-chat", "anthropic", body).value, "stop_reason")).toBe("tool_use");
    expect(dig(translate("openai-chat", "openai-chat", body).value, "choices", 0, "finish_reason")).toBe("tool_calls");
  });

  it("function_call (legacy) → tool_use / completed + function_call item", () => {
    const body = chatBody("function_call", {
      content: null,
      function_call: { name: "get_weather", arguments: '{"city":"Oslo"}' },
    });
    const a = translate("openai-chat", "anthropic", body).value;
    expect(dig(a, "stop_reason")).toBe("tool_use");
    const blocks = dig(a, "content") as JsonObject[];
    const use = blocks.find((b) => b.type === "tool_use");
    expect(use).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "Oslo" } });
    expect(use?.id).toMatch(/^[a-zA-Z0-9_-]+$/);
    const r = translate("openai-chat", "openai-responses", body).value;
    expect(dig(r, "status")).toBe("completed");
    expect(dig(r, "output", 0)).toMatchObject({
      type: "function_call",
      name: "get_weather",
      arguments: '{"city":"Oslo"}',
    });
    expect(dig(r, "output", 0, "call_id")).toEqual(expect.any(String));
  });

  it("content_filter → refusal / incomplete content_filter", () => {
    const body = chatBody("content_filter", { content: null, refusal: null });
    expect(dig(translate("openai-chat", "anthropic", body).value, "stop_reason")).toBe("refusal");
    const r = translate("openai-chat", "openai-responses", body).value;
    expect(dig(r, "status")).toBe("incomplete");
    expect(dig(r, "incomplete_details")).toEqual({ reason: "content_filter" });
  });
});

describe("§5.5 Responses status → Anthropic stop_reason and Chat finish_reason", () => {
  const rows: { name: string; body: JsonObject; anthropic: string; chat: string }[] = [
    { name: "completed", body: responsesBody("completed", [MESSAGE_ITEM]), anthropic: "end_turn", chat: "stop" },
    {
      name: "completed + function_call",
      body: responsesBody("completed", [MESSAGE_ITEM, CALL_ITEM]),
      anthropic: "tool_use",
      chat: "tool_calls",
    },
    {
      name: "incomplete / max_output_tokens",
      body: responsesBody("incomplete", [MESSAGE_ITEM], "max_output_tokens"),
      anthropic: "max_tokens",
      chat: "length",
    },
    {
      name: "incomplete / content_filter",
      body: responsesBody("incomplete", [MESSAGE_ITEM], "content_filter"),
      anthropic: "refusal",
      chat: "content_filter",
    },
  ];
  for (const row of rows) {
    it(`${row.name} → ${row.anthropic} / ${row.chat}`, () => {
      expect(dig(translate("openai-responses", "anthropic", row.body).value, "stop_reason")).toBe(row.anthropic);
      expect(dig(translate("openai-responses", "openai-chat", row.body).value, "choices", 0, "finish_reason")).toBe(
        row.chat,
      );
    });
  }

  it("failed → an error, not a response", () => {
    const body = responsesBody("failed", []);
    body.error = { code: "server_error", message: "The model failed to generate a response." };
    const err = responsesFailure(body);
    expect(err).toMatchObject({ kind: "server", message: "The model failed to generate a response." });
    expect(responsesFailure(responsesBody("completed", [MESSAGE_ITEM]))).toBeUndefined();
  });
});
