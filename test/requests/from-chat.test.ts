/**
 * Chat Completions client → every upstream. Expected bodies are written by hand from
 * /work/shared/reference/wire-protocols.md (§1.1–1.3 for the client side, §2.1–2.3 / §3.2–3.5 for the
 * upstreams, §5 for the mappings and §6 for the pitfalls).
 */
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/ir/types.js";
import { ANTHROPIC_TOOL_ID, expectNoWarning, expectWarning, obj, objs, translate, warningKeys } from "./helpers.js";

const CLAUDE = "claude-sonnet-4-5"; // budget-thinking model (§3.5), 64k output
const OPUS47 = "claude-opus-4-7"; // adaptive-only model (§3.5), 128k output

const chat = (body: object) => ({ stream: false, ...body });

const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Get the current weather",
    parameters: {
      type: "object",
      properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } },
      required: ["city"],
    },
  },
};
const timeTool = {
  type: "function",
  function: {
    name: "get_time",
    description: "Get the local time",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

// ---------------------------------------------------------------------------------------------------------
// 1. Plain text turn
// ---------------------------------------------------------------------------------------------------------

describe("chat client: plain text turn", () => {
  const body = chat({ model: CLAUDE, messages: [{ role: "user", content: "Hello" }] });

  it("→ chat: unchanged", () => {
    const out = translate("openai-chat", "openai-chat", body);
    expect(out.body).toEqual(body);
    expect(out.warnings).toEqual([]);
  });

  it("→ responses: one user message item with input_text; store:false", () => {
    const out = translate("openai-chat", "openai-responses", body);
    expect(out.body).toEqual({
      model: CLAUDE,
      input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "Hello" }] }],
      store: false,
      stream: false,
    });
    expect(out.warnings).toEqual([]);
  });

  it("→ anthropic: text block, model-aware max_tokens default", () => {
    const out = translate("openai-chat", "anthropic", body);
    expect(out.body).toEqual({
      model: CLAUDE,
      max_tokens: 64_000,
      messages: [{ role: "user", content: [{ type: "text", text: "Hello" }] }],
      stream: false,
    });
    expect(out.warnings).toEqual([]);
  });

  it("streaming: Chat upstream always gets include_usage; others get stream:true", () => {
    const s = { model: CLAUDE, stream: true, messages: [{ role: "user", content: "Hello" }] };
    expect(translate("openai-chat", "openai-chat", s).body).toEqual({
      ...s,
      stream_options: { include_usage: true },
    });
    expect(translate("openai-chat", "openai-responses", s).body.stream).toBe(true);
    expect(translate("openai-chat", "anthropic", s).body.stream).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 2 + 3. System / developer placement, multi-turn
// ---------------------------------------------------------------------------------------------------------

describe("chat client: system + developer messages, multi-turn", () => {
  const body = chat({
    model: CLAUDE,
    messages: [
      { role: "system", content: "You are a coding agent." },
      { role: "developer", content: "Prefer TypeScript." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello! How can I help?" },
      { role: "system", content: "Now answer in French." },
      { role: "user", content: "Bonjour?" },
    ],
  });

  it("→ chat: system/developer kept in place (they may appear anywhere, §1.2)", () => {
    const out = translate("openai-chat", "openai-chat", body);
    expect(out.body).toEqual(body);
    expect(out.warnings).toEqual([]);
  });

  it("→ responses: leading system+developer become instructions; the mid-conversation one stays an input message", () => {
    const out = translate("openai-chat", "openai-responses", body);
    expect(out.body).toEqual({
      model: CLAUDE,
      instructions: "You are a coding agent.\n\nPrefer TypeScript.",
      input: [
        { type: "message", role: "user", content: [{ type: "input_text", text: "Hi" }] },
        {
          type: "message",
          role: "assistant",
          content: [{ type: "output_text", text: "Hello! How can I help?", annotations: [] }],
        },
        { type: "message", role: "system", content: [{ type: "input_text", text: "Now answer in French." }] },
        { type: "message", role: "user", content: [{ type: "input_text", text: "Bonjour?" }] },
      ],
      store: false,
      stream: false,
    });
    expect(out.warnings).toEqual([]);
  });

  it("→ anthropic: all system/developer text lifted into top-level system in order; the moved one is reported", () => {
    const out = translate("openai-chat", "anthropic", body);
    expect(out.body).toEqual({
      model: CLAUDE,
      max_tokens: 64_000,
      system: [
        { type: "text", text: "You are a coding agent." },
        { type: "text", text: "Prefer TypeScript." },
        { type: "text", text: "Now answer in French." },
      ],
      messages: [
        { role: "user", content: [{ type: "text", text: "Hi" }] },
        { role: "assistant", content: [{ type: "text", text: "Hello! How can I help?" }] },
        { role: "user", content: [{ type: "text", text: "Bonjour?" }] },
      ],
      stream: false,
    });
    expect(warningKeys(out.warnings)).toEqual(["system_moved@messages[4]"]);
  });

  it("→ anthropic: a single system message becomes a plain system string", () => {
    const out = translate(
      "openai-chat",
      "anthropic",
      chat({
        model: CLAUDE,
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "Hi" },
        ],
      }),
    );
    expect(out.body.system).toEqual("Be brief.");
  });

  it("→ anthropic: consecutive user messages end up in one user turn", () => {
    const out = translate(
      "openai-chat",
      "anthropic",
      chat({
        model: CLAUDE,
        messages: [
          { role: "user", content: "Generate a title for this conversation:\n" },
          { role: "user", content: "say hi" },
        ],
      }),
    );
    expect(out.body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "Generate a title for this conversation:\n" },
          { type: "text", text: "say hi" },
        ],
      },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 4. Tool definitions, single call + result
// ---------------------------------------------------------------------------------------------------------

describe("chat client: tool definitions, single tool call and result", () => {
  const body = chat({
    model: CLAUDE,
    tools: [weatherTool],
    tool_choice: "auto",
    messages: [
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: "18C, sunny" },
    ],
  });

  it("→ chat: unchanged", () => {
    const out = translate("openai-chat", "openai-chat", body);
    expect(out.body).toEqual(body);
    expect(out.warnings).toEqual([]);
  });

  it("→ responses: flat function tool with strict:false, function_call + function_call_output by call_id", () => {
    const out = translate("openai-chat", "openai-responses", body);
    expect(out.body).toEqual({
      model: CLAUDE,
      tools: [
        {
          type: "function",
          name: "get_weather",
          description: "Get the current weather",
          parameters: weatherTool.function.parameters,
          strict: false,
        },
      ],
      tool_choice: "auto",
      input: [
        { type: "message", role: "user", content: [{ type: "input_text", text: "Weather in Paris?" }] },
        { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "function_call_output", call_id: "call_1", output: "18C, sunny" },
      ],
      store: false,
      stream: false,
    });
    expect(out.warnings).toEqual([]);
  });

  it("→ anthropic: input_schema, tool_use with parsed input, tool_result in the next user turn", () => {
    const out = translate("openai-chat", "anthropic", body);
    expect(out.body).toEqual({
      model: CLAUDE,
      max_tokens: 64_000,
      tools: [
        {
          name: "get_weather",
          description: "Get the current weather",
          input_schema: weatherTool.function.parameters,
        },
      ],
      tool_choice: { type: "auto" },
      messages: [
        { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } }],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "call_1", content: "18C, sunny" }] },
      ],
      stream: false,
    });
    expect(out.warnings).toEqual([]);
  });

  it("→ anthropic / responses: a tool without parameters still gets an object schema", () => {
    const b = chat({
      model: CLAUDE,
      tools: [{ type: "function", function: { name: "now" } }],
      messages: [{ role: "user", content: "time?" }],
    });
    expect(translate("openai-chat", "anthropic", b).body.tools).toEqual([
      { name: "now", input_schema: { type: "object", properties: {} } },
    ]);
    expect(translate("openai-chat", "openai-responses", b).body.tools).toEqual([
      { type: "function", name: "now", parameters: { type: "object", properties: {} }, strict: false },
    ]);
  });

  it("→ responses: a tool the client marked strict:true stays strict", () => {
    const b = chat({
      model: CLAUDE,
      tools: [{ type: "function", function: { ...weatherTool.function, strict: true } }],
      messages: [{ role: "user", content: "x" }],
    });
    expect(objs(translate("openai-chat", "openai-responses", b).body.tools)[0]!.strict).toBe(true);
  });

  it('→ anthropic: arguments that are not a JSON object are kept under "_raw" with a warning (§5.2)', () => {
    const b = chat({
      model: CLAUDE,
      tools: [weatherTool],
      messages: [
        { role: "user", content: "x" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Par' } },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "error" },
      ],
    });
    const out = translate("openai-chat", "anthropic", b);
    expect(objs(out.body.messages)[1]).toEqual({
      role: "assistant",
      content: [{ type: "tool_use", id: "call_1", name: "get_weather", input: { _raw: '{"city":"Par' } }],
    });
    expectWarning(out.warnings, "invalid_tool_arguments");
  });

  it("→ anthropic: empty arguments become {}", () => {
    const b = chat({
      model: CLAUDE,
      tools: [{ type: "function", function: { name: "now" } }],
      messages: [
        { role: "user", content: "x" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "now", arguments: "" } }],
        },
        { role: "tool", tool_call_id: "c1", content: "12:00" },
      ],
    });
    const out = translate("openai-chat", "anthropic", b);
    expect(objs(out.body.messages)[1]!.content).toEqual([{ type: "tool_use", id: "c1", name: "now", input: {} }]);
    expect(out.warnings).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 5. Parallel tool calls
