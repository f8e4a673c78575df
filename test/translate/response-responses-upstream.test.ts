/**
 * Non-streaming responses from an OpenAI Responses upstream, served to each client dialect.
 * Expected bodies follow §2.4, §1.4, §3.7, §5.4–5.6 and §6 items 6–8 of the reference.
 */
import { describe, expect, it } from "vitest";
import type { ToolMapping } from "../../src/dialects/types.js";
import type { JsonObject } from "../../src/ir/types.js";
import { dig, envelope, jsonText, recordingWrapper, translate } from "./helpers.js";

const ENCRYPTED =
  "gAAAAABor0A1q2Hx9Yh3Y3VqYzB0cUZ6a0dXc2NnN2J4bXNfd0tzVjZ4c2h2b2Y5Wl9wQjJzY0xKaDVmVmZ0dnN4d2pUdmlZb3hR";

const SUMMARY = "**Checking the weather**\n\nThe user asks about Paris; I'll call get_weather.";

/** gpt-5: reasoning (summary + encrypted_content), commentary message, function_call; cached + reasoning usage. */
const REASONING_TOOL: JsonObject = {
  id: "resp_68af4030592c81938ec0a5fbab4a3e9f05438e46b5f69a3b",
  object: "response",
  created_at: 1756315696,
  status: "completed",
  background: false,
  error: null,
  incomplete_details: null,
  instructions: null,
  max_output_tokens: null,
  max_tool_calls: null,
  model: "gpt-5-2025-08-07",
  output: [
    {
      id: "rs_68af4030baa48193b0b43b4c2a176a1a05438e46b5f69a3b",
      type: "reasoning",
      encrypted_content: ENCRYPTED,
      summary: [{ type: "summary_text", text: SUMMARY }],
    },
    {
      id: "msg_68af40337e1c8193a0a4d7e5b8e9a2b605438e46b5f69a3b",
      type: "message",
      status: "completed",
      content: [{ type: "output_text", annotations: [], logprobs: [], text: "I'll look that up." }],
      phase: "commentary",
      role: "assistant",
    },
    {
      id: "fc_68af4034128481938b26a0c1d0e4b2ef05438e46b5f69a3b",
      type: "function_call",
      status: "completed",
      arguments: '{"city":"Paris"}',
      call_id: "call_UVhxPmHbdgUIzSJD6zKoVR5x",
      name: "get_weather",
    },
  ],
  parallel_tool_calls: true,
  previous_response_id: null,
  prompt_cache_key: null,
  reasoning: { effort: "medium", summary: "auto" },
  safety_identifier: null,
  service_tier: "default",
  store: false,
  temperature: 1,
  text: { format: { type: "text" }, verbosity: "medium" },
  tool_choice: "auto",
  tools: [],
  top_logprobs: 0,
  top_p: 1,
  truncation: "disabled",
  usage: {
    input_tokens: 5210,
    input_tokens_details: { cached_tokens: 4096 },
    output_tokens: 412,
    output_tokens_details: { reasoning_tokens: 320 },
    total_tokens: 5622,
  },
  user: null,
  metadata: {},
};

function responseBody(overrides: JsonObject): JsonObject {
  return {
    id: "resp_0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    object: "response",
    created_at: 1757000000,
    status: "completed",
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model: "gpt-5-mini-2025-08-07",
    output: [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: "low", summary: null },
    store: false,
    temperature: 1,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: 1,
    truncation: "disabled",
    usage: {
      input_tokens: 100,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 64,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 164,
    },
    user: null,
    metadata: {},
    ...overrides,
  };
}

const MAX_OUTPUT = responseBody({
  status: "incomplete",
  incomplete_details: { reason: "max_output_tokens" },
  max_output_tokens: 64,
  output: [
    {
      id: "rs_0a1b2c3d4e5f60718293a4b5c6d7e8f9aa",
      type: "reasoning",
      summary: [],
      encrypted_content: "gAAAAABpAAAAtruncated",
    },
  ],
  usage: {
    input_tokens: 100,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 64,
    output_tokens_details: { reasoning_tokens: 64 },
    total_tokens: 164,
  },
});

const CONTENT_FILTER = responseBody({
  status: "incomplete",
  incomplete_details: { reason: "content_filter" },
  output: [
    {
      id: "msg_0a1b2c3d4e5f60718293a4b5c6d7e8f9bb",
      type: "message",
      status: "incomplete",
      role: "assistant",
      content: [{ type: "output_text", text: "Here is how you", annotations: [] }],
    },
  ],
});

