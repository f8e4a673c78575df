/**
 * Responses client → every upstream. Expected bodies are written by hand from
 * /work/shared/reference/wire-protocols.md (§2.1–2.3 for the client side, §1.1–1.3 / §3.2–3.5 for the
 * upstreams, §5 for the mappings and §6 for the pitfalls).
 */
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/ir/types.js";
import { ANTHROPIC_TOOL_ID, expectWarning, obj, objs, translate, warningKeys } from "./helpers.js";

const CLAUDE = "claude-sonnet-4-5";
const OPUS47 = "claude-opus-4-7";

const shellParams = {
  type: "object",
  properties: { cmd: { type: "string" }, timeout_ms: { type: "number" } },
  required: ["cmd"],
};
const shellTool = {
  type: "function",
  name: "shell",
  description: "Run a shell command",
  parameters: shellParams,
  strict: false,
};

const user = (text: string) => ({ type: "message", role: "user", content: [{ type: "input_text", text }] });

// ---------------------------------------------------------------------------------------------------------
// 1. Plain text turn
// ---------------------------------------------------------------------------------------------------------

describe("responses client: plain text turn", () => {
  const body = { model: CLAUDE, input: [user("Hello")], stream: false };

  it("→ responses: unchanged", () => {
    const out = translate("openai-responses", "openai-responses", body);
    expect(out.body).toEqual(body);
    expect(out.warnings).toEqual([]);
  });

  it("→ responses: string input shorthand becomes one user message (equivalent, §2.1)", () => {
    const out = translate("openai-responses", "openai-responses", { model: CLAUDE, input: "Hello", stream: false });
    expect(out.body).toEqual(body);
  });

  it("→ chat: one user message", () => {
    const out = translate("openai-responses", "openai-chat", body);
    expect(out.body).toEqual({ model: CLAUDE, messages: [{ role: "user", content: "Hello" }] });
    expect(out.warnings).toEqual([]);
  });

  it("→ anthropic: text block, model-aware max_tokens", () => {
    const out = translate("openai-responses", "anthropic", { ...body, model: OPUS47 });
    expect(out.body).toEqual({
      model: OPUS47,
      max_tokens: 128_000,
      messages: [{ role: "user", content: [{ type: "text", text: "Hello" }] }],
      stream: false,
    });
    expect(out.warnings).toEqual([]);
  });

  it("easy-input messages (no type, string content) decode the same", () => {
    const out = translate("openai-responses", "anthropic", {
      model: CLAUDE,
      input: [{ role: "user", content: "Hello" }],
    });
    expect(out.body.messages).toEqual([{ role: "user", content: [{ type: "text", text: "Hello" }] }]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 2 + 3. instructions, developer items, multi-turn
// ---------------------------------------------------------------------------------------------------------

describe("responses client: instructions + developer item, multi-turn", () => {
  const body = {
    model: CLAUDE,
    instructions: "You are Codex.",
    input: [
      { type: "message", role: "developer", content: [{ type: "input_text", text: "Sandbox: read-only." }] },
      user("List files"),
      {
        type: "message",
        role: "assistant",
        id: "msg_1",
        status: "completed",
        phase: "final_answer",
        content: [{ type: "output_text", text: "a.txt b.txt", annotations: [] }],
      },
      { type: "message", role: "developer", content: [{ type: "input_text", text: "Approval mode changed." }] },
      user("Now delete b.txt"),
    ],
    stream: false,
  };

  it("→ responses: unchanged (item ids, status, phase kept)", () => {
    const out = translate("openai-responses", "openai-responses", body);
    expect(out.body).toEqual(body);
    expect(out.warnings).toEqual([]);
  });

  it("→ chat: instructions → leading system message; developer messages stay developer, in place", () => {
    const out = translate("openai-responses", "openai-chat", body);
    expect(out.body).toEqual({
      model: CLAUDE,
      messages: [
        { role: "system", content: "You are Codex." },
        { role: "developer", content: "Sandbox: read-only." },
        { role: "user", content: "List files" },
        { role: "assistant", content: "a.txt b.txt" },
        { role: "developer", content: "Approval mode changed." },
        { role: "user", content: "Now delete b.txt" },
      ],
    });
    expect(out.warnings).toEqual([]);
  });

  it("→ anthropic: instructions and developer text in top-level system, in order; the mid one is reported", () => {
    const out = translate("openai-responses", "anthropic", body);
    expect(out.body).toEqual({
      model: CLAUDE,
      max_tokens: 64_000,
      system: [
        { type: "text", text: "You are Codex." },
        { type: "text", text: "Sandbox: read-only." },
        { type: "text", text: "Approval mode changed." },
      ],
      messages: [
        { role: "user", content: [{ type: "text", text: "List files" }] },
        { role: "assistant", content: [{ type: "text", text: "a.txt b.txt" }] },
        { role: "user", content: [{ type: "text", text: "Now delete b.txt" }] },
      ],
      stream: false,
    });
    expect(warningKeys(out.warnings)).toEqual(["system_moved@messages[3]"]);
  });

  it("→ anthropic: instructions alone becomes a system string", () => {
    const out = translate("openai-responses", "anthropic", { model: CLAUDE, instructions: "Be brief.", input: "Hi" });
    expect(out.body.system).toBe("Be brief.");
  });
});

// ---------------------------------------------------------------------------------------------------------
// 4 + 12. Tools, single call, call_id vs id
// ---------------------------------------------------------------------------------------------------------

describe("responses client: function tool, single call + output, call_id vs fc_ id", () => {
  const body = {
    model: CLAUDE,
    tools: [shellTool],
    tool_choice: "auto",
    input: [
      user("List files"),
      {
        type: "function_call",
        id: "fc_68a1",
        call_id: "call_1",
        name: "shell",
        arguments: '{"cmd":"ls"}',
        status: "completed",
      },
      { type: "function_call_output", call_id: "call_1", output: "a.txt\nb.txt" },
    ],
    stream: false,
  };

  it("→ responses: unchanged (same provider may keep the fc_ id)", () => {
    const out = translate("openai-responses", "openai-responses", body);
    expect(out.body).toEqual({
      ...body,
      input: [
        user("List files"),
        { type: "function_call", id: "fc_68a1", call_id: "call_1", name: "shell", arguments: '{"cmd":"ls"}' },
        { type: "function_call_output", call_id: "call_1", output: "a.txt\nb.txt" },
      ],
    });
  });

  it("→ chat: nested function tool; tool_calls id is the call_id, never the fc_ id (§6.6)", () => {
    const out = translate("openai-responses", "openai-chat", body);
    expect(out.body).toEqual({
      model: CLAUDE,
      tools: [
        {
          type: "function",
          function: { name: "shell", description: "Run a shell command", parameters: shellParams, strict: false },
        },
      ],
      tool_choice: "auto",
      messages: [
        { role: "user", content: "List files" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "shell", arguments: '{"cmd":"ls"}' } }],
        },
        { role: "tool", tool_call_id: "call_1", content: "a.txt\nb.txt" },
      ],
    });
    expect(JSON.stringify(out.body)).not.toContain("fc_68a1");
    expect(out.warnings).toEqual([]);
  });

  it("→ anthropic: input_schema; tool_use id is the call_id", () => {
    const out = translate("openai-responses", "anthropic", body);
    expect(out.body).toEqual({
      model: CLAUDE,
      max_tokens: 64_000,
      tools: [{ name: "shell", description: "Run a shell command", input_schema: shellParams }],
      tool_choice: { type: "auto" },
      messages: [
        { role: "user", content: [{ type: "text", text: "List files" }] },
        { role: "assistant", content: [{ type: "tool_use", id: "call_1", name: "shell", input: { cmd: "ls" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "call_1", content: "a.txt\nb.txt" }] },
      ],
      stream: false,
    });
    expect(JSON.stringify(out.body)).not.toContain("fc_68a1");
    expect(out.warnings).toEqual([]);
  });

  it("→ anthropic: a call_id with illegal characters is sanitised identically on both sides", () => {
    const b = {
      ...body,
      input: [
        user("x"),
        { type: "function_call", call_id: "call.1:x", name: "shell", arguments: "{}" },
        { type: "function_call_output", call_id: "call.1:x", output: "ok" },
      ],
    };
    const msgs = objs(translate("openai-responses", "anthropic", b).body.messages);
    const id = objs(msgs[1]!.content)[0]!.id as string;
    expect(id).toMatch(ANTHROPIC_TOOL_ID);
    expect(objs(msgs[2]!.content)[0]!.tool_use_id).toBe(id);
  });

  it("built-in tools have no equivalent elsewhere: dropped with tool_dropped", () => {
    const b = { ...body, tools: [shellTool, { type: "web_search", external_web_access: false }] };
    for (const target of ["openai-chat", "anthropic"] as const) {
      const out = translate("openai-responses", target, b);
      expect(objs(out.body.tools)).toHaveLength(1);
      expectWarning(out.warnings, "tool_dropped", "tools[1]");
    }
    expect(translate("openai-responses", "openai-responses", b).body.tools).toEqual(b.tools);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 5. Parallel calls
// ---------------------------------------------------------------------------------------------------------

describe("responses client: parallel function calls", () => {
  const body = {
    model: CLAUDE,
    tools: [shellTool],
    input: [
      user("Show both files"),
      { type: "function_call", call_id: "call_a", name: "shell", arguments: '{"cmd":"cat a"}' },
      { type: "function_call", call_id: "call_b", name: "shell", arguments: '{"cmd":"cat b"}' },
      { type: "function_call_output", call_id: "call_a", output: "A" },
      { type: "function_call_output", call_id: "call_b", output: "B" },
      user("Now compare them"),
    ],
  };

  it("→ chat: one assistant message with two tool_calls, two tool messages, then the user", () => {
    const out = translate("openai-responses", "openai-chat", body);
    expect(out.body.messages).toEqual([
      { role: "user", content: "Show both files" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_a", type: "function", function: { name: "shell", arguments: '{"cmd":"cat a"}' } },
          { id: "call_b", type: "function", function: { name: "shell", arguments: '{"cmd":"cat b"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_a", content: "A" },
      { role: "tool", tool_call_id: "call_b", content: "B" },
      { role: "user", content: "Now compare them" },
    ]);
  });

  it("→ anthropic: both results first in one user message, then the text", () => {
    const out = translate("openai-responses", "anthropic", body);
    expect(out.body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Show both files" }] },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "call_a", name: "shell", input: { cmd: "cat a" } },
          { type: "tool_use", id: "call_b", name: "shell", input: { cmd: "cat b" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "call_a", content: "A" },
          { type: "tool_result", tool_use_id: "call_b", content: "B" },
          { type: "text", text: "Now compare them" },
        ],
      },
    ]);
  });

  it("→ responses: unchanged", () => {
    expect(translate("openai-responses", "openai-responses", body).body.input).toEqual(body.input);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 6. Tool output with an image
// ---------------------------------------------------------------------------------------------------------

describe("responses client: function_call_output carrying an image", () => {
  const output = [
    { type: "input_text", text: "Screenshot:" },
    { type: "input_image", image_url: "data:image/png;base64,iVBORw0KGgo=" },
  ];
  const body = {
    model: CLAUDE,
    tools: [{ type: "function", name: "screenshot", parameters: { type: "object", properties: {} }, strict: false }],
    input: [
      user("Take a screenshot"),
      { type: "function_call", call_id: "call_s", name: "screenshot", arguments: "{}" },
      { type: "function_call_output", call_id: "call_s", output },
    ],
  };

  it("→ anthropic: tool_result with a text and a base64 image block", () => {
    const out = translate("openai-responses", "anthropic", body);
    expect(objs(out.body.messages)[2]).toEqual({
      role: "user",
      content: [
        {
          type: "tool_result",
          tool_use_id: "call_s",
          content: [
            { type: "text", text: "Screenshot:" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
          ],
        },
      ],
    });
    expect(out.warnings).toEqual([]);
  });

  it("→ chat: tool message keeps the text; the image moves to a following user message (§5.1, LOSSY)", () => {
    const out = translate("openai-responses", "openai-chat", body);
    expect(objs(out.body.messages).slice(2)).toEqual([
      { role: "tool", tool_call_id: "call_s", content: "Screenshot:" },
      { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }] },
    ]);
    expectWarning(out.warnings, "tool_result_media_moved");
  });

  it("→ responses: output array kept (detail filled with auto)", () => {
    const out = translate("openai-responses", "openai-responses", body);
    expect(objs(out.body.input)[2]).toEqual({
      type: "function_call_output",
      call_id: "call_s",
      output: [
        { type: "input_text", text: "Screenshot:" },
        { type: "input_image", image_url: "data:image/png;base64,iVBORw0KGgo=", detail: "auto" },
      ],
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// 7. User images
// ---------------------------------------------------------------------------------------------------------

describe("responses client: user images", () => {
  const body = {
    model: CLAUDE,
    input: [
      {
        type: "message",
        role: "user",
        content: [
          { type: "input_text", text: "Compare" },
          { type: "input_image", image_url: "https://example.com/a.png", detail: "auto" },
          { type: "input_image", image_url: "data:image/jpeg;base64,/9j/4AAQ", detail: "auto" },
        ],
      },
    ],
  };

  it("→ anthropic: url and base64 image sources", () => {
    const out = translate("openai-responses", "anthropic", body);
    expect(out.body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "Compare" },
          { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
          { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" } },
        ],
      },
    ]);
  });

  it("→ chat: image_url parts with detail", () => {
    const out = translate("openai-responses", "openai-chat", body);
    expect(out.body.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "Compare" },
          { type: "image_url", image_url: { url: "https://example.com/a.png", detail: "auto" } },
          { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQ", detail: "auto" } },
        ],
      },
    ]);
  });

  it("→ anthropic: an OpenAI file_id cannot cross providers (§5.3), so it must not be sent as an Anthropic file", () => {
    const out = translate("openai-responses", "anthropic", {
      model: CLAUDE,
      input: [
        {
          type: "message",
          role: "user",
          content: [
            { type: "input_text", text: "Describe" },
            { type: "input_image", file_id: "file-abc123", detail: "auto" },
          ],
        },
      ],
    });
    expect(JSON.stringify(out.body.messages)).not.toContain("file-abc123");
    expect(out.warnings.length).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 8. Reasoning items
// ---------------------------------------------------------------------------------------------------------

describe("responses client: reasoning items with summary + encrypted_content", () => {
  const reasoning = {
    type: "reasoning",
    id: "rs_1",
    summary: [{ type: "summary_text", text: "Plan: list files" }],
    encrypted_content: "gAAAAB-encrypted",
  };
  const body = {
    model: CLAUDE,
    tools: [shellTool],
    input: [
      user("List files"),
      reasoning,
      { type: "function_call", call_id: "call_1", name: "shell", arguments: '{"cmd":"ls"}' },
      { type: "function_call_output", call_id: "call_1", output: "a.txt" },
    ],
    store: false,
    include: ["reasoning.encrypted_content"],
  };

  it("→ responses: reasoning item replayed unchanged", () => {
    const out = translate("openai-responses", "openai-responses", body);
    expect(objs(out.body.input)[1]).toEqual(reasoning);
    expect(out.body.store).toBe(false);
    expect(out.body.include).toEqual(["reasoning.encrypted_content"]);
    expect(out.warnings).toEqual([]);
  });

  it("→ anthropic: OpenAI reasoning cannot become a signature, so it is dropped with reasoning_dropped (§5.4)", () => {
    const out = translate("openai-responses", "anthropic", body);
    expect(out.body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "List files" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "call_1", name: "shell", input: { cmd: "ls" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "call_1", content: "a.txt" }] },
    ]);
    expect(JSON.stringify(out.body)).not.toContain("gAAAAB-encrypted");
    expectWarning(out.warnings, "reasoning_dropped");
  });

  it("→ chat: encrypted reasoning dropped; the loss is reported with reasoning_dropped", () => {
    const out = translate("openai-responses", "openai-chat", body);
    expect(out.body.messages).toEqual([
      { role: "user", content: "List files" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_1", type: "function", function: { name: "shell", arguments: '{"cmd":"ls"}' } }],
      },
      { role: "tool", tool_call_id: "call_1", content: "a.txt" },
    ]);
    expectWarning(out.warnings, "reasoning_dropped");
  });

  it("→ chat with reasoningField: summary text echoed as reasoning_content", () => {
    const out = translate("openai-responses", "openai-chat", body, { reasoningField: "reasoning_content" });
    expect(objs(out.body.messages)[1]).toEqual({
      role: "assistant",
      content: null,
      reasoning_content: "Plan: list files",
      tool_calls: [{ id: "call_1", type: "function", function: { name: "shell", arguments: '{"cmd":"ls"}' } }],
    });
  });

  it("→ responses: a stored reasoning reference (id only, store:true) is kept for the same provider", () => {
    const b = {
      model: CLAUDE,
      input: [
        user("Hi"),
        { type: "reasoning", id: "rs_9", summary: [] },
        { type: "message", role: "assistant", content: "Hello" },
        user("Again"),
      ],
      store: true,
    };
    const out = translate("openai-responses", "openai-responses", b);
    expect(objs(out.body.input)[1]).toEqual({ type: "reasoning", id: "rs_9", summary: [] });
  });
});

// ---------------------------------------------------------------------------------------------------------
// 9 + 10. max_output_tokens, effort
// ---------------------------------------------------------------------------------------------------------

describe("responses client: max_output_tokens and reasoning effort", () => {
  const base = { model: CLAUDE, input: "Prove it." };

  it("max_output_tokens → anthropic max_tokens / chat max_completion_tokens (or max_tokens)", () => {
    const b = { ...base, max_output_tokens: 2048 };
    expect(translate("openai-responses", "anthropic", b).body.max_tokens).toBe(2048);
    expect(translate("openai-responses", "openai-chat", b).body.max_completion_tokens).toBe(2048);
    expect(translate("openai-responses", "openai-chat", b, { maxTokensField: "max_tokens" }).body.max_tokens).toBe(
      2048,
    );
    expect(translate("openai-responses", "openai-responses", b).body.max_output_tokens).toBe(2048);
  });

  it("reasoning.effort → anthropic sonnet-4-5: enabled thinking with a budget below max_tokens", () => {
    const out = translate("openai-responses", "anthropic", {
      ...base,
      reasoning: { effort: "medium", summary: "auto" },
    });
    const thinking = obj(out.body.thinking);
    expect(thinking).toEqual({ type: "enabled", budget_tokens: expect.any(Number) });
    expect(thinking.budget_tokens as number).toBeGreaterThanOrEqual(1024);
    expect(thinking.budget_tokens as number).toBeLessThan(out.body.max_tokens as number);
    expect(out.warnings).toEqual([]);
  });

  it("reasoning.effort → anthropic opus-4-7: adaptive + output_config.effort", () => {
    const out = translate("openai-responses", "anthropic", {
      ...base,
      model: OPUS47,
      reasoning: { effort: "medium", summary: "auto" },
    });
    expect(out.body.thinking).toEqual({ type: "adaptive" });
    expect(out.body.output_config).toEqual({ effort: "medium" });
  });

  it("reasoning.effort → chat reasoning_effort", () => {
    const out = translate("openai-responses", "openai-chat", {
      ...base,
      reasoning: { effort: "low", summary: "auto" },
    });
    expect(out.body.reasoning_effort).toBe("low");
    expect(out.warnings).toEqual([]);
  });

  it("a non-default reasoning.summary has no equivalent in chat/anthropic and is reported", () => {
    const b = { ...base, reasoning: { effort: "high", summary: "detailed" } };
    expectWarning(translate("openai-responses", "anthropic", b).warnings, "dropped_field", "reasoning.summary");
    expectWarning(translate("openai-responses", "openai-chat", b).warnings, "dropped_field", "reasoning.summary");
    expect(translate("openai-responses", "openai-responses", b).body.reasoning).toEqual(b.reasoning);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 13. Empty text
// ---------------------------------------------------------------------------------------------------------

describe("responses client: empty text for Anthropic", () => {
  it("drops whitespace-only input_text and empty assistant output_text", () => {
    const out = translate("openai-responses", "anthropic", {
      model: CLAUDE,
      input: [
        {
          type: "message",
          role: "user",
          content: [
            { type: "input_text", text: "  " },
            { type: "input_text", text: "hi" },
          ],
        },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "", annotations: [] }] },
        { type: "function_call", call_id: "call_1", name: "shell", arguments: "{}" },
        { type: "function_call_output", call_id: "call_1", output: "ok" },
      ],
    });
    expect(out.body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "hi" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "call_1", name: "shell", input: {} }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "call_1", content: "ok" }] },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 14. tool_choice
// ---------------------------------------------------------------------------------------------------------

describe("responses client: tool_choice and parallel_tool_calls", () => {
  const base = { model: CLAUDE, tools: [shellTool], input: "x" };
  const to = (target: "anthropic" | "openai-chat" | "openai-responses", extra: JsonObject) =>
    translate("openai-responses", target, { ...base, ...extra }).body;

  it("forced function (flat) → chat nested, anthropic tool", () => {
    const tc = { type: "function", name: "shell" };
    expect(to("openai-chat", { tool_choice: tc }).tool_choice).toEqual({
      type: "function",
      function: { name: "shell" },
    });
    expect(to("anthropic", { tool_choice: tc }).tool_choice).toEqual({ type: "tool", name: "shell" });
    expect(to("openai-responses", { tool_choice: tc }).tool_choice).toEqual(tc);
  });

  it("required / none", () => {
    expect(to("anthropic", { tool_choice: "required" }).tool_choice).toEqual({ type: "any" });
    expect(to("openai-chat", { tool_choice: "required" }).tool_choice).toBe("required");
    expect(to("anthropic", { tool_choice: "none" }).tool_choice).toEqual({ type: "none" });
    expect(to("openai-chat", { tool_choice: "none" }).tool_choice).toBe("none");
  });

  it("parallel_tool_calls:false", () => {
    const a = to("anthropic", { tool_choice: "auto", parallel_tool_calls: false });
    expect(a.tool_choice).toEqual({ type: "auto", disable_parallel_tool_use: true });
    expect(a.parallel_tool_calls).toBeUndefined();
    expect(to("openai-chat", { parallel_tool_calls: false }).parallel_tool_calls).toBe(false);
  });

  it("allowed_tools → chat nested form", () => {
    const tc = { type: "allowed_tools", mode: "auto", tools: [{ type: "function", name: "shell" }] };
    expect(to("openai-chat", { tool_choice: tc }).tool_choice).toEqual({
      type: "allowed_tools",
      allowed_tools: { mode: "auto", tools: [{ type: "function", function: { name: "shell" } }] },
    });
    expect(to("anthropic", { tool_choice: tc }).tool_choice).toEqual({ type: "auto" });
  });
});

// ---------------------------------------------------------------------------------------------------------
// 15. Unknown / Responses-only fields
// ---------------------------------------------------------------------------------------------------------

describe("responses client: fields with no IR mapping", () => {
  const body = {
    model: CLAUDE,
    input: [user("Hi")],
    client_metadata: { turn_id: "t1" },
    prompt_cache_retention: "24h",
    max_tool_calls: 5,
    stream: true,
  };

  it("→ responses: carried unchanged", () => {
    const out = translate("openai-responses", "openai-responses", body);
    expect(out.body).toEqual(body);
    expect(out.warnings).toEqual([]);
  });

  for (const target of ["openai-chat", "anthropic"] as const) {
    it(`→ ${target}: each dropped with dropped_field`, () => {
      const out = translate("openai-responses", target, body);
      for (const f of ["client_metadata", "prompt_cache_retention", "max_tool_calls"]) {
        expect(out.body[f]).toBeUndefined();
        expectWarning(out.warnings, "dropped_field", f);
      }
    });
  }

  it("state and context fields that cannot be sent elsewhere are reported", () => {
    const b = {
      model: CLAUDE,
      input: "Hi",
      previous_response_id: "resp_1",
      truncation: "auto",
      include: ["message.output_text.logprobs"],
      text: { verbosity: "low" },
      prompt_cache_key: "thread-1",
    };
    const a = translate("openai-responses", "anthropic", b).warnings;
    for (const p of ["previous_response_id", "truncation", "include", "verbosity", "prompt_cache_key"])
      expectWarning(a, "dropped_field", p);
    const c = translate("openai-responses", "openai-chat", b);
    for (const p of ["previous_response_id", "truncation", "include"]) expectWarning(c.warnings, "dropped_field", p);
    expect(c.body.verbosity).toBe("low");
    expect(c.body.prompt_cache_key).toBe("thread-1");
  });

  it("item_reference items (store:true replay by reference) cannot be resolved here and are reported", () => {
    const b = { model: CLAUDE, input: [user("Hi"), { type: "item_reference", id: "msg_abc" }, user("Again")] };
    expectWarning(translate("openai-responses", "openai-chat", b).warnings, "unsupported_content");
    expectWarning(translate("openai-responses", "anthropic", b).warnings, "unsupported_content");
    expect(objs(translate("openai-responses", "openai-responses", b).body.input)[1]).toEqual({
      type: "item_reference",
      id: "msg_abc",
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// 16. Custom (grammar) tool
// ---------------------------------------------------------------------------------------------------------

describe("responses client: custom grammar tool (Codex apply_patch)", () => {
  const grammar = 'start: begin_patch hunk+ end_patch\nbegin_patch: "*** Begin Patch" LF';
  const patch = "*** Begin Patch\n*** Add File: a.txt\n+hi\n*** End Patch";
  const body = {
    model: CLAUDE,
    tools: [
      {
        type: "custom",
        name: "apply_patch",
        description: "Use the apply_patch tool to edit files.",
        format: { type: "grammar", syntax: "lark", definition: grammar },
      },
    ],
    input: [
      user("Create a.txt"),
      { type: "custom_tool_call", call_id: "call_p", name: "apply_patch", input: patch },
      { type: "custom_tool_call_output", call_id: "call_p", output: "Success" },
    ],
  };

  it("→ responses: unchanged", () => {
    const out = translate("openai-responses", "openai-responses", body);
    expect(out.body.tools).toEqual(body.tools);
    expect(out.body.input).toEqual(body.input);
    expect(out.warnings).toEqual([]);
  });

  it("→ anthropic: emulated as {input: string}; call input wrapped; mapping says wrapped custom", () => {
    const out = translate("openai-responses", "anthropic", body);
    expect(out.body.tools).toEqual([
      {
        name: "apply_patch",
        description: expect.stringContaining("Use the apply_patch tool to edit files."),
        input_schema: {
          type: "object",
          properties: { input: expect.objectContaining({ type: "string" }) },
          required: ["input"],
        },
      },
    ]);
    expect(out.body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Create a.txt" }] },
      {
        role: "assistant",
        content: [{ type: "tool_use", id: "call_p", name: "apply_patch", input: { input: patch } }],
      },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "call_p", content: "Success" }] },
    ]);
    expect([...out.tools]).toEqual([["apply_patch", { name: "apply_patch", kind: "custom", wrapped: true }]]);
    expectWarning(out.warnings, "grammar_dropped", "tools[0]");
  });

  it("→ chat: nested custom tool with nested grammar; custom tool call", () => {
    const out = translate("openai-responses", "openai-chat", body);
    expect(out.body.tools).toEqual([
      {
        type: "custom",
        custom: {
          name: "apply_patch",
          description: "Use the apply_patch tool to edit files.",
          format: { type: "grammar", grammar: { syntax: "lark", definition: grammar } },
        },
      },
    ]);
    expect(out.body.messages).toEqual([
      { role: "user", content: "Create a.txt" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_p", type: "custom", custom: { name: "apply_patch", input: patch } }],
      },
      { role: "tool", tool_call_id: "call_p", content: "Success" },
    ]);
    expect(out.tools.size).toBe(0);
    expect(out.warnings).toEqual([]);
  });

  it("→ chat without custom tools: function wrapper, wrapped mapping, grammar_dropped", () => {
    const out = translate("openai-responses", "openai-chat", body, { customTools: false });
    expect(objs(out.body.tools)[0]).toEqual({
      type: "function",
      function: {
        name: "apply_patch",
        description: expect.stringContaining("Use the apply_patch tool to edit files."),
        parameters: {
          type: "object",
          properties: { input: expect.objectContaining({ type: "string" }) },
          required: ["input"],
        },
      },
    });
    expect(objs(objs(out.body.messages)[1]!.tool_calls)[0]).toEqual({
      id: "call_p",
      type: "function",
      function: { name: "apply_patch", arguments: JSON.stringify({ input: patch }) },
    });
    expect(out.tools.get("apply_patch")).toEqual({ name: "apply_patch", kind: "custom", wrapped: true });
    expectWarning(out.warnings, "grammar_dropped", "tools[0]");
  });
});

// ---------------------------------------------------------------------------------------------------------
// 17. Namespace tools
// ---------------------------------------------------------------------------------------------------------

describe("responses client: namespace tools", () => {
  const spawnParams = { type: "object", properties: { task: { type: "string" } }, required: ["task"] };
  const body = {
    model: CLAUDE,
    tools: [
      {
        type: "namespace",
        name: "multi_agent_v1",
        description: "Tools for spawning and managing sub-agents.",
        tools: [
          {
            type: "function",
            name: "spawn_agent",
            description: "Spawn a sub-agent",
            parameters: spawnParams,
            strict: false,
          },
        ],
      },
      shellTool,
    ],
    input: [
      user("Delegate"),
      {
        type: "function_call",
        call_id: "call_s",
        name: "spawn_agent",
        namespace: "multi_agent_v1",
        arguments: '{"task":"tests"}',
      },
      { type: "function_call_output", call_id: "call_s", output: "agent-1" },
    ],
  };
  const identity = { name: "spawn_agent", kind: "function", namespace: "multi_agent_v1" };

  it("→ responses: namespace kept", () => {
    const out = translate("openai-responses", "openai-responses", body);
    expect(out.body.tools).toEqual(body.tools);
    expect(out.body.input).toEqual(body.input);
    expect(out.tools.size).toBe(0);
  });

  it("→ anthropic: flattened ns__name on the tool and the call; mapping returned", () => {
    const out = translate("openai-responses", "anthropic", body);
    expect(out.body.tools).toEqual([
      { name: "multi_agent_v1__spawn_agent", description: "Spawn a sub-agent", input_schema: spawnParams },
      { name: "shell", description: "Run a shell command", input_schema: shellParams },
    ]);
    expect(objs(out.body.messages)[1]).toEqual({
      role: "assistant",
      content: [{ type: "tool_use", id: "call_s", name: "multi_agent_v1__spawn_agent", input: { task: "tests" } }],
    });
    expect([...out.tools]).toEqual([["multi_agent_v1__spawn_agent", identity]]);
  });

  it("→ chat: flattened names; mapping returned", () => {
    const out = translate("openai-responses", "openai-chat", body);
    expect(out.body.tools).toEqual([
      {
        type: "function",
        function: {
          name: "multi_agent_v1__spawn_agent",
          description: "Spawn a sub-agent",
          parameters: spawnParams,
          strict: false,
        },
      },
      {
        type: "function",
        function: { name: "shell", description: "Run a shell command", parameters: shellParams, strict: false },
      },
    ]);
    expect(objs(out.body.messages)[1]).toEqual({
      role: "assistant",
      content: null,
      tool_calls: [
        {
          id: "call_s",
          type: "function",
          function: { name: "multi_agent_v1__spawn_agent", arguments: '{"task":"tests"}' },
        },
      ],
    });
    expect([...out.tools]).toEqual([["multi_agent_v1__spawn_agent", identity]]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// 18. text.format
// ---------------------------------------------------------------------------------------------------------

describe("responses client: text.format", () => {
  const schema = {
    type: "object",
    properties: { ok: { type: "boolean" } },
    required: ["ok"],
    additionalProperties: false,
  };
  const body = {
    model: CLAUDE,
    input: "Answer as JSON",
    text: { format: { type: "json_schema", name: "answer", schema, strict: true }, verbosity: "low" },
  };

  it("→ chat: response_format json_schema (nested) + verbosity", () => {
    const out = translate("openai-responses", "openai-chat", body);
    expect(out.body.response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "answer", schema, strict: true },
    });
    expect(out.body.verbosity).toBe("low");
  });

  it("→ anthropic: output_config.format; verbosity reported as dropped", () => {
    const out = translate("openai-responses", "anthropic", body);
    expect(out.body.output_config).toEqual({ format: { type: "json_schema", schema } });
    expectWarning(out.warnings, "dropped_field", "verbosity");
  });

  it("→ responses: unchanged", () => {
    expect(translate("openai-responses", "openai-responses", body).body.text).toEqual(body.text);
  });

  it("json_object → chat response_format json_object", () => {
    const out = translate("openai-responses", "openai-chat", { ...body, text: { format: { type: "json_object" } } });
    expect(out.body.response_format).toEqual({ type: "json_object" });
  });
});

// ---------------------------------------------------------------------------------------------------------
// 19. Sampling
// ---------------------------------------------------------------------------------------------------------

describe("responses client: sampling", () => {
  const body = { model: CLAUDE, input: "Hi", temperature: 0.3, top_p: 0.8 };

  it("→ chat and anthropic keep temperature/top_p", () => {
    expect(translate("openai-responses", "openai-chat", body).body).toMatchObject({ temperature: 0.3, top_p: 0.8 });
    const a = translate("openai-responses", "anthropic", body);
    expect(a.body).toMatchObject({ temperature: 0.3, top_p: 0.8 });
    expect(a.warnings).toEqual([]);
  });

  it("→ anthropic with reasoning: temperature dropped, top_p raised to 0.95", () => {
    const a = translate("openai-responses", "anthropic", { ...body, reasoning: { effort: "low" } });
    expect(a.body.temperature).toBeUndefined();
    expect(a.body.top_p).toBe(0.95);
    expectWarning(a.warnings, "temperature_dropped", "temperature");
    expectWarning(a.warnings, "top_p_clamped", "top_p");
  });

  it("user and metadata", () => {
    const b = { ...body, user: "u-1", metadata: { k: "v" } };
    const a = translate("openai-responses", "anthropic", b);
    expect(a.body.metadata).toEqual({ user_id: "u-1" });
    expectWarning(a.warnings, "dropped_field", "metadata.k");
    expect(translate("openai-responses", "openai-chat", b).body).toMatchObject({ user: "u-1", metadata: { k: "v" } });
  });
});