// ---------------------------------------------------------------------------------------------------------

describe("chat client: parallel tool calls and results", () => {
  const body = chat({
    model: CLAUDE,
    tools: [weatherTool, timeTool],
    messages: [
      { role: "user", content: "Weather and time in Paris?" },
      {
        role: "assistant",
        content: "Checking both.",
        tool_calls: [
          { id: "call_a", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          { id: "call_b", type: "function", function: { name: "get_time", arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_a", content: "18C" },
      { role: "tool", tool_call_id: "call_b", content: "14:00" },
      { role: "user", content: "Thanks, summarise." },
    ],
  });

  it("→ chat: unchanged (N tool messages)", () => {
    const out = translate("openai-chat", "openai-chat", body);
    expect(out.body).toEqual(body);
  });

  it("→ responses: message, two function_calls, two outputs, then the user message", () => {
    const out = translate("openai-chat", "openai-responses", body);
    expect(out.body.input).toEqual([
      { type: "message", role: "user", content: [{ type: "input_text", text: "Weather and time in Paris?" }] },
      {
        type: "message",
        role: "assistant",
        content: [{ type: "output_text", text: "Checking both.", annotations: [] }],
      },
      { type: "function_call", call_id: "call_a", name: "get_weather", arguments: '{"city":"Paris"}' },
      { type: "function_call", call_id: "call_b", name: "get_time", arguments: '{"city":"Paris"}' },
      { type: "function_call_output", call_id: "call_a", output: "18C" },
      { type: "function_call_output", call_id: "call_b", output: "14:00" },
      { type: "message", role: "user", content: [{ type: "input_text", text: "Thanks, summarise." }] },
    ]);
    expect(out.warnings).toEqual([]);
  });

  it("→ anthropic: ONE user message with both tool_results first, then the user text (§3.3, §6.2)", () => {
    const out = translate("openai-chat", "anthropic", body);
    expect(out.body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather and time in Paris?" }] },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Checking both." },
          { type: "tool_use", id: "call_a", name: "get_weather", input: { city: "Paris" } },
          { type: "tool_use", id: "call_b", name: "get_time", input: { city: "Paris" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "call_a", content: "18C" },
          { type: "tool_result", tool_use_id: "call_b", content: "14:00" },
          { type: "text", text: "Thanks, summarise." },
        ],
      },
    ]);
    expect(out.warnings).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 7. Images and files
// ---------------------------------------------------------------------------------------------------------

describe("chat client: user images (URL and base64 data URL) and a PDF", () => {
  const body = chat({
    model: CLAUDE,
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "What is in these?" },
          { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          { type: "file", file: { filename: "spec.pdf", file_data: "data:application/pdf;base64,JVBERi0xLjQ=" } },
        ],
      },
    ],
  });

  it("→ chat: unchanged", () => {
    expect(translate("openai-chat", "openai-chat", body).body).toEqual(body);
  });

  it("→ responses: input_image (detail defaults to auto) and input_file", () => {
    const out = translate("openai-chat", "openai-responses", body);
    expect(out.body.input).toEqual([
      {
        type: "message",
        role: "user",
        content: [
          { type: "input_text", text: "What is in these?" },
          { type: "input_image", image_url: "https://example.com/cat.png", detail: "auto" },
          { type: "input_image", image_url: "data:image/png;base64,iVBORw0KGgo=", detail: "auto" },
          { type: "input_file", filename: "spec.pdf", file_data: "data:application/pdf;base64,JVBERi0xLjQ=" },
        ],
      },
    ]);
    expect(out.warnings).toEqual([]);
  });

  it("→ anthropic: url source, base64 source (data URL parsed), PDF document", () => {
    const out = translate("openai-chat", "anthropic", body);
    expect(out.body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is in these?" },
          { type: "image", source: { type: "url", url: "https://example.com/cat.png" } },
          { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
          {
            type: "document",
            source: { type: "base64", media_type: "application/pdf", data: "JVBERi0xLjQ=" },
            title: "spec.pdf",
          },
        ],
      },
    ]);
    expect(out.warnings).toEqual([]);
  });

  it("→ anthropic: an image type Anthropic does not accept is dropped with a warning (§5.3)", () => {
    const out = translate(
      "openai-chat",
      "anthropic",
      chat({
        model: CLAUDE,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "look" },
              { type: "image_url", image_url: { url: "data:image/bmp;base64,Qk0=" } },
            ],
          },
        ],
      }),
    );
    expect(out.body.messages).toEqual([{ role: "user", content: [{ type: "text", text: "look" }] }]);
    expectWarning(out.warnings, "unsupported_media", "messages[0].content[1]");
  });

  it("→ responses / chat: image detail is carried", () => {
    const b = chat({
      model: CLAUDE,
      messages: [
        { role: "user", content: [{ type: "image_url", image_url: { url: "https://x/a.png", detail: "low" } }] },
      ],
    });
    expect(translate("openai-chat", "openai-responses", b).body.input).toEqual([
      {
        type: "message",
        role: "user",
        content: [{ type: "input_image", image_url: "https://x/a.png", detail: "low" }],
      },
    ]);
    expect(translate("openai-chat", "openai-chat", b).body).toEqual(b);
  });

  it("→ anthropic: image detail has no Anthropic field, so dropping it is reported (§5.3: no detail, LOSSY)", () => {
    const b = chat({
      model: CLAUDE,
      messages: [
        { role: "user", content: [{ type: "image_url", image_url: { url: "https://x/a.png", detail: "low" } }] },
      ],
    });
    const out = translate("openai-chat", "anthropic", b);
    expect(out.body.messages).toEqual([
      { role: "user", content: [{ type: "image", source: { type: "url", url: "https://x/a.png" } }] },
    ]);
    expect(out.warnings.length, "dropping image detail 'low' should produce a warning").toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 8. Reasoning history
// ---------------------------------------------------------------------------------------------------------

describe("chat client: reasoning history", () => {
  const body = chat({
    model: CLAUDE,
    tools: [weatherTool],
    messages: [
      { role: "user", content: "What is 2+2?" },
      { role: "assistant", reasoning_content: "Simple arithmetic.", content: "4." },
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: "",
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: "18C" },
    ],
  });

  it("→ chat with reasoningField (DeepSeek/Kimi): reasoning_content echoed, and set (empty) on tool-call turns (§1.7, §6.24)", () => {
    const out = translate("openai-chat", "openai-chat", body, { reasoningField: "reasoning_content" });
    expect(out.body.messages).toEqual([
      { role: "user", content: "What is 2+2?" },
      { role: "assistant", reasoning_content: "Simple arithmetic.", content: "4." },
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: null,
        reasoning_content: "",
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: "18C" },
    ]);
  });

  it("→ chat with reasoningField 'reasoning' (OpenRouter/vLLM)", () => {
    const out = translate("openai-chat", "openai-chat", body, { reasoningField: "reasoning" });
    expect(objs(out.body.messages)[1]).toEqual({ role: "assistant", reasoning: "Simple arithmetic.", content: "4." });
  });

  it("→ responses: reasoning without encrypted_content is dropped with reasoning_dropped", () => {
    const out = translate("openai-chat", "openai-responses", body);
    expect(out.body.input).toEqual([
      { type: "message", role: "user", content: [{ type: "input_text", text: "What is 2+2?" }] },
      { type: "message", role: "assistant", content: [{ type: "output_text", text: "4.", annotations: [] }] },
      { type: "message", role: "user", content: [{ type: "input_text", text: "Weather in Paris?" }] },
      { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
      { type: "function_call_output", call_id: "call_1", output: "18C" },
    ]);
    expectWarning(out.warnings, "reasoning_dropped");
  });

  it("→ anthropic: reasoning without a signature is dropped with reasoning_dropped", () => {
    const out = translate("openai-chat", "anthropic", body);
    expect(out.body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "What is 2+2?" }] },
      { role: "assistant", content: [{ type: "text", text: "4." }] },
      { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
      {
        role: "assistant",
        content: [{ type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } }],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "call_1", content: "18C" }] },
    ]);
    expectWarning(out.warnings, "reasoning_dropped");
  });

  it("→ anthropic: OpenRouter reasoning_details carrying an Anthropic signature become a thinking block", () => {
    const b = chat({
      model: CLAUDE,
      reasoning_effort: "low",
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Weather?" },
        {
          role: "assistant",
          content: null,
          reasoning_details: [{ type: "reasoning.text", text: "Need the tool.", signature: "sig_abc" }],
          tool_calls: [
            { id: "toolu_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: "tool", tool_call_id: "toolu_1", content: "18C" },
      ],
    });
    const out = translate("openai-chat", "anthropic", b);
    expect(objs(out.body.messages)[1]).toEqual({
      role: "assistant",
      content: [
        { type: "thinking", thinking: "Need the tool.", signature: "sig_abc" },
        { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
      ],
    });
    // The open tool loop starts with thinking, so thinking stays on.
    expect(obj(out.body.thinking).type).toBe("enabled");
    expectNoWarning(out.warnings, "thinking_disabled");
    expectNoWarning(out.warnings, "reasoning_dropped");
  });

  it("→ chat: OpenRouter reasoning_details are echoed back verbatim (§1.7: must be echoed back verbatim)", () => {
    const details: JsonObject[] = [
      { type: "reasoning.text", text: "Need the tool.", signature: "sig_abc" },
      { type: "reasoning.encrypted", data: "opaque==" },
    ];
    const b = chat({
      model: "anthropic/claude-sonnet-4.5",
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello", reasoning_details: details },
        { role: "user", content: "Again" },
      ],
    });
    const out = translate("openai-chat", "openai-chat", b);
    expect(objs(out.body.messages)[1]).toEqual({ role: "assistant", content: "Hello", reasoning_details: details });
  });

  it("→ anthropic: thinking on + open tool loop without a replayable thinking block turns thinking off (§3.5)", () => {
    const out = translate("openai-chat", "anthropic", { ...body, reasoning_effort: "high" });
    expect(out.body.thinking).toBeUndefined();
    expectWarning(out.warnings, "thinking_disabled", "thinking");
  });
});