const REFUSAL = responseBody({
  output: [
    {
      id: "msg_0a1b2c3d4e5f60718293a4b5c6d7e8f9cc",
      type: "message",
      status: "completed",
      role: "assistant",
      content: [{ type: "refusal", refusal: "I'm sorry, but I can't help with that." }],
    },
  ],
});

const PATCH = "*** Begin Patch\n*** Update File: README.md\n@@\n-old\n+new\n*** End Patch\n";

const CUSTOM_CALL = responseBody({
  output: [
    {
      id: "ctc_0a1b2c3d4e5f60718293a4b5c6d7e8f9dd",
      type: "custom_tool_call",
      status: "completed",
      call_id: "call_Qm9vYmFyQmF6UXV4Q29yZ2U",
      name: "apply_patch",
      input: PATCH,
    },
  ],
});

/** Two summary parts (§2.2) and raw reasoning_text (open-weight models). */
const MULTI_SUMMARY = responseBody({
  output: [
    {
      id: "rs_0a1b2c3d4e5f60718293a4b5c6d7e8f9ee",
      type: "reasoning",
      summary: [
        { type: "summary_text", text: "**Reading the file**\n\nFirst I look at the config." },
        { type: "summary_text", text: "**Planning**\n\nThen I change the port." },
      ],
      encrypted_content: "gAAAAABpBBBB",
    },
    {
      id: "msg_0a1b2c3d4e5f60718293a4b5c6d7e8f9ff",
      type: "message",
      status: "completed",
      role: "assistant",
      phase: "final_answer",
      content: [{ type: "output_text", text: "The port is now 8080.", annotations: [] }],
    },
  ],
});

const RAW_REASONING = responseBody({
  model: "openai/gpt-oss-120b",
  output: [
    {
      id: "rs_lmstudio_0001",
      type: "reasoning",
      summary: [],
      content: [{ type: "reasoning_text", text: "User greets. Respond politely." }],
    },
    {
      id: "msg_lmstudio_0002",
      type: "message",
      status: "completed",
      role: "assistant",
      content: [{ type: "output_text", text: "Hello! How can I help?", annotations: [] }],
    },
  ],
});

/** A namespaced MCP tool flattened upstream as mcp__files__read (client identity restored). */
const NAMESPACED_TOOLS: ToolMapping = new Map([
  ["files__read", { name: "read", kind: "function", namespace: "files" }],
]);

describe("Responses upstream → Anthropic client", () => {
  it("reasoning + message + function_call: thinking with the envelope, tool_use id = call_id (not fc_)", () => {
    const { wrap, calls } = recordingWrapper();
    const { value } = translate("openai-responses", "anthropic", REASONING_TOOL, {
      encode: { wrapReasoning: wrap, model: "claude-alias" },
    });
    expect(value).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: "message",
      role: "assistant",
      model: "claude-alias",
      content: [
        {
          type: "thinking",
          thinking: SUMMARY,
          signature: envelope(
            {
              type: "reasoning",
              text: SUMMARY,
              encrypted: ENCRYPTED,
            },
            "anthropic",
          ),
        },
        { type: "text", text: "I'll look that up." },
        { type: "tool_use", id: "call_UVhxPmHbdgUIzSJD6zKoVR5x", name: "get_weather", input: { city: "Paris" } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      usage: {
        // §5.6 R → A: input_tokens = input − cached − cache_write.
        input_tokens: 5210 - 4096,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 4096,
        output_tokens: 412,
        output_tokens_details: { thinking_tokens: 320 },
      },
    });
    expect(calls.map((c) => c.target)).toEqual(["anthropic"]);
    expect(calls[0]?.part.encrypted).toBe(ENCRYPTED);
  });

  it("incomplete / max_output_tokens → max_tokens", () => {
    const { value } = translate("openai-responses", "anthropic", MAX_OUTPUT);
    expect(dig(value, "stop_reason")).toBe("max_tokens");
  });

  it("incomplete / content_filter → refusal, partial text kept", () => {
    const { value } = translate("openai-responses", "anthropic", CONTENT_FILTER);
    expect(dig(value, "stop_reason")).toBe("refusal");
    expect(dig(value, "content")).toEqual([{ type: "text", text: "Here is how you" }]);
  });

  it("refusal content part → text plus stop_reason refusal (§5.3 refusal row)", () => {
    const { value } = translate("openai-responses", "anthropic", REFUSAL);
    expect(dig(value, "content")).toEqual([{ type: "text", text: "I'm sorry, but I can't help with that." }]);
    expect(dig(value, "stop_reason")).toBe("refusal");
  });

  it("custom_tool_call → tool_use with {input: raw}", () => {
    const { value } = translate("openai-responses", "anthropic", CUSTOM_CALL);
    expect(dig(value, "content")).toEqual([
      { type: "tool_use", id: "call_Qm9vYmFyQmF6UXV4Q29yZ2U", name: "apply_patch", input: { input: PATCH } },
    ]);
    expect(dig(value, "stop_reason")).toBe("tool_use");
  });
});

