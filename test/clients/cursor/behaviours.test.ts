/**
 * What Cursor needs beyond translation: ApplyPatch (a custom grammar tool) both ways, reasoning shown the way
 * it renders, its <think> echo removed, effort chosen by model name, errors it can display, long call ids
 * and conversation ids made acceptable upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Body, type Harness, startHarness } from "../../support/gateway.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness(() => ({
    auth: { keys: ["cursor-key"] },
    models: {
      "gpt-high": { provider: "azure-responses", model: "gpt-5-codex", reasoning: { effort: "high" } },
      "gpt-low": { provider: "azure-responses", model: "gpt-5-pro", reasoning: { effort: "low" } },
      "gpt-quiet": { provider: "azure-responses", model: "gpt-5", reasoning: { effort: "medium", summary: "none" } },
      "shown-as-field": { provider: "azure-responses", model: "gpt-5", reasoning_display: "reasoning_content" },
      "shown-not": { provider: "azure-responses", model: "gpt-5", reasoning_display: "none" },
    },
  }));
});
afterAll(async () => {
  await h.close();
});

const PATCH = "*** Begin Patch\n*** Add File: out.md\n+ok\n*** End Patch\n";
const APPLY_PATCH = {
  type: "custom",
  name: "ApplyPatch",
  description: "Edit files.",
  format: { type: "grammar", syntax: "lark", definition: 'start: "*** Begin Patch" /(.|\\n)*/' },
};
const READ_FILE = {
  type: "function",
  function: { name: "ReadFile", parameters: { type: "object", properties: { path: { type: "string" } } } },
};

interface Chat {
  status: number;
  content: string;
  reasoning: string;
  calls: { id: string; type: string; name: string; arguments: string }[];
  finish: string | undefined;
  headers: Headers;
  error?: Body;
}