// ---------------------------------------------------------------------------------------------------------
// 9. Max tokens
// ---------------------------------------------------------------------------------------------------------

describe("chat client: max tokens mapping", () => {
  const base = { model: CLAUDE, messages: [{ role: "user", content: "Hi" }] };

  it("→ anthropic: no limit sent → model-aware default (sonnet-4-5: 64k, opus-4-7: 128k) or the configured default", () => {
    expect(translate("openai-chat", "anthropic", base).body.max_tokens).toBe(64_000);
    expect(translate("openai-chat", "anthropic", { ...base, model: OPUS47 }).body.max_tokens).toBe(128_000);
    expect(translate("openai-chat", "anthropic", base, { defaultMaxTokens: 4096 }).body.max_tokens).toBe(4096);
  });

  it("max_completion_tokens → anthropic max_tokens / responses max_output_tokens / chat max_completion_tokens", () => {
    const b = { ...base, max_completion_tokens: 1000 };
    expect(translate("openai-chat", "anthropic", b).body.max_tokens).toBe(1000);
    const r = translate("openai-chat", "openai-responses", b).body;
    expect(r.max_output_tokens).toBe(1000);
    expect(r.max_completion_tokens).toBeUndefined();
    expect(translate("openai-chat", "openai-chat", b).body.max_completion_tokens).toBe(1000);
  });

  it("deprecated max_tokens → chat max_completion_tokens by default, max_tokens when configured (§1.1)", () => {
    const b = { ...base, max_tokens: 1000 };
    const def = translate("openai-chat", "openai-chat", b).body;
    expect(def.max_completion_tokens).toBe(1000);
    expect(def.max_tokens).toBeUndefined();
    const legacy = translate("openai-chat", "openai-chat", b, { maxTokensField: "max_tokens" }).body;
    expect(legacy.max_tokens).toBe(1000);
    expect(legacy.max_completion_tokens).toBeUndefined();
    expect(translate("openai-chat", "anthropic", b).body.max_tokens).toBe(1000);
  });

  it("→ responses: below the minimum of 16 is raised, with a warning (§2.1)", () => {
    const out = translate("openai-chat", "openai-responses", { ...base, max_completion_tokens: 8 });
    expect(out.body.max_output_tokens).toBe(16);
    expectWarning(out.warnings, "max_tokens_raised", "max_output_tokens");
  });
});