describe("Responses upstream → Chat Completions client", () => {
  it("reasoning + message + function_call: reasoning_content, tool_calls[].id = call_id (§6 item 6)", () => {
    const { value } = translate("openai-responses", "openai-chat", REASONING_TOOL);
    expect(value).toEqual({
      id: expect.stringMatching(/^chatcmpl/),
      object: "chat.completion",
      created: 1756315696,
      model: "gpt-5-2025-08-07",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: "I'll look that up.",
            refusal: null,
            reasoning_content: SUMMARY,
            tool_calls: [
              {
                id: "call_UVhxPmHbdgUIzSJD6zKoVR5x",
                type: "function",
                function: { name: "get_weather", arguments: jsonText({ city: "Paris" }) },
              },
            ],
          },
          logprobs: null,
          finish_reason: "tool_calls",
        },
      ],
      usage: {
        prompt_tokens: 5210,
        completion_tokens: 412,
        total_tokens: 5622,
        prompt_tokens_details: { cached_tokens: 4096 },
        completion_tokens_details: { reasoning_tokens: 320 },
      },
    });
  });

  it("several summary parts are joined in reasoning_content; none/think-tags modes", () => {
    const rc = translate("openai-responses", "openai-chat", MULTI_SUMMARY).value;
    const joined = dig(rc, "choices", 0, "message", "reasoning_content") as string;
    expect(joined).toContain("First I look at the config.");
    expect(joined).toContain("Then I change the port.");
    expect(joined.indexOf("First I look")).toBeLessThan(joined.indexOf("Then I change"));
    const none = translate("openai-responses", "openai-chat", MULTI_SUMMARY, { encode: { reasoningMode: "none" } });
    expect(dig(none.value, "choices", 0, "message")).toEqual({
      role: "assistant",
      content: "The port is now 8080.",
      refusal: null,
    });
    const tags = translate("openai-responses", "openai-chat", MULTI_SUMMARY, {
      encode: { reasoningMode: "think-tags" },
    });
    expect(dig(tags.value, "choices", 0, "message", "content")).toMatch(
      /^<think>[\s\S]*First I look at the config\.[\s\S]*Then I change the port\.[\s\S]*<\/think>\s*The port is now 8080\.$/,
    );
  });

  it("raw reasoning_text → reasoning_content", () => {
    const { value } = translate("openai-responses", "openai-chat", RAW_REASONING);
    expect(dig(value, "choices", 0, "message")).toEqual({
      role: "assistant",
      content: "Hello! How can I help?",
      refusal: null,
      reasoning_content: "User greets. Respond politely.",
    });
  });

  it("incomplete / max_output_tokens → length; incomplete / content_filter → content_filter", () => {
    expect(dig(translate("openai-responses", "openai-chat", MAX_OUTPUT).value, "choices", 0, "finish_reason")).toBe(
      "length",
    );
    expect(dig(translate("openai-responses", "openai-chat", CONTENT_FILTER).value, "choices", 0, "finish_reason")).toBe(
      "content_filter",
    );
  });

  it("refusal part → message.refusal", () => {
    const { value } = translate("openai-responses", "openai-chat", REFUSAL);
    expect(dig(value, "choices", 0, "message", "refusal")).toBe("I'm sorry, but I can't help with that.");
    expect([null, ""]).toContain(dig(value, "choices", 0, "message", "content"));
  });

  it("custom_tool_call → Chat custom tool call (§1.2)", () => {
    const { value } = translate("openai-responses", "openai-chat", CUSTOM_CALL);
    expect(dig(value, "choices", 0, "message", "tool_calls")).toEqual([
      { id: "call_Qm9vYmFyQmF6UXV4Q29yZ2U", type: "custom", custom: { name: "apply_patch", input: PATCH } },
    ]);
    expect(dig(value, "choices", 0, "finish_reason")).toBe("tool_calls");
  });
});