/** Posts like Cursor does (to /chat/completions, streaming) and reads the chunks. */
async function cursor(body: Body, headers: Record<string, string> = {}): Promise<Chat> {
  const res = await fetch(`${h.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer cursor-key", ...headers },
    body: JSON.stringify({ stream: true, ...body }),
  });
  const text = await res.text();
  const out: Chat = {
    status: res.status,
    content: "",
    reasoning: "",
    calls: [],
    finish: undefined,
    headers: res.headers,
  };
  if (res.status !== 200) {
    out.error = JSON.parse(text) as Body;
    return out;
  }
  for (const line of text.split("\n")) {
    if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
    const chunk = JSON.parse(line.slice(6)) as Body;
    for (const c of chunk.choices ?? []) {
      out.content += c.delta.content ?? "";
      out.reasoning += c.delta.reasoning_content ?? "";
      for (const t of c.delta.tool_calls ?? []) {
        out.calls[t.index] ??= { id: "", type: "", name: "", arguments: "" };
        const call = out.calls[t.index]!;
        if (t.id) call.id = t.id;
        if (t.type) call.type = t.type;
        if (t.function?.name) call.name = t.function.name;
        call.arguments += t.function?.arguments ?? "";
      }
      if (c.finish_reason) out.finish = c.finish_reason;
    }
  }
  return out;
}

const sent = () => h.mock.requests.at(-1)!.body as Body;

describe("ApplyPatch, a custom grammar tool", () => {
  const ask = (model: string) => ({
    model,
    metadata: { cursorConversationId: "conv-1", cursorRequestId: "" },
    input: [{ role: "user", content: "create out.md containing ok" }],
    tools: [READ_FILE, APPLY_PATCH],
  });
  const echo = (model: string, callId: string) => ({
    model,
    messages: [
      { role: "user", content: "create out.md containing ok" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: callId, type: "function", function: { name: "ApplyPatch", arguments: PATCH } }],
      },
      { role: "tool", tool_call_id: callId, content: "Done: created out.md" },
    ],
    tools: [READ_FILE, APPLY_PATCH],
  });

  it("Responses upstream: the custom call reaches Cursor as a function call carrying the raw patch", async () => {
    h.mock.enqueue({
      blocks: [{ type: "tool_call", id: "call_p1", name: "ApplyPatch", arguments: PATCH, custom: true }],
    });
    const r = await cursor(ask("via-azure-responses"));
    expect(sent().tools.find((t: Body) => t.name === "ApplyPatch")).toMatchObject({
      type: "custom",
      format: { type: "grammar" },
    });
    expect(r.calls).toEqual([{ id: "call_p1", type: "function", name: "ApplyPatch", arguments: PATCH }]);
    expect(r.finish).toBe("tool_calls");
  });

  it("Responses upstream: Cursor's echo goes back as custom_tool_call and custom_tool_call_output", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "Created." }] });
    await cursor(echo("via-azure-responses", "call_p1"));
    const items = sent().input as Body[];
    expect(items).toContainEqual({ type: "custom_tool_call", call_id: "call_p1", name: "ApplyPatch", input: PATCH });
    expect(items).toContainEqual({
      type: "custom_tool_call_output",
      call_id: "call_p1",
      output: "Done: created out.md",
    });
  });

  it("Anthropic upstream: a one-string function, unwrapped on the way back and wrapped again in history", async () => {
    h.mock.enqueue({
      blocks: [{ type: "tool_call", id: "toolu_01", name: "ApplyPatch", arguments: JSON.stringify({ input: PATCH }) }],
    });
    const r = await cursor(ask("via-anthropic"));
    const def = sent().tools.find((t: Body) => t.name === "ApplyPatch");
    expect(def.input_schema.required).toEqual(["input"]);
    expect(r.calls).toEqual([{ id: "toolu_01", type: "function", name: "ApplyPatch", arguments: PATCH }]);
    h.mock.enqueue({ blocks: [{ type: "text", text: "Created." }] });
    await cursor(echo("via-anthropic", "toolu_01"));
    const msgs = sent().messages as Body[];
    expect(msgs[1]!.content).toEqual([
      { type: "tool_use", id: "toolu_01", name: "ApplyPatch", input: { input: PATCH } },
    ]);
    // The last message carries llmux's prompt-cache breakpoint (translated requests to Claude get them).
    expect(msgs[2]!.content).toEqual([
      {
        type: "tool_result",
        tool_use_id: "toolu_01",
        content: "Done: created out.md",
        cache_control: { type: "ephemeral" },
      },
    ]);
  });

  it("OpenAI-compatible upstream: the same wrapping as a function with a JSON string argument", async () => {
    h.mock.enqueue({
      blocks: [{ type: "tool_call", id: "call_k1", name: "ApplyPatch", arguments: JSON.stringify({ input: PATCH }) }],
    });
    const r = await cursor(ask("via-compat"));
    expect(sent().tools.find((t: Body) => t.function?.name === "ApplyPatch").function.parameters.required).toEqual([
      "input",
    ]);
    expect(r.calls[0]).toMatchObject({ name: "ApplyPatch", arguments: PATCH });
    h.mock.enqueue({ blocks: [{ type: "text", text: "Created." }] });
    await cursor(echo("via-compat", "call_k1"));
    const call = (sent().messages as Body[])[1]!.tool_calls[0];
    expect(JSON.parse(call.function.arguments)).toEqual({ input: PATCH });
  });
});

describe("reasoning shown to Cursor", () => {
  const REASONING = { type: "reasoning" as const, text: "raw", summary: ["Weighing options.", "Picking one."] };
  const ask = (model: string, messages: Body[] = [{ role: "user", content: "hi" }]) => ({
    model,
    user: "u1",
    messages,
  });

  it("think-tags by default: the summary inside <think>, parts separated by a blank line", async () => {
    h.mock.enqueue({ blocks: [REASONING, { type: "text", text: "Answer." }] });
    const r = await cursor({ ...ask("via-azure-responses"), metadata: { cursorConversationId: "c" } });
    expect(r.content).toBe("<think>\n\nWeighing options.\n\nPicking one.\n\n</think>\n\nAnswer.");
  });

  it("reasoning_content or none, per model alias", async () => {
    h.mock.enqueue({ blocks: [REASONING, { type: "text", text: "Answer." }] });
    const field = await cursor({ ...ask("shown-as-field"), metadata: { cursorConversationId: "c" } });
    expect(field.content).toBe("Answer.");
    expect(field.reasoning).toBe("Weighing options.\n\nPicking one.");
    h.mock.enqueue({ blocks: [REASONING, { type: "text", text: "Answer." }] });
    const none = await cursor({ ...ask("shown-not"), metadata: { cursorConversationId: "c" } });
    expect(none.content).toBe("Answer.");
    expect(none.reasoning).toBe("");
  });

  it("the <think> text Cursor echoes back is removed before going upstream", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
    await cursor({
      ...ask("via-anthropic", [
        { role: "user", content: "first" },
        { role: "assistant", content: "<think>\n\nWeighing options.\n\n</think>\n\nEarlier answer." },
        { role: "user", content: "second" },
      ]),
      metadata: { cursorConversationId: "c" },
    });
    const assistant = (sent().messages as Body[])[1]!;
    expect(JSON.stringify(assistant.content)).not.toContain("think");
    expect(assistant.content).toEqual([{ type: "text", text: "Earlier answer." }]);
  });

  it("summary level per alias, including none for organisations without summary access", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
    await cursor({ ...ask("gpt-quiet"), metadata: { cursorConversationId: "c" } });
    expect(sent().reasoning).toEqual({ effort: "medium" });
  });
});

describe("effort by model name", () => {
  it("gpt-high sets the effort; a model that refuses the one asked for is clamped, and says so", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
    await cursor({ model: "gpt-high", user: "u", messages: [{ role: "user", content: "hi" }] });
    expect(sent().reasoning.effort).toBe("high");
    h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
    const r = await cursor({ model: "gpt-low", user: "u", messages: [{ role: "user", content: "hi" }] });
    expect(sent().reasoning.effort).toBe("high");
    expect(r.headers.get("llmux-warnings")).toMatch(/gpt-5-pro does not accept reasoning effort 'low'/);
  });
});

describe("errors Cursor can show", () => {
  it("a wrong key: a 403 whose body says which setting to fix (Cursor shows no body for a 401)", async () => {
    const r = await cursor(
      { model: "gpt-high", metadata: { cursorConversationId: "c" }, messages: [{ role: "user", content: "hi" }] },
      { authorization: "Bearer wrong" },
    );
    expect(r.status).toBe(403);
    expect(r.error!.error.message).toMatch(/In Cursor, set Settings → Models → OpenAI API Key/);
  });

  it("an upstream failure mid-stream ends with a readable message and finish_reason stop", async () => {
    h.mock.enqueue({
      blocks: [
        { type: "text", text: "Starting… " },
        { type: "text", text: "never" },
      ],
      streamError: {
        afterBlocks: 1,
        message: "The server had an error while processing your request.",
        kind: "server",
      },
    });
    const r = await cursor({
      model: "via-azure-responses",
      metadata: { cursorConversationId: "c" },
      messages: [{ role: "user", content: "hi" }],
    });
    expect(r.content).toMatch(
      /^Starting… \n\n\*\*llmux: the upstream failed \(server, server_error\):\*\* The server had an error/,
    );
    expect(r.finish).toBe("stop");
  });
});

describe("ids made acceptable upstream", () => {
  it("call ids longer than 64 characters are shortened the same way on the call and its result", async () => {
    const long = `call_${"x".repeat(80)}`;
    h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
    await cursor({
      model: "via-azure-responses",
      metadata: { cursorConversationId: "c" },
      messages: [
        { role: "user", content: "read it" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: long, type: "function", function: { name: "ReadFile", arguments: '{"path":"a"}' } }],
        },
        { role: "tool", tool_call_id: long, content: "contents" },
      ],
      tools: [READ_FILE],
    });
    const items = sent().input as Body[];
    const call = items.find((i) => i.type === "function_call")!;
    const output = items.find((i) => i.type === "function_call_output")!;
    expect(call.call_id.length).toBeLessThanOrEqual(64);
    expect(call.call_id).toBe(output.call_id);
    expect(call.call_id).not.toBe(long);
  });

  it("the conversation id (or user) becomes prompt_cache_key, hashed when too long", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
    await cursor({
      model: "via-azure-responses",
      metadata: { cursorConversationId: "conv-short" },
      messages: [{ role: "user", content: "hi" }],
    });
    expect(sent().prompt_cache_key).toBe("conv-short");
    expect(sent().metadata).toBeUndefined();
    h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
    await cursor({
      model: "via-azure-responses",
      metadata: { cursorConversationId: "c".repeat(100) },
      messages: [{ role: "user", content: "hi" }],
    });
    const key = sent().prompt_cache_key as string;
    expect(key.length).toBeLessThanOrEqual(64);
    expect(key).toMatch(/^llmux-/);
  });
});