// ---------------------------------------------------------------------------------------------------------
// 10. Effort ⇄ thinking
// ---------------------------------------------------------------------------------------------------------

describe("chat client: reasoning_effort → thinking / reasoning", () => {
  const base = { model: CLAUDE, messages: [{ role: "user", content: "Prove it." }] };

  it("→ anthropic claude-sonnet-4-5 (budget-only): thinking enabled with a budget ≥1024 and < max_tokens, no adaptive", () => {
    const out = translate("openai-chat", "anthropic", { ...base, reasoning_effort: "high" });
    const thinking = obj(out.body.thinking);
    expect(thinking).toEqual({ type: "enabled", budget_tokens: expect.any(Number) });
    expect(thinking.budget_tokens as number).toBeGreaterThanOrEqual(1024);
    expect(thinking.budget_tokens as number).toBeLessThan(out.body.max_tokens as number);
    expect(out.body.output_config).toBeUndefined();
  });

  it("→ anthropic claude-sonnet-4-5: budget grows with effort", () => {
    const budget = (effort: string) =>
      obj(translate("openai-chat", "anthropic", { ...base, reasoning_effort: effort }).body.thinking)
        .budget_tokens as number;
    const b = ["minimal", "low", "medium", "high", "xhigh"].map(budget);
    expect(b[0]).toBe(1024);
    for (let i = 1; i < b.length; i++) expect(b[i]!).toBeGreaterThan(b[i - 1]!);
  });

  it("→ anthropic claude-opus-4-7 (adaptive-only): {type:'adaptive'} + output_config.effort", () => {
    const out = translate("openai-chat", "anthropic", { ...base, model: OPUS47, reasoning_effort: "high" });
    expect(out.body.thinking).toEqual({ type: "adaptive" });
    expect(out.body.output_config).toEqual({ effort: "high" });
    expect(out.body.max_tokens).toBe(128_000);
  });

  it("→ anthropic claude-opus-4-7: minimal → low, xhigh/max kept (§5.4)", () => {
    const eff = (e: string) =>
      obj(translate("openai-chat", "anthropic", { ...base, model: OPUS47, reasoning_effort: e }).body.output_config)
        .effort;
    expect(eff("minimal")).toBe("low");
    expect(eff("low")).toBe("low");
    expect(eff("medium")).toBe("medium");
    expect(eff("xhigh")).toBe("xhigh");
    expect(eff("max")).toBe("max");
  });

  it("→ anthropic: effort none → thinking disabled where allowed; omitted on adaptive-only models", () => {
    expect(translate("openai-chat", "anthropic", { ...base, reasoning_effort: "none" }).body.thinking).toEqual({
      type: "disabled",
    });
    const opus = translate("openai-chat", "anthropic", { ...base, model: OPUS47, reasoning_effort: "none" }).body;
    expect(opus.thinking).toBeUndefined();
    expect(opus.output_config).toBeUndefined();
  });

  it("→ anthropic: an explicit small max_completion_tokens clamps the budget below it", () => {
    const out = translate("openai-chat", "anthropic", {
      ...base,
      reasoning_effort: "high",
      max_completion_tokens: 8000,
    });
    expect(out.body.max_tokens).toBe(8000);
    const budget = obj(out.body.thinking).budget_tokens as number;
    expect(budget).toBeGreaterThanOrEqual(1024);
    expect(budget).toBeLessThan(8000);
    expectWarning(out.warnings, "thinking_budget_clamped");
  });

  it("→ anthropic: a configured default max_tokens never ends up at or below the budget (§6.18)", () => {
    const out = translate(
      "openai-chat",
      "anthropic",
      { ...base, reasoning_effort: "high" },
      { defaultMaxTokens: 4096 },
    );
    const budget = obj(out.body.thinking).budget_tokens as number;
    expect(budget).toBeGreaterThanOrEqual(1024);
    expect(out.body.max_tokens as number).toBeGreaterThan(budget);
  });

  it("→ anthropic: max_completion_tokens ≤ 1024 leaves no room for a budget, so thinking is left off", () => {
    const out = translate("openai-chat", "anthropic", {
      ...base,
      reasoning_effort: "low",
      max_completion_tokens: 1000,
    });
    expect(out.body.max_tokens).toBe(1000);
    expect(out.body.thinking).toBeUndefined();
    expectWarning(out.warnings, "thinking_dropped", "thinking");
  });

  it("→ responses: reasoning.effort, a summary, and the encrypted_content include (store:false, §2.4)", () => {
    const out = translate("openai-chat", "openai-responses", { ...base, reasoning_effort: "high" });
    expect(out.body).toEqual({
      model: CLAUDE,
      input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "Prove it." }] }],
      reasoning: { effort: "high", summary: "auto" },
      store: false,
      include: ["reasoning.encrypted_content"],
      stream: false,
    });
    const noSummary = translate(
      "openai-chat",
      "openai-responses",
      { ...base, reasoning_effort: "low" },
      { defaultSummary: null },
    );
    expect(noSummary.body.reasoning).toEqual({ effort: "low" });
  });

  it("→ chat: reasoning_effort unchanged", () => {
    expect(translate("openai-chat", "openai-chat", { ...base, reasoning_effort: "xhigh" }).body.reasoning_effort).toBe(
      "xhigh",
    );
  });
});

