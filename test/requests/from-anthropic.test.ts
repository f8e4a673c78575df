/**
 * Anthropic Messages client (Claude Code, OpenCode's @ai-sdk/anthropic) → every upstream. Expected bodies are
 * written by hand from /work/shared/reference/wire-protocols.md (§3.2–3.5 for the client side, §1.1–1.3 /
 * §2.1–2.3 for the upstreams, §5 for the mappings and §6 for the pitfalls).
 */
import { describe, expect, it } from "vitest";
import { EFFORTS } from "../../src/ir/effort.js";
import type { JsonObject } from "../../src/ir/types.js";
import { expectNoWarning, expectWarning, obj, objs, translate, warningKeys } from "./helpers.js";

const CLAUDE = "claude-sonnet-4-5";
const OPUS47 = "claude-opus-4-7";

const readSchema = {
  type: "object",
  properties: { file_path: { type: "string" }, limit: { type: "number" } },
  required: ["file_path"],
};
const readTool = {
  name: "Read",
  description: "Read a file",
  input_schema: readSchema,
  cache_control: { type: "ephemeral" },
};

// ---------------------------------------------------------------------------------------------------------
// 1. Plain text turn
// ---------------------------------------------------------------------------------------------------------

describe("anthropic client: plain text turn", () => {
  const body = { model: CLAUDE, max_tokens: 1024, messages: [{ role: "user", content: "Hello" }] };

  it("→ anthropic: same request (string content as the equivalent text block)", () => {
    const out = translate("anthropic", "anthropic", body);
    expect(out.body).toEqual({
      model: CLAUDE,
      max_tokens: 1024,
      messages: [{ role: "user", content: [{ type: "text", text: "Hello" }] }],
      stream: false,
    });
    expect(out.warnings).toEqual([]);
  });

  it("→ chat: user string message, max_completion_tokens", () => {
    const out = translate("anthropic", "openai-chat", body);
    expect(out.body).toEqual({
      model: CLAUDE,
      messages: [{ role: "user", content: "Hello" }],
      max_completion_tokens: 1024,
    });
    expect(out.warnings).toEqual([]);
  });

  it("→ responses: user message item, max_output_tokens, store:false", () => {
    const out = translate("anthropic", "openai-responses", body);
    expect(out.body).toEqual({
      model: CLAUDE,
      input: [{ type: "message", role: "user", content: [{ type: "input_text", text: "Hello" }] }],
      max_output_tokens: 1024,
      store: false,
      stream: false,
    });
    expect(out.warnings).toEqual([]);
  });

  it("streaming", () => {
    const s = { ...body, stream: true };
    expect(translate("anthropic", "anthropic", s).body.stream).toBe(true);
    expect(translate("anthropic", "openai-chat", s).body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(translate("anthropic", "openai-responses", s).body.stream).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 2 + 3. system string / cached blocks / mid-conversation system (Claude Code), multi-turn
// ---------------------------------------------------------------------------------------------------------

describe("anthropic client: system placement", () => {
  it("system string → chat system message / responses instructions", () => {
    const body = {
      model: CLAUDE,
      max_tokens: 1024,
      system: "You are Claude Code.",
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello!" },
        { role: "user", content: "Help me" },
      ],
    };
    expect(translate("anthropic", "openai-chat", body).body.messages).toEqual([
      { role: "system", content: "You are Claude Code." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello!" },
      { role: "user", content: "Help me" },
    ]);
    const r = translate("anthropic", "openai-responses", body).body;
    expect(r.instructions).toBe("You are Claude Code.");
    expect(r.input).toEqual([
      { type: "message", role: "user", content: [{ type: "input_text", text: "Hi" }] },
      { type: "message", role: "assistant", content: [{ type: "output_text", text: "Hello!", annotations: [] }] },
      { type: "message", role: "user", content: [{ type: "input_text", text: "Help me" }] },
    ]);
    expect(translate("anthropic", "anthropic", body).body.system).toBe("You are Claude Code.");
  });

  // Claude Code: cached system blocks, plus a role:"system" message in the middle of messages (§3.2, NEW).
  const claudeCode = {
    model: CLAUDE,
    max_tokens: 32_000,
    system: [
      { type: "text", text: "x-anthropic-billing-header: cc_version=2.1.197;" },
      { type: "text", text: "You are a Claude agent.", cache_control: { type: "ephemeral" } },
    ],
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "<system-reminder>context</system-reminder>" },
          { type: "text", text: "say hi", cache_control: { type: "ephemeral" } },
        ],
      },
      { role: "system", content: "The user switched to plan mode." },
    ],
    stream: true,
  };

  it("→ anthropic: cached system blocks and the mid-conversation system message kept in place", () => {
    const out = translate("anthropic", "anthropic", claudeCode);
    expect(out.body).toEqual({
      model: CLAUDE,
      max_tokens: 32_000,
      system: claudeCode.system,
      messages: [
        claudeCode.messages[0],
        { role: "system", content: [{ type: "text", text: "The user switched to plan mode." }] },
      ],
      stream: true,
    });
    expect(out.warnings).toEqual([]);
  });

  it("→ chat: system blocks in one leading system message (in order); mid system message kept in place", () => {
    const out = translate("anthropic", "openai-chat", claudeCode);
    const msgs = objs(out.body.messages);
    expect(msgs).toHaveLength(3);
    expect(msgs[0]!.role).toBe("system");
    expect(JSON.stringify(msgs[0]!.content)).toMatch(/x-anthropic-billing-header[\s\S]*You are a Claude agent\./);
    expect(msgs.slice(1)).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "<system-reminder>context</system-reminder>" },
          { type: "text", text: "say hi" },
        ],
      },
      { role: "system", content: "The user switched to plan mode." },
    ]);
  });

  it("→ responses: system blocks joined into instructions; mid system message stays an input message", () => {
    const out = translate("anthropic", "openai-responses", claudeCode);
    expect(out.body.instructions).toBe("x-anthropic-billing-header: cc_version=2.1.197;\n\nYou are a Claude agent.");
    expect(out.body.input).toEqual([
      {
        type: "message",
        role: "user",
        content: [
          { type: "input_text", text: "<system-reminder>context</system-reminder>" },
          { type: "input_text", text: "say hi" },
        ],
      },
      { type: "message", role: "system", content: [{ type: "input_text", text: "The user switched to plan mode." }] },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 4. Tools, single call + result
// ---------------------------------------------------------------------------------------------------------

describe("anthropic client: tool definitions, single tool_use + tool_result", () => {
  const body = {
    model: CLAUDE,
    max_tokens: 4096,
    tools: [readTool],
    tool_choice: { type: "auto" },
    messages: [
      { role: "user", content: "Read /a" },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Reading." },
          { type: "tool_use", id: "toolu_01", name: "Read", input: { file_path: "/a" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_01", content: "hello", cache_control: { type: "ephemeral" } },
        ],
      },
    ],
  };

  it("→ anthropic: unchanged (tool and tool_result cache_control kept)", () => {
    const out = translate("anthropic", "anthropic", body);
    expect(out.body).toEqual({
      ...body,
      messages: [{ role: "user", content: [{ type: "text", text: "Read /a" }] }, body.messages[1], body.messages[2]],
      stream: false,
    });
    expect(out.warnings).toEqual([]);
  });

  it("→ chat: function tool from input_schema; tool_calls with JSON arguments; tool message", () => {
    const out = translate("anthropic", "openai-chat", body);
    expect(out.body).toEqual({
      model: CLAUDE,
      max_completion_tokens: 4096,
      tools: [{ type: "function", function: { name: "Read", description: "Read a file", parameters: readSchema } }],
      tool_choice: "auto",
      messages: [
        { role: "user", content: "Read /a" },
        {
          role: "assistant",
          content: "Reading.",
          tool_calls: [
            { id: "toolu_01", type: "function", function: { name: "Read", arguments: '{"file_path":"/a"}' } },
          ],
        },
        { role: "tool", tool_call_id: "toolu_01", content: "hello" },
      ],
    });
  });

  it("→ responses: flat function tool with strict:false (§2.3, §6.22); message + function_call + output", () => {
    const out = translate("anthropic", "openai-responses", body);
    expect(out.body).toEqual({
      model: CLAUDE,
      max_output_tokens: 4096,
      tools: [{ type: "function", name: "Read", description: "Read a file", parameters: readSchema, strict: false }],
      tool_choice: "auto",
      input: [
        { type: "message", role: "user", content: [{ type: "input_text", text: "Read /a" }] },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "Reading.", annotations: [] }] },
        { type: "function_call", call_id: "toolu_01", name: "Read", arguments: '{"file_path":"/a"}' },
        { type: "function_call_output", call_id: "toolu_01", output: "hello" },
      ],
      store: false,
      stream: false,
    });
  });

  it("Anthropic server tools have no equivalent: dropped with tool_dropped", () => {
    const b = { ...body, tools: [readTool, { type: "web_search_20250305", name: "web_search", max_uses: 3 }] };
    for (const target of ["openai-chat", "openai-responses"] as const) {
      const out = translate("anthropic", target, b);
      expect(objs(out.body.tools)).toHaveLength(1);
      expectWarning(out.warnings, "tool_dropped", "tools[1]");
    }
    expect(translate("anthropic", "anthropic", b).body.tools).toEqual(b.tools);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 5. Parallel tool_use
// ---------------------------------------------------------------------------------------------------------

describe("anthropic client: parallel tool_use + results followed by text", () => {
  const body = {
    model: CLAUDE,
    max_tokens: 4096,
    tools: [readTool],
    messages: [
      { role: "user", content: "Read both" },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "toolu_a", name: "Read", input: { file_path: "/a" } },
          { type: "tool_use", id: "toolu_b", name: "Read", input: { file_path: "/b" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_a", content: "A" },
          { type: "tool_result", tool_use_id: "toolu_b", content: [{ type: "text", text: "B" }] },
          { type: "text", text: "continue" },
        ],
      },
    ],
  };

  it("→ chat: tool messages in order, then the remaining user text (§5.1)", () => {
    const out = translate("anthropic", "openai-chat", body);
    expect(out.body.messages).toEqual([
      { role: "user", content: "Read both" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "toolu_a", type: "function", function: { name: "Read", arguments: '{"file_path":"/a"}' } },
          { id: "toolu_b", type: "function", function: { name: "Read", arguments: '{"file_path":"/b"}' } },
        ],
      },
      { role: "tool", tool_call_id: "toolu_a", content: "A" },
      { role: "tool", tool_call_id: "toolu_b", content: "B" },
      { role: "user", content: "continue" },
    ]);
  });

  it("→ responses: two function_calls, two outputs, then the user message", () => {
    const out = translate("anthropic", "openai-responses", body);
    expect(out.body.input).toEqual([
      { type: "message", role: "user", content: [{ type: "input_text", text: "Read both" }] },
      { type: "function_call", call_id: "toolu_a", name: "Read", arguments: '{"file_path":"/a"}' },
      { type: "function_call", call_id: "toolu_b", name: "Read", arguments: '{"file_path":"/b"}' },
      { type: "function_call_output", call_id: "toolu_a", output: "A" },
      { type: "function_call_output", call_id: "toolu_b", output: "B" },
      { type: "message", role: "user", content: [{ type: "input_text", text: "continue" }] },
    ]);
  });

  it("→ anthropic: results stay first in the same user message", () => {
    const out = translate("anthropic", "anthropic", body);
    // A text-only tool_result content array and its string form are equivalent (§3.3).
    expect(objs(out.body.messages)[2]).toEqual({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_a", content: "A" },
        { type: "tool_result", tool_use_id: "toolu_b", content: "B" },
        { type: "text", text: "continue" },
      ],
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// 6. tool_result with is_error and with an image
// ---------------------------------------------------------------------------------------------------------

describe("anthropic client: tool_result is_error and images", () => {
  const call = (id: string) => ({ type: "tool_use", id, name: "Bash", input: { command: "x" } });
  const withResults = (results: JsonObject[], extra: JsonObject[] = []) => ({
    model: CLAUDE,
    max_tokens: 4096,
    messages: [
      { role: "user", content: "run" },
      { role: "assistant", content: results.map((r) => call(r.tool_use_id as string)) },
      { role: "user", content: [...results, ...extra] },
    ],
  });

  const errorBody = withResults([
    { type: "tool_result", tool_use_id: "toolu_e", content: "command not found", is_error: true },
  ]);

  it("is_error → anthropic kept", () => {
    expect(objs(translate("anthropic", "anthropic", errorBody).body.messages)[2]).toEqual(errorBody.messages[2]);
  });

  it("is_error → chat: [error] prefix, reported as lossy (§5.1)", () => {
    const out = translate("anthropic", "openai-chat", errorBody);
    expect(objs(out.body.messages)[2]).toEqual({
      role: "tool",
      tool_call_id: "toolu_e",
      content: "[error] command not found",
    });
    expectWarning(out.warnings, "is_error_lossy");
  });

  it("is_error → responses: [error] prefix, reported as lossy", () => {
    const out = translate("anthropic", "openai-responses", errorBody);
    expect(objs(out.body.input)[2]).toEqual({
      type: "function_call_output",
      call_id: "toolu_e",
      output: "[error] command not found",
    });
    expectWarning(out.warnings, "is_error_lossy");
  });

  const image = { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } };
  const imageBody = withResults([
    { type: "tool_result", tool_use_id: "toolu_i", content: [{ type: "text", text: "Screenshot:" }, image] },
  ]);

  it("image → anthropic kept", () => {
    expect(objs(translate("anthropic", "anthropic", imageBody).body.messages)[2]).toEqual(imageBody.messages[2]);
  });

  it("image → responses: function_call_output with an input_image part (§2.2)", () => {
    const out = translate("anthropic", "openai-responses", imageBody);
    expect(objs(out.body.input)[2]).toEqual({
      type: "function_call_output",
      call_id: "toolu_i",
      output: [
        { type: "input_text", text: "Screenshot:" },
        { type: "input_image", image_url: "data:image/png;base64,iVBORw0KGgo=", detail: "auto" },
      ],
    });
    expect(out.warnings).toEqual([]);
  });

  it("image → chat: text stays in the tool message, the image moves to a following user message (§5.1)", () => {
    const out = translate("anthropic", "openai-chat", imageBody);
    expect(objs(out.body.messages).slice(2)).toEqual([
      { role: "tool", tool_call_id: "toolu_i", content: "Screenshot:" },
      { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }] },
    ]);
    expectWarning(out.warnings, "tool_result_media_moved");
  });

  it("image + is_error → responses: [error] marker kept in front of the parts", () => {
    const b = withResults([
      {
        type: "tool_result",
        tool_use_id: "toolu_i",
        content: [{ type: "text", text: "Crash:" }, image],
        is_error: true,
      },
    ]);
    const out = translate("anthropic", "openai-responses", b);
    expect(objs(out.body.input)[2]).toEqual({
      type: "function_call_output",
      call_id: "toolu_i",
      output: [
        { type: "input_text", text: "[error]" },
        { type: "input_text", text: "Crash:" },
        { type: "input_image", image_url: "data:image/png;base64,iVBORw0KGgo=", detail: "auto" },
      ],
    });
  });

  it("parallel results with an image → chat: every tool message comes before the moved image (§1.2 ordering rule)", () => {
    const b = withResults(
      [
        { type: "tool_result", tool_use_id: "toolu_a", content: [{ type: "text", text: "A:" }, image] },
        { type: "tool_result", tool_use_id: "toolu_b", content: "B" },
      ],
      [{ type: "text", text: "what do you see?" }],
    );
    const out = translate("anthropic", "openai-chat", b);
    expect(objs(out.body.messages).slice(2)).toEqual([
      { role: "tool", tool_call_id: "toolu_a", content: "A:" },
      { role: "tool", tool_call_id: "toolu_b", content: "B" },
      { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }] },
      { role: "user", content: "what do you see?" },
    ]);
  });

  it("empty tool_result content", () => {
    const b = withResults([{ type: "tool_result", tool_use_id: "toolu_0" }]);
    expect(objs(translate("anthropic", "openai-chat", b).body.messages)[2]).toEqual({
      role: "tool",
      tool_call_id: "toolu_0",
      content: "",
    });
    expect(objs(translate("anthropic", "openai-responses", b).body.input)[2]).toEqual({
      type: "function_call_output",
      call_id: "toolu_0",
      output: "",
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// 7. User images / documents
// ---------------------------------------------------------------------------------------------------------

describe("anthropic client: user images and documents", () => {
  const body = {
    model: CLAUDE,
    max_tokens: 1024,
    messages: [
      {
        role: "user",
        content: [
          { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" } },
          { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
          {
            type: "document",
            source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" },
            title: "spec.pdf",
          },
          { type: "text", text: "Compare" },
        ],
      },
    ],
  };

  it("→ chat: base64 source becomes a data URL; url stays a URL; PDF becomes a file part", () => {
    const out = translate("anthropic", "openai-chat", body);
    expect(out.body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQ" } },
          { type: "image_url", image_url: { url: "https://example.com/a.png" } },
          { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "spec.pdf" } },
          { type: "text", text: "Compare" },
        ],
      },
    ]);
    expect(out.warnings).toEqual([]);
  });

  it("→ responses: input_image (detail auto) and input_file", () => {
    const out = translate("anthropic", "openai-responses", body);
    expect(out.body.input).toEqual([
      {
        type: "message",
        role: "user",
        content: [
          { type: "input_image", image_url: "data:image/jpeg;base64,/9j/4AAQ", detail: "auto" },
          { type: "input_image", image_url: "https://example.com/a.png", detail: "auto" },
          { type: "input_file", file_data: "data:application/pdf;base64,JVBERi0=", filename: "spec.pdf" },
          { type: "input_text", text: "Compare" },
        ],
      },
    ]);
  });

  it("→ anthropic: unchanged", () => {
    expect(translate("anthropic", "anthropic", body).body.messages).toEqual(body.messages);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 8. Thinking history
// ---------------------------------------------------------------------------------------------------------

describe("anthropic client: thinking + signature and redacted_thinking history", () => {
  const assistant = {
    role: "assistant",
    content: [
      { type: "thinking", thinking: "I should read the file.", signature: "EqQBCkgIARABGAIiQL" },
      { type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix" },
      { type: "text", text: "Let me read it." },
      { type: "tool_use", id: "toolu_01", name: "Read", input: { file_path: "/a" } },
    ],
  };
  const body = {
    model: CLAUDE,
    max_tokens: 32_000,
    thinking: { type: "enabled", budget_tokens: 10_000 },
    tools: [readTool],
    messages: [
      { role: "user", content: "Read /a" },
      assistant,
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01", content: "hello" }] },
    ],
  };

  it("→ anthropic: thinking and redacted_thinking replayed unchanged, in order; thinking stays on", () => {
    const out = translate("anthropic", "anthropic", body);
    expect(objs(out.body.messages)[1]).toEqual(assistant);
    expect(out.body.thinking).toEqual({ type: "enabled", budget_tokens: 10_000 });
    expect(out.warnings).toEqual([]);
  });

  it("→ responses: Anthropic signatures are not OpenAI encrypted_content: dropped with reasoning_dropped (§5.4)", () => {
    const out = translate("anthropic", "openai-responses", body);
    expect(out.body.input).toEqual([
      { type: "message", role: "user", content: [{ type: "input_text", text: "Read /a" }] },
      {
        type: "message",
        role: "assistant",
        content: [{ type: "output_text", text: "Let me read it.", annotations: [] }],
      },
      { type: "function_call", call_id: "toolu_01", name: "Read", arguments: '{"file_path":"/a"}' },
      { type: "function_call_output", call_id: "toolu_01", output: "hello" },
    ]);
    expect(JSON.stringify(out.body)).not.toContain("EqQBCkgIARABGAIiQL");
    expectWarning(out.warnings, "reasoning_dropped");
  });

  it("→ chat: thinking dropped (OpenAI Chat has no opaque reasoning); the loss is reported with reasoning_dropped", () => {
    const out = translate("anthropic", "openai-chat", body);
    expect(objs(out.body.messages)[1]).toEqual({
      role: "assistant",
      content: "Let me read it.",
      tool_calls: [{ id: "toolu_01", type: "function", function: { name: "Read", arguments: '{"file_path":"/a"}' } }],
    });
    expect(JSON.stringify(out.body)).not.toContain("EqQBCkgIARABGAIiQL");
    expectWarning(out.warnings, "reasoning_dropped");
  });

  it("→ chat with reasoningField (DeepSeek): thinking text echoed as reasoning_content, signature not leaked", () => {
    const out = translate("anthropic", "openai-chat", body, { reasoningField: "reasoning_content" });
    expect(objs(out.body.messages)[1]).toEqual({
      role: "assistant",
      content: "Let me read it.",
      reasoning_content: "I should read the file.",
      tool_calls: [{ id: "toolu_01", type: "function", function: { name: "Read", arguments: '{"file_path":"/a"}' } }],
    });
  });

  it("→ anthropic: an open tool loop whose assistant turn lacks thinking turns thinking off (§3.5)", () => {
    const b = {
      ...body,
      messages: [
        body.messages[0],
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "toolu_01", name: "Read", input: { file_path: "/a" } }],
        },
        body.messages[2],
      ],
    };
    const out = translate("anthropic", "anthropic", b);
    expect(out.body.thinking).toBeUndefined();
    expectWarning(out.warnings, "thinking_disabled", "thinking");
  });
});

// ---------------------------------------------------------------------------------------------------------
// 9 + 10. max_tokens, thinking → effort
// ---------------------------------------------------------------------------------------------------------

describe("anthropic client: max_tokens and thinking → effort", () => {
  const base = { model: CLAUDE, messages: [{ role: "user", content: "Prove it." }] };

  it("max_tokens below 16 → responses raised to 16 with a warning; chat unchanged", () => {
    const out = translate("anthropic", "openai-responses", { ...base, max_tokens: 10 });
    expect(out.body.max_output_tokens).toBe(16);
    expectWarning(out.warnings, "max_tokens_raised", "max_output_tokens");
    expect(translate("anthropic", "openai-chat", { ...base, max_tokens: 10 }).body.max_completion_tokens).toBe(10);
    expect(
      translate("anthropic", "openai-chat", { ...base, max_tokens: 10 }, { maxTokensField: "max_tokens" }).body
        .max_tokens,
    ).toBe(10);
  });

  it("enabled + budget_tokens → an effort that grows with the budget", () => {
    const effortFor = (budget: number) =>
      translate("anthropic", "openai-chat", {
        ...base,
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

  it("enabled + budget_tokens → responses reasoning.effort + summary + encrypted include", () => {
    const out = translate("anthropic", "openai-responses", {
      ...base,
      max_tokens: 64_000,
      thinking: { type: "enabled", budget_tokens: 16_000 },
    });
    expect(out.body.reasoning).toEqual({ effort: expect.any(String), summary: "auto" });
    expect(EFFORTS).toContain(obj(out.body.reasoning).effort);
    expect(out.body.include).toEqual(["reasoning.encrypted_content"]);
    expect(out.body.store).toBe(false);
  });

  it("adaptive + output_config.effort → chat reasoning_effort / responses reasoning.effort", () => {
    const b = {
      ...base,
      model: OPUS47,
      max_tokens: 64_000,
      thinking: { type: "adaptive" },
      output_config: { effort: "high" },
    };
    expect(translate("anthropic", "openai-chat", b).body.reasoning_effort).toBe("high");
    expect(obj(translate("anthropic", "openai-responses", b).body.reasoning).effort).toBe("high");
    const same = translate("anthropic", "anthropic", b).body;
    expect(same.thinking).toEqual({ type: "adaptive" });
    expect(same.output_config).toEqual({ effort: "high" });
  });

  it("adaptive without effort → chat: no reasoning_effort, reported", () => {
    const out = translate("anthropic", "openai-chat", { ...base, max_tokens: 64_000, thinking: { type: "adaptive" } });
    expect(out.body.reasoning_effort).toBeUndefined();
    expectWarning(out.warnings, "reasoning_default", "thinking");
  });

  it("→ anthropic opus-4-7: enabled thinking is rejected there, so it becomes adaptive + effort (§3.5)", () => {
    const out = translate("anthropic", "anthropic", {
      ...base,
      model: OPUS47,
      max_tokens: 64_000,
      thinking: { type: "enabled", budget_tokens: 16_000 },
    });
    expect(out.body.thinking).toEqual({ type: "adaptive" });
    expect(EFFORTS).toContain(obj(out.body.output_config).effort);
    expectWarning(out.warnings, "thinking_form", "thinking");
  });

  it("→ anthropic sonnet-4-5: adaptive is not accepted there, so it becomes enabled with a budget (§3.5)", () => {
    const out = translate("anthropic", "anthropic", {
      ...base,
      max_tokens: 64_000,
      thinking: { type: "adaptive" },
      output_config: { effort: "medium" },
    });
    const t = obj(out.body.thinking);
    expect(t).toEqual({ type: "enabled", budget_tokens: expect.any(Number) });
    expect(t.budget_tokens as number).toBeGreaterThanOrEqual(1024);
    expect(t.budget_tokens as number).toBeLessThan(64_000);
    expectWarning(out.warnings, "thinking_form", "thinking");
  });
});

// ---------------------------------------------------------------------------------------------------------
// 13. Empty text, prefill
// ---------------------------------------------------------------------------------------------------------

describe("anthropic client: empty text and prefill", () => {
  it("→ anthropic: empty / whitespace text blocks removed", () => {
    const out = translate("anthropic", "anthropic", {
      model: CLAUDE,
      max_tokens: 1024,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "" },
            { type: "text", text: "hi" },
          ],
        },
        {
          role: "assistant",
          content: [
            { type: "text", text: "  " },
            { type: "tool_use", id: "toolu_1", name: "Read", input: {} },
          ],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "x" }] },
      ],
    });
    expect(out.body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "hi" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "Read", input: {} }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "x" }] },
    ]);
  });

  it("→ anthropic opus-4-7: a trailing assistant (prefill) is dropped with a warning (§3.3)", () => {
    const out = translate("anthropic", "anthropic", {
      model: OPUS47,
      max_tokens: 1024,
      messages: [
        { role: "user", content: "Write JSON" },
        { role: "assistant", content: "{" },
      ],
    });
    expect(out.body.messages).toEqual([{ role: "user", content: [{ type: "text", text: "Write JSON" }] }]);
    expectWarning(out.warnings, "prefill_dropped");
  });

  it("→ anthropic sonnet-4-5 with thinking: prefill is incompatible with thinking and is dropped (§3.3)", () => {
    const out = translate("anthropic", "anthropic", {
      model: CLAUDE,
      max_tokens: 32_000,
      thinking: { type: "enabled", budget_tokens: 2048 },
      messages: [
        { role: "user", content: "Write JSON" },
        { role: "assistant", content: "{" },
      ],
    });
    expect(out.body.messages).toEqual([{ role: "user", content: [{ type: "text", text: "Write JSON" }] }]);
    expectWarning(out.warnings, "prefill_dropped");
  });
});

// ---------------------------------------------------------------------------------------------------------
// 14. tool_choice
// ---------------------------------------------------------------------------------------------------------

describe("anthropic client: tool_choice", () => {
  const base = { model: CLAUDE, max_tokens: 1024, tools: [readTool], messages: [{ role: "user", content: "x" }] };
  const to = (target: "openai-chat" | "openai-responses" | "anthropic", tc: JsonObject) =>
    translate("anthropic", target, { ...base, tool_choice: tc }).body;

  it("any + disable_parallel_tool_use → required + parallel_tool_calls:false", () => {
    const tc = { type: "any", disable_parallel_tool_use: true };
    expect(to("openai-chat", tc)).toMatchObject({ tool_choice: "required", parallel_tool_calls: false });
    expect(to("openai-responses", tc)).toMatchObject({ tool_choice: "required", parallel_tool_calls: false });
    expect(to("anthropic", tc).tool_choice).toEqual(tc);
  });

  it("tool → forced function", () => {
    const tc = { type: "tool", name: "Read" };
    expect(to("openai-chat", tc).tool_choice).toEqual({ type: "function", function: { name: "Read" } });
    expect(to("openai-responses", tc).tool_choice).toEqual({ type: "function", name: "Read" });
    expect(to("anthropic", tc).tool_choice).toEqual(tc);
  });

  it("none / auto + disable_parallel_tool_use", () => {
    expect(to("openai-chat", { type: "none" }).tool_choice).toBe("none");
    expect(to("openai-responses", { type: "none" }).tool_choice).toBe("none");
    expect(to("openai-chat", { type: "auto", disable_parallel_tool_use: true })).toMatchObject({
      tool_choice: "auto",
      parallel_tool_calls: false,
    });
  });

  it("→ anthropic: forced tool_choice with thinking becomes auto (§3.4)", () => {
    const out = translate("anthropic", "anthropic", {
      ...base,
      max_tokens: 8192,
      thinking: { type: "enabled", budget_tokens: 2048 },
      tool_choice: { type: "any" },
    });
    expect(out.body.tool_choice).toEqual({ type: "auto" });
    expectWarning(out.warnings, "tool_choice_relaxed", "tool_choice");
  });
});

// ---------------------------------------------------------------------------------------------------------
// 15. Unknown / Anthropic-only fields
// ---------------------------------------------------------------------------------------------------------

describe("anthropic client: fields with no IR mapping", () => {
  const body = {
    model: CLAUDE,
    max_tokens: 1024,
    messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
    context_management: { edits: [{ type: "clear_thinking_20251015", keep: "all" }] },
    cache_control: { type: "ephemeral", ttl: "1h" },
    container: "cntr_1",
    stream: true,
  };

  it("→ anthropic: carried unchanged", () => {
    const out = translate("anthropic", "anthropic", body);
    expect(out.body).toEqual(body);
    expect(out.warnings).toEqual([]);
  });

  for (const target of ["openai-chat", "openai-responses"] as const) {
    it(`→ ${target}: each dropped with dropped_field`, () => {
      const out = translate("anthropic", target, body);
      for (const f of ["context_management", "cache_control", "container"]) {
        expect(out.body[f]).toBeUndefined();
        expectWarning(out.warnings, "dropped_field", f);
      }
    });
  }

  it("output_config keys next to effort/format are carried to Anthropic and reported elsewhere", () => {
    const b = {
      model: OPUS47,
      max_tokens: 1024,
      messages: [{ role: "user", content: "Hi" }],
      thinking: { type: "adaptive" },
      output_config: { effort: "low", task_budget: { type: "tokens", total: 5000 } },
    };
    expect(translate("anthropic", "anthropic", b).body.output_config).toEqual(b.output_config);
    expectWarning(translate("anthropic", "openai-chat", b).warnings, "dropped_field", "output_config.task_budget");
  });

  it("metadata.user_id → chat / responses user", () => {
    const b = { ...body, metadata: { user_id: "device-1" } };
    expect(translate("anthropic", "openai-chat", b).body.user).toBe("device-1");
    expect(translate("anthropic", "openai-responses", b).body.user).toBe("device-1");
    expect(translate("anthropic", "anthropic", b).body.metadata).toEqual({ user_id: "device-1" });
  });
});

// ---------------------------------------------------------------------------------------------------------
// 18. output_config.format
// ---------------------------------------------------------------------------------------------------------

describe("anthropic client: output_config.format", () => {
  const schema = {
    type: "object",
    properties: { ok: { type: "boolean" } },
    required: ["ok"],
    additionalProperties: false,
  };
  const body = {
    model: CLAUDE,
    max_tokens: 1024,
    messages: [{ role: "user", content: "JSON please" }],
    output_config: { format: { type: "json_schema", schema } },
  };

  it("→ chat: response_format json_schema with a valid (required) name", () => {
    const rf = obj(translate("anthropic", "openai-chat", body).body.response_format);
    expect(rf).toEqual({
      type: "json_schema",
      json_schema: { name: expect.stringMatching(/^[a-zA-Z0-9_-]{1,64}$/), schema },
    });
  });

  it("→ responses: text.format json_schema (flat) with a name", () => {
    expect(translate("anthropic", "openai-responses", body).body.text).toEqual({
      format: { type: "json_schema", name: expect.stringMatching(/^[a-zA-Z0-9_-]{1,64}$/), schema },
    });
  });

  it("→ anthropic: unchanged", () => {
    expect(translate("anthropic", "anthropic", body).body.output_config).toEqual(body.output_config);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 19. Sampling
// ---------------------------------------------------------------------------------------------------------

describe("anthropic client: sampling parameters", () => {
  const body = {
    model: CLAUDE,
    max_tokens: 1024,
    messages: [{ role: "user", content: "Hi" }],
    temperature: 0.7,
    top_p: 0.9,
    top_k: 40,
    stop_sequences: ["###"],
  };

  it("→ anthropic: unchanged", () => {
    const out = translate("anthropic", "anthropic", body);
    expect(out.body).toMatchObject({ temperature: 0.7, top_p: 0.9, top_k: 40, stop_sequences: ["###"] });
    expect(out.warnings).toEqual([]);
  });

  it("→ chat: temperature, top_p, stop; top_k dropped unless the upstream accepts it", () => {
    const out = translate("anthropic", "openai-chat", body);
    expect(out.body).toEqual({
      model: CLAUDE,
      messages: [{ role: "user", content: "Hi" }],
      max_completion_tokens: 1024,
      temperature: 0.7,
      top_p: 0.9,
      stop: ["###"],
    });
    expect(warningKeys(out.warnings)).toEqual(["dropped_field@top_k"]);
    expect(translate("anthropic", "openai-chat", body, { topK: true }).body.top_k).toBe(40);
  });

  it("→ responses: temperature, top_p; stop and top_k do not exist there", () => {
    const out = translate("anthropic", "openai-responses", body);
    expect(out.body).toMatchObject({ temperature: 0.7, top_p: 0.9 });
    expect(out.body.stop).toBeUndefined();
    expect(out.body.top_k).toBeUndefined();
    expectWarning(out.warnings, "dropped_field", /stop/);
    expectWarning(out.warnings, "dropped_field", "top_k");
  });

  it("→ anthropic with thinking: temperature ≠ 1 dropped, top_p ≥ 0.95, no top_k (§3.2, §6.19)", () => {
    const out = translate("anthropic", "anthropic", {
      ...body,
      max_tokens: 8192,
      top_p: 0.5,
      thinking: { type: "enabled", budget_tokens: 2048 },
    });
    expect(out.body.temperature).toBeUndefined();
    expect(out.body.top_p).toBe(0.95);
    expect(out.body.top_k).toBeUndefined();
    expectWarning(out.warnings, "temperature_dropped", "temperature");
    expectWarning(out.warnings, "top_p_clamped", "top_p");
    expectWarning(out.warnings, "top_k_dropped", "top_k");
    expectNoWarning(out.warnings, "dropped_field");
  });

  it("→ chat: more than 4 stop sequences cannot be sent (Chat accepts 1–4, §1.1)", () => {
    const out = translate("anthropic", "openai-chat", { ...body, stop_sequences: ["a", "b", "c", "d", "e"] });
    expect((out.body.stop as string[]).length).toBeLessThanOrEqual(4);
    expectWarning(out.warnings, "dropped_field", /stop/);
  });
});