describe("Responses upstream → Responses client", () => {
  it("output items keep their ids, encrypted_content, phase and call_id; usage unchanged", () => {
    const { value } = translate("openai-responses", "openai-responses", REASONING_TOOL, {
      encode: { model: "codex-alias" },
    });
    expect(value).toMatchObject({
      id: "resp_68af4030592c81938ec0a5fbab4a3e9f05438e46b5f69a3b",
      object: "response",
      created_at: 1756315696,
      status: "completed",
      error: null,
      incomplete_details: null,
      model: "codex-alias",
    });
    expect(dig(value, "output")).toEqual([
      {
        id: "rs_68af4030baa48193b0b43b4c2a176a1a05438e46b5f69a3b",
        type: "reasoning",
        encrypted_content: ENCRYPTED,
        summary: [{ type: "summary_text", text: SUMMARY }],
      },
      {
        id: "msg_68af40337e1c8193a0a4d7e5b8e9a2b605438e46b5f69a3b",
        type: "message",
        status: "completed",
        content: [expect.objectContaining({ type: "output_text", annotations: [], text: "I'll look that up." })],
        phase: "commentary",
        role: "assistant",
      },
      {
        id: "fc_68af4034128481938b26a0c1d0e4b2ef05438e46b5f69a3b",
        type: "function_call",
        status: "completed",
        arguments: '{"city":"Paris"}',
        call_id: "call_UVhxPmHbdgUIzSJD6zKoVR5x",
        name: "get_weather",
      },
    ]);
    expect(dig(value, "usage")).toEqual({
      input_tokens: 5210,
      input_tokens_details: { cached_tokens: 4096 },
      output_tokens: 412,
      output_tokens_details: { reasoning_tokens: 320 },
      total_tokens: 5622,
    });
  });

  it("incomplete responses keep status and reason", () => {
    const a = translate("openai-responses", "openai-responses", MAX_OUTPUT).value;
    expect(dig(a, "status")).toBe("incomplete");
    expect(dig(a, "incomplete_details")).toEqual({ reason: "max_output_tokens" });
    expect(dig(a, "output", 0)).toEqual({
      id: "rs_0a1b2c3d4e5f60718293a4b5c6d7e8f9aa",
      type: "reasoning",
      summary: [],
      encrypted_content: "gAAAAABpAAAAtruncated",
    });
    const b = translate("openai-responses", "openai-responses", CONTENT_FILTER).value;
    expect(dig(b, "status")).toBe("incomplete");
    expect(dig(b, "incomplete_details")).toEqual({ reason: "content_filter" });
  });

  it("refusal part and custom_tool_call pass through", () => {
    const r = translate("openai-responses", "openai-responses", REFUSAL).value;
    expect(dig(r, "output", 0, "content")).toEqual([
      { type: "refusal", refusal: "I'm sorry, but I can't help with that." },
    ]);
    const c = translate("openai-responses", "openai-responses", CUSTOM_CALL).value;
    expect(dig(c, "output")).toEqual([
      {
        id: "ctc_0a1b2c3d4e5f60718293a4b5c6d7e8f9dd",
        type: "custom_tool_call",
        status: "completed",
        call_id: "call_Qm9vYmFyQmF6UXV4Q29yZ2U",
        name: "apply_patch",
        input: PATCH,
      },
    ]);
  });

  it("a flattened namespaced tool is restored to its namespace and name", () => {
    const body = responseBody({
      output: [
        {
          id: "fc_0a1b2c3d4e5f60718293a4b5c6d7e8f900",
          type: "function_call",
          status: "completed",
          call_id: "call_TmFtZXNwYWNlZFRvb2w",
          name: "files__read",
          arguments: '{"path":"README.md"}',
        },
      ],
    });
    const { value } = translate("openai-responses", "openai-responses", body, { decode: { tools: NAMESPACED_TOOLS } });
    expect(dig(value, "output", 0)).toEqual({
      id: "fc_0a1b2c3d4e5f60718293a4b5c6d7e8f900",
      type: "function_call",
      status: "completed",
      call_id: "call_TmFtZXNwYWNlZFRvb2w",
      name: "read",
      namespace: "files",
      arguments: '{"path":"README.md"}',
    });
  });
});