// ---------------------------------------------------------------------------------------------------------
// 11. Tool id sanitising for Anthropic
// ---------------------------------------------------------------------------------------------------------

describe("chat client: Kimi-style tool ids routed to Anthropic (§3.3, §6.5)", () => {
  const body = chat({
    model: CLAUDE,
    tools: [
      { type: "function", function: { name: "Bash", parameters: { type: "object", properties: {} } } },
      { type: "function", function: { name: "Read", parameters: { type: "object", properties: {} } } },
    ],
    messages: [
      { role: "user", content: "go" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "functions.Bash:0", type: "function", function: { name: "Bash", arguments: '{"command":"ls"}' } },
          { id: "functions.Read:1", type: "function", function: { name: "Read", arguments: '{"path":"a"}' } },
        ],
      },
      { role: "tool", tool_call_id: "functions.Bash:0", content: "a.txt" },
      { role: "tool", tool_call_id: "functions.Read:1", content: "hello" },
    ],
  });

  it("→ anthropic: ids rewritten to ^[a-zA-Z0-9_-]+$, identically on tool_use and tool_result, kept distinct", () => {
    const out = translate("openai-chat", "anthropic", body);
    const msgs = objs(out.body.messages);
    const uses = objs(msgs[1]!.content);
    const results = objs(msgs[2]!.content);
    const ids = uses.map((u) => u.id as string);
    for (const id of ids) expect(id).toMatch(ANTHROPIC_TOOL_ID);
    expect(new Set(ids).size).toBe(2);
    expect(results.map((r) => r.tool_use_id)).toEqual(ids);
    // Deterministic: the same request gives the same ids.
    const again = objs(objs(translate("openai-chat", "anthropic", body).body.messages)[1]!.content).map((u) => u.id);
    expect(again).toEqual(ids);
  });

  it("→ anthropic: ids that differ only in illegal characters stay distinct", () => {
    const b = chat({
      model: CLAUDE,
      messages: [
        { role: "user", content: "go" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "a.b", type: "function", function: { name: "f", arguments: "{}" } },
            { id: "a:b", type: "function", function: { name: "f", arguments: "{}" } },
          ],
        },
        { role: "tool", tool_call_id: "a.b", content: "1" },
        { role: "tool", tool_call_id: "a:b", content: "2" },
      ],
    });
    const msgs = objs(translate("openai-chat", "anthropic", b).body.messages);
    const ids = objs(msgs[1]!.content).map((u) => u.id);
    expect(ids[0]).not.toEqual(ids[1]);
    expect(objs(msgs[2]!.content).map((r) => r.tool_use_id)).toEqual(ids);
  });

  it("→ chat / responses: ids are left alone", () => {
    expect(translate("openai-chat", "openai-chat", body).body).toEqual(body);
    const input = objs(translate("openai-chat", "openai-responses", body).body.input);
    expect(input.filter((i) => i.type === "function_call").map((i) => i.call_id)).toEqual([
      "functions.Bash:0",
      "functions.Read:1",
    ]);
    expect(input.filter((i) => i.type === "function_call_output").map((i) => i.call_id)).toEqual([
      "functions.Bash:0",
      "functions.Read:1",
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 13. Empty / whitespace text, prefill
// ---------------------------------------------------------------------------------------------------------

describe("chat client: empty and whitespace text for Anthropic (§3.3, §6.3)", () => {
  it('drops whitespace-only text parts, empty system, and content:"" / whitespace next to tool_calls', () => {
    const out = translate(
      "openai-chat",
      "anthropic",
      chat({
        model: CLAUDE,
        messages: [
          { role: "system", content: "" },
          {
            role: "user",
            content: [
              { type: "text", text: "   " },
              { type: "text", text: "list files" },
            ],
          },
          {
            role: "assistant",
            content: "",
            tool_calls: [{ id: "call_1", type: "function", function: { name: "ls", arguments: "{}" } }],
          },
          { role: "tool", tool_call_id: "call_1", content: "a.txt" },
          {
            role: "assistant",
            content: " \n",
            tool_calls: [{ id: "call_2", type: "function", function: { name: "ls", arguments: "{}" } }],
          },
          { role: "tool", tool_call_id: "call_2", content: "b.txt" },
        ],
      }),
    );
    expect(out.body.system).toBeUndefined();
    expect(out.body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "list files" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "call_1", name: "ls", input: {} }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "call_1", content: "a.txt" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "call_2", name: "ls", input: {} }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "call_2", content: "b.txt" }] },
    ]);
  });

  it("→ chat: assistant content:'' with tool_calls is sent as null", () => {
    const out = translate(
      "openai-chat",
      "openai-chat",
      chat({
        model: CLAUDE,
        messages: [
          { role: "user", content: "x" },
          {
            role: "assistant",
            content: "",
            tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }],
          },
          { role: "tool", tool_call_id: "c", content: "ok" },
        ],
      }),
    );
    expect(objs(out.body.messages)[1]).toEqual({
      role: "assistant",
      content: null,
      tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }],
    });
  });

  const prefill = chat({
    messages: [
      { role: "user", content: "Finish the sentence: the answer is" },
      { role: "assistant", content: "The answer is " },
    ],
  });

  it("→ anthropic claude-sonnet-4-5: trailing assistant prefill kept without trailing whitespace", () => {
    const out = translate("openai-chat", "anthropic", { ...prefill, model: CLAUDE });
    expect(objs(out.body.messages)[1]).toEqual({
      role: "assistant",
      content: [{ type: "text", text: "The answer is" }],
    });
    expect(out.warnings).toEqual([]);
  });

  it("→ anthropic claude-opus-4-7: prefill is rejected by the model, so it is dropped with a warning (§3.3, §6.4)", () => {
    const out = translate("openai-chat", "anthropic", { ...prefill, model: OPUS47 });
    expect(out.body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Finish the sentence: the answer is" }] },
    ]);
    expectWarning(out.warnings, "prefill_dropped");
  });
});

// ---------------------------------------------------------------------------------------------------------
// 14. tool_choice
// ---------------------------------------------------------------------------------------------------------

describe("chat client: tool_choice and parallel_tool_calls (§5.2)", () => {
  const base = chat({ model: CLAUDE, tools: [weatherTool, timeTool], messages: [{ role: "user", content: "x" }] });
  const to = (target: "anthropic" | "openai-responses" | "openai-chat", extra: JsonObject) =>
    translate("openai-chat", target, { ...base, ...extra });

  it("auto / none / required", () => {
    expect(to("anthropic", { tool_choice: "auto" }).body.tool_choice).toEqual({ type: "auto" });
    expect(to("anthropic", { tool_choice: "none" }).body.tool_choice).toEqual({ type: "none" });
    expect(to("anthropic", { tool_choice: "required" }).body.tool_choice).toEqual({ type: "any" });
    expect(to("openai-responses", { tool_choice: "auto" }).body.tool_choice).toBe("auto");
    expect(to("openai-responses", { tool_choice: "none" }).body.tool_choice).toBe("none");
    expect(to("openai-responses", { tool_choice: "required" }).body.tool_choice).toBe("required");
    expect(to("openai-chat", { tool_choice: "required" }).body.tool_choice).toBe("required");
  });

  it("forced function", () => {
    const tc = { type: "function", function: { name: "get_time" } };
    expect(to("anthropic", { tool_choice: tc }).body.tool_choice).toEqual({ type: "tool", name: "get_time" });
    expect(to("openai-responses", { tool_choice: tc }).body.tool_choice).toEqual({
      type: "function",
      name: "get_time",
    });
    expect(to("openai-chat", { tool_choice: tc }).body.tool_choice).toEqual(tc);
  });

  it("parallel_tool_calls:false ↔ disable_parallel_tool_use (not combinable with none)", () => {
    expect(to("anthropic", { parallel_tool_calls: false }).body.tool_choice).toEqual({
      type: "auto",
      disable_parallel_tool_use: true,
    });
    expect(to("anthropic", { parallel_tool_calls: false, tool_choice: "required" }).body.tool_choice).toEqual({
      type: "any",
      disable_parallel_tool_use: true,
    });
    expect(to("anthropic", { parallel_tool_calls: false, tool_choice: "none" }).body.tool_choice).toEqual({
      type: "none",
    });
    const r = to("openai-responses", { parallel_tool_calls: false }).body;
    expect(r.parallel_tool_calls).toBe(false);
    expect(to("openai-chat", { parallel_tool_calls: false }).body.parallel_tool_calls).toBe(false);
  });

  it("allowed_tools → responses flat form; anthropic filters tools[] with a warning", () => {
    const tc = {
      type: "allowed_tools",
      allowed_tools: { mode: "required", tools: [{ type: "function", function: { name: "get_weather" } }] },
    };
    expect(to("openai-responses", { tool_choice: tc }).body.tool_choice).toEqual({
      type: "allowed_tools",
      mode: "required",
      tools: [{ type: "function", name: "get_weather" }],
    });
    expect(to("openai-chat", { tool_choice: tc }).body.tool_choice).toEqual(tc);
    const a = to("anthropic", { tool_choice: tc });
    expect(objs(a.body.tools).map((t) => t.name)).toEqual(["get_weather"]);
    expect(a.body.tool_choice).toEqual({ type: "any" });
    expectWarning(a.warnings, "allowed_tools", "tool_choice");
  });

  it("→ anthropic: a forced tool_choice cannot be combined with thinking, so it becomes auto (§3.4)", () => {
    const out = to("anthropic", { tool_choice: "required", reasoning_effort: "medium" });
    expect(out.body.tool_choice).toEqual({ type: "auto" });
    expectWarning(out.warnings, "tool_choice_relaxed", "tool_choice");
  });
});

// ---------------------------------------------------------------------------------------------------------
// 15. Unknown / unmapped fields
// ---------------------------------------------------------------------------------------------------------

describe("chat client: fields with no IR mapping", () => {
  const body = {
    model: CLAUDE,
    stream: true,
    stream_options: { include_usage: true, include_obfuscation: false },
    messages: [{ role: "user", content: "Hi" }],
    logprobs: true,
    top_logprobs: 2,
    n: 1,
    frequency_penalty: 0.5,
    logit_bias: { "50256": -100 },
  };

  it("→ chat: carried unchanged", () => {
    const out = translate("openai-chat", "openai-chat", body);
    expect(out.body).toEqual(body);
    expect(out.warnings).toEqual([]);
  });

  for (const target of ["openai-responses", "anthropic"] as const) {
    it(`→ ${target}: each dropped with dropped_field`, () => {
      const out = translate("openai-chat", target, body);
      for (const f of ["logprobs", "top_logprobs", "n", "frequency_penalty", "logit_bias"]) {
        expect(out.body[f]).toBeUndefined();
        expectWarning(out.warnings, "dropped_field", f);
      }
      // A partly mapped object is reported member by member.
      expect(out.body.stream_options).toBeUndefined();
      expectWarning(out.warnings, "dropped_field", "stream_options.include_obfuscation");
    });
  }

  it("→ anthropic: user → metadata.user_id; other metadata, prompt_cache_key and non-auto service_tier are reported", () => {
    const out = translate(
      "openai-chat",
      "anthropic",
      chat({
        model: CLAUDE,
        messages: [{ role: "user", content: "Hi" }],
        user: "user-42",
        metadata: { team: "core" },
        prompt_cache_key: "thread-1",
        service_tier: "flex",
      }),
    );
    expect(out.body.metadata).toEqual({ user_id: "user-42" });
    expect(out.body.prompt_cache_key).toBeUndefined();
    expect(out.body.service_tier).toBeUndefined();
    expectWarning(out.warnings, "dropped_field", "metadata.team");
    expectWarning(out.warnings, "dropped_field", "prompt_cache_key");
    expectWarning(out.warnings, "dropped_field", "service_tier");
  });

  it("→ responses: user, metadata, prompt_cache_key and service_tier exist there and are kept", () => {
    const out = translate(
      "openai-chat",
      "openai-responses",
      chat({
        model: CLAUDE,
        messages: [{ role: "user", content: "Hi" }],
        user: "user-42",
        metadata: { team: "core" },
        prompt_cache_key: "thread-1",
        service_tier: "flex",
      }),
    );
    expect(out.body).toMatchObject({
      user: "user-42",
      metadata: { team: "core" },
      prompt_cache_key: "thread-1",
      service_tier: "flex",
    });
    expect(out.warnings).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 16. Custom (free-form / grammar) tools
// ---------------------------------------------------------------------------------------------------------

describe("chat client: custom grammar tool", () => {
  const grammar = "start: begin_patch hunk+ end_patch";
  const body = chat({
    model: CLAUDE,
    tools: [
      {
        type: "custom",
        custom: {
          name: "apply_patch",
          description: "Apply a patch",
          format: { type: "grammar", grammar: { syntax: "lark", definition: grammar } },
        },
      },
    ],
    messages: [
      { role: "user", content: "patch it" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_p", type: "custom", custom: { name: "apply_patch", input: "*** Begin Patch\n*** End Patch" } },
        ],
      },
      { role: "tool", tool_call_id: "call_p", content: "Done" },
    ],
  });

  it("→ chat: unchanged (nested custom tool)", () => {
    const out = translate("openai-chat", "openai-chat", body);
    expect(out.body).toEqual(body);
    expect(out.warnings).toEqual([]);
  });

  it("→ chat without custom tool support: emulated as a function with one string input", () => {
    const out = translate("openai-chat", "openai-chat", body, { customTools: false });
    expect(out.body.tools).toEqual([
      {
        type: "function",
        function: {
          name: "apply_patch",
          description: expect.stringContaining("Apply a patch"),
          parameters: {
            type: "object",
            properties: { input: expect.objectContaining({ type: "string" }) },
            required: ["input"],
          },
        },
      },
    ]);
    expect(objs(out.body.messages)[1]!.tool_calls).toEqual([
      {
        id: "call_p",
        type: "function",
        function: { name: "apply_patch", arguments: JSON.stringify({ input: "*** Begin Patch\n*** End Patch" }) },
      },
    ]);
    expect(out.tools.get("apply_patch")).toEqual({ name: "apply_patch", kind: "custom", wrapped: true });
    expectWarning(out.warnings, "grammar_dropped", "tools[0]");
  });

  it("→ responses: flat custom tool, custom_tool_call + custom_tool_call_output (§2.2, §5.2)", () => {
    const out = translate("openai-chat", "openai-responses", body);
    expect(out.body.tools).toEqual([
      {
        type: "custom",
        name: "apply_patch",
        description: "Apply a patch",
        format: { type: "grammar", syntax: "lark", definition: grammar },
      },
    ]);
    expect(out.body.input).toEqual([
      { type: "message", role: "user", content: [{ type: "input_text", text: "patch it" }] },
      { type: "custom_tool_call", call_id: "call_p", name: "apply_patch", input: "*** Begin Patch\n*** End Patch" },
      { type: "custom_tool_call_output", call_id: "call_p", output: "Done" },
    ]);
  });

  it("→ anthropic: emulated as a function with one string input property; mapping returned", () => {
    const out = translate("openai-chat", "anthropic", body);
    expect(out.body.tools).toEqual([
      {
        name: "apply_patch",
        description: expect.stringContaining("Apply a patch"),
        input_schema: {
          type: "object",
          properties: { input: expect.objectContaining({ type: "string" }) },
          required: ["input"],
        },
      },
    ]);
    expect(objs(out.body.messages)[1]).toEqual({
      role: "assistant",
      content: [
        { type: "tool_use", id: "call_p", name: "apply_patch", input: { input: "*** Begin Patch\n*** End Patch" } },
      ],
    });
    expect(objs(out.body.messages)[2]).toEqual({
      role: "user",
      content: [{ type: "tool_result", tool_use_id: "call_p", content: "Done" }],
    });
    expect([...out.tools]).toEqual([["apply_patch", { name: "apply_patch", kind: "custom", wrapped: true }]]);
    expectWarning(out.warnings, "grammar_dropped", "tools[0]");
  });

  it("forced custom tool_choice", () => {
    const b = { ...body, tool_choice: { type: "custom", custom: { name: "apply_patch" } } };
    expect(translate("openai-chat", "openai-responses", b).body.tool_choice).toEqual({
      type: "custom",
      name: "apply_patch",
    });
    expect(translate("openai-chat", "anthropic", b).body.tool_choice).toEqual({ type: "tool", name: "apply_patch" });
    expect(translate("openai-chat", "openai-chat", b).body.tool_choice).toEqual(b.tool_choice);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 18. Structured output
// ---------------------------------------------------------------------------------------------------------

describe("chat client: response_format", () => {
  const schema = {
    type: "object",
    properties: { city: { type: "string" }, temp: { type: "number" } },
    required: ["city", "temp"],
    additionalProperties: false,
  };
  const jsonSchema = chat({
    model: CLAUDE,
    messages: [{ role: "user", content: "Weather as JSON" }],
    response_format: { type: "json_schema", json_schema: { name: "weather", schema, strict: true } },
  });

  it("json_schema → chat unchanged", () => {
    expect(translate("openai-chat", "openai-chat", jsonSchema).body).toEqual(jsonSchema);
  });

  it("json_schema → responses text.format (flattened, §2.1)", () => {
    const out = translate("openai-chat", "openai-responses", jsonSchema);
    expect(out.body.text).toEqual({ format: { type: "json_schema", name: "weather", schema, strict: true } });
    expect(out.body.response_format).toBeUndefined();
  });

  it("json_schema → anthropic output_config.format", () => {
    const out = translate("openai-chat", "anthropic", jsonSchema);
    expect(out.body.output_config).toEqual({ format: { type: "json_schema", schema } });
    expect(out.body.response_format).toBeUndefined();
  });

  it("json_object → responses text.format json_object", () => {
    const b = { ...jsonSchema, response_format: { type: "json_object" } };
    expect(translate("openai-chat", "openai-responses", b).body.text).toEqual({ format: { type: "json_object" } });
  });

  it("json_object → anthropic: emulated with a system instruction (§9.14), with a warning", () => {
    const b = { ...jsonSchema, response_format: { type: "json_object" } };
    const out = translate("openai-chat", "anthropic", b);
    expectWarning(out.warnings, "json_object_emulated", "response_format");
    // The warning says it is emulated: the instruction must actually reach the upstream.
    expect(JSON.stringify(out.body.system ?? null)).toMatch(/JSON/);
  });

  it("json_object → anthropic with an existing system prompt: instruction appended to it", () => {
    const b = {
      ...jsonSchema,
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Weather as JSON" },
      ],
      response_format: { type: "json_object" },
    };
    const out = translate("openai-chat", "anthropic", b);
    const system = JSON.stringify(out.body.system ?? null);
    expect(system).toMatch(/You are terse\./);
    expect(system).toMatch(/JSON/);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 19. Sampling parameters
// ---------------------------------------------------------------------------------------------------------

describe("chat client: sampling parameters", () => {
  const body = chat({
    model: CLAUDE,
    messages: [{ role: "user", content: "Hi" }],
    temperature: 0.2,
    top_p: 0.9,
    stop: ["END"],
    seed: 42,
  });

  it("→ chat: unchanged", () => {
    const out = translate("openai-chat", "openai-chat", body);
    expect(out.body).toEqual(body);
    expect(out.warnings).toEqual([]);
  });

  it("→ responses: temperature/top_p kept; stop and seed do not exist there (§2.1, §6.21)", () => {
    const out = translate("openai-chat", "openai-responses", body);
    expect(out.body).toEqual({
      model: CLAUDE,
      input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "Hi" }] }],
      temperature: 0.2,
      top_p: 0.9,
      store: false,
      stream: false,
    });
    expect(warningKeys(out.warnings).sort()).toEqual(["dropped_field@seed", "dropped_field@stop"]);
  });

  it("→ anthropic claude-sonnet-4-5: temperature, top_p, stop_sequences; seed dropped", () => {
    const out = translate("openai-chat", "anthropic", body);
    expect(out.body).toEqual({
      model: CLAUDE,
      max_tokens: 64_000,
      messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
      temperature: 0.2,
      top_p: 0.9,
      stop_sequences: ["END"],
      stream: false,
    });
    expect(warningKeys(out.warnings)).toEqual(["dropped_field@seed"]);
  });

  it("→ anthropic claude-opus-4-7: non-default temperature dropped, top_p raised to 0.99 (§3.2, §6.19)", () => {
    const out = translate("openai-chat", "anthropic", { ...body, model: OPUS47 });
    expect(out.body.temperature).toBeUndefined();
    expect(out.body.top_p).toBe(0.99);
    expect(out.body.stop_sequences).toEqual(["END"]);
    expectWarning(out.warnings, "temperature_dropped", "temperature");
    expectWarning(out.warnings, "top_p_clamped", "top_p");
  });

  it("→ anthropic with thinking: temperature must be 1 or unset, top_p ≥ 0.95 (§3.2)", () => {
    const out = translate("openai-chat", "anthropic", { ...body, reasoning_effort: "low" });
    expect(out.body.temperature).toBeUndefined();
    expect(out.body.top_p).toBe(0.95);
    expectWarning(out.warnings, "temperature_dropped", "temperature");
    expectWarning(out.warnings, "top_p_clamped", "top_p");
  });

  it("→ anthropic: temperature above Anthropic's 0..1 range is clamped, and the change is reported", () => {
    const out = translate("openai-chat", "anthropic", { ...body, temperature: 1.5 });
    expect(out.body.temperature).toBe(1);
    expect(out.warnings.some((w) => w.param === "temperature")).toBe(true);
  });
});
