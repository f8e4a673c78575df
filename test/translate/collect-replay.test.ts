/**
 * Collector / replay: a complete Response replayed as IR events and collected again is unchanged, and a
 * Response streamed through each dialect's encoder and read back with the same dialect's decoder keeps its
 * content (what a dialect cannot express is out of scope for that dialect's fixture).
 */
import { describe, expect, it } from "vitest";
import { isErrorInfo, ResponseCollector } from "../../src/ir/collect.js";
import type { AssistantPart, Dialect, JsonObject, Response } from "../../src/ir/types.js";
import { codecs } from "../../src/translate/codecs.js";
import { responseEvents } from "../../src/translate/replay.js";
import { decodeStream, encodeStream, fullUsage, streamRoundTrip } from "./helpers.js";

const SIGNATURE =
  "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds2wYzF/Ei6YwZg2DkNcKfB3XzW2vL0UQ1x9sbX0hDmNLp9yMq6xv";

/** What an Anthropic upstream produces: thinking with signature, redacted thinking, text, tool_use. */
const ANTHROPIC_RES: Response = {
  id: "msg_01Aq9w938a90dw8q6NeVPoEm",
  model: "claude-sonnet-4-5-20250929",
  created: 1756000000,
  content: [
    { type: "reasoning", text: "The user wants the weather; call get_weather.", signature: SIGNATURE },
    { type: "reasoning", text: "", redacted: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP" },
    { type: "text", text: "Let me check the weather in Paris — one moment. 🌦️" },
    {
      type: "tool_call",
      id: "toolu_01A09q90qw90lq917835lq9",
      name: "get_weather",
      arguments: '{"city":"Paris","unit":"celsius"}',
      kind: "function",
    },
  ],
  stopReason: "tool_use",
  stopSequence: null,
  usage: { inputTokens: 21542, outputTokens: 180, cacheReadTokens: 20000, cacheWriteTokens: 1500, reasoningTokens: 95 },
};

const ANTHROPIC_STOP_SEQUENCE: Response = {
  id: "msg_01StopSeq000000000000000",
  model: "claude-opus-4-6",
  created: 1756000001,
  content: [{ type: "text", text: "<answer>42" }],
  stopReason: "stop_sequence",
  stopSequence: "</answer>",
  usage: { inputTokens: 40, outputTokens: 4, cacheReadTokens: 0, cacheWriteTokens: 0 },
};

/** What a Chat upstream produces: raw reasoning_content, text, two parallel calls. */
const CHAT_RES: Response = {
  id: "chatcmpl-BHm3kqLzR2vYQnE8xT4fGp1aWc9Ud",
  model: "deepseek-chat",
  created: 1743811200,
  content: [
    { type: "reasoning", text: "Two lookups are needed: weather and time.", raw: true },
    { type: "text", text: "Looking up both." },
    {
      type: "tool_call",
      id: "call_A1b2C3d4E5f6G7h8I9j0K1l2",
      name: "get_weather",
      arguments: '{"city":"Paris"}',
      kind: "function",
    },
    {
      type: "tool_call",
      id: "call_Z9y8X7w6V5u4T3s2R1q0P9o8",
      name: "get_time",
      arguments: '{"timezone":"Europe/Paris"}',
      kind: "function",
    },
  ],
  stopReason: "tool_use",
  usage: { inputTokens: 2006, outputTokens: 300, cacheReadTokens: 1920, reasoningTokens: 256 },
};

const CHAT_REFUSAL: Response = {
  id: "chatcmpl-AZQ1rR7vG8mUeI8z2QyzN0dSd7sQt",
  model: "gpt-4o-2024-08-06",
  created: 1733000000,
  content: [{ type: "refusal", text: "I'm sorry, I can't assist with that request." }],
  stopReason: "content_filter",
  usage: { inputTokens: 81, outputTokens: 11 },
};

/** What a Responses upstream produces: multi-part summary + encrypted reasoning, commentary text, calls. */
const RESPONSES_RES: Response = {
  id: "resp_68af4030592c81938ec0a5fbab4a3e9f05438e46b5f69a3b",
  model: "gpt-5-2025-08-07",
  created: 1756315696,
  content: [
    {
      type: "reasoning",
      text: "**Reading**\n\nI read the file.\n\n**Planning**\n\nThen I patch it.",
      summary: ["**Reading**\n\nI read the file.", "**Planning**\n\nThen I patch it."],
      id: "rs_68af4030baa48193b0b43b4c2a176a1a05438e46b5f69a3b",
      encrypted: "gAAAAABor0A1q2Hx9Yh3Y3VqYzB0cUZ6a0dXc2NnN2J4bXNfd0tzVjZ4c2h2b2Y5",
    },
    {
      type: "text",
      text: "I'll patch README.md.",
      extras: {
        dialect: "openai-responses",
        fields: { item: { id: "msg_68af40337e1c8193a0a4d7e5b8e9a2b605438e46b5f69a3b", phase: "commentary" } },
      },
    },
    {
      type: "tool_call",
      id: "call_UVhxPmHbdgUIzSJD6zKoVR5x",
      itemId: "fc_68af4034128481938b26a0c1d0e4b2ef05438e46b5f69a3b",
      name: "read_file",
      arguments: '{"path":"README.md"}',
      kind: "function",
    },
    {
      type: "tool_call",
      id: "call_Qm9vYmFyQmF6UXV4Q29yZ2U",
      itemId: "ctc_68af4034128481938b26a0c1d0e4b2ef05438e46b5f69a3c",
      name: "apply_patch",
      arguments: "*** Begin Patch\n*** Update File: README.md\n@@\n-old\n+new\n*** End Patch\n",
      kind: "custom",
    },
  ],
  stopReason: "tool_use",
  usage: { inputTokens: 5210, outputTokens: 412, cacheReadTokens: 4096, reasoningTokens: 320 },
};

const RESPONSES_INCOMPLETE: Response = {
  id: "resp_0a1b2c3d4e5f60718293a4b5c6d7e8f9",
  model: "gpt-5-mini-2025-08-07",
  created: 1757000000,
  content: [{ type: "text", text: "The first three steps are" }],
  stopReason: "max_tokens",
  usage: { inputTokens: 100, outputTokens: 64, cacheReadTokens: 0, reasoningTokens: 0 },
};

/** Dialect-neutral content every dialect can carry. */
const PORTABLE: Response = {
  id: "msg_01Portable000000000000000",
  model: "any-model",
  created: 1758000000,
  content: [
    { type: "text", text: 'Line one\nLine "two" with unicode: ünïcødé ✓' },
    {
      type: "tool_call",
      id: "call_portable_0001",
      name: "run",
      arguments: '{"cmd":"ls -la","cwd":"/tmp"}',
      kind: "function",
    },
  ],
  stopReason: "tool_use",
  usage: { inputTokens: 1000, outputTokens: 50, cacheReadTokens: 800, cacheWriteTokens: 0, reasoningTokens: 0 },
};

const ID_PREFIX: Record<Dialect, string> = {
  anthropic: "msg_",
  "openai-chat": "chatcmpl",
  "openai-responses": "resp_",
  gemini: "",
};

/** Content reduced to what the wire carries (generated ids and dialect bookkeeping left out). */
function essentials(parts: AssistantPart[]): unknown[] {
  return parts.map((p) => {
    switch (p.type) {
      case "text":
      case "refusal":
        return { type: p.type, text: p.text };
      case "reasoning": {
        const out: Record<string, unknown> = { type: "reasoning", text: p.text };
        if (p.signature !== undefined) out.signature = p.signature;
        if (p.redacted !== undefined) out.redacted = p.redacted;
        if (p.encrypted !== undefined) out.encrypted = p.encrypted;
        if (p.summary !== undefined) out.summary = p.summary;
        if (p.raw) out.raw = true;
        return out;
      }
      case "tool_call":
        return { type: "tool_call", id: p.id, name: p.name, arguments: p.arguments, kind: p.kind };
      case "raw":
        return { type: "raw", dialect: p.dialect, value: p.value };
    }
    return p;
  });
}

function collected(c: ResponseCollector): Response {
  const r = c.result();
  if (isErrorInfo(r)) throw new Error(`stream ended with an error: ${r.message}`);
  return r;
}

describe("responseEvents → ResponseCollector returns an equal Response", () => {
  const all: [string, Response][] = [
    ["anthropic", ANTHROPIC_RES],
    ["anthropic stop_sequence", ANTHROPIC_STOP_SEQUENCE],
    ["chat", CHAT_RES],
    ["chat refusal", CHAT_REFUSAL],
    ["responses", RESPONSES_RES],
    ["responses incomplete", RESPONSES_INCOMPLETE],
    ["portable", PORTABLE],
  ];
  for (const [name, res] of all) {
    it(name, () => {
      const c = new ResponseCollector();
      for (const e of responseEvents(res)) c.handle(e);
      expect(c.complete).toBe(true);
      expect(c.error).toBeUndefined();
      // A response without a stop sequence reads back with the explicit "none" (null).
      expect(c.result()).toEqual({ ...res, stopSequence: res.stopSequence ?? null });
    });
  }

  it("decoded upstream bodies survive the replay too", () => {
    const body: JsonObject = {
      id: "msg_01Aq9w938a90dw8q6NeVPoEm",
      type: "message",
      role: "assistant",
      model: "claude-sonnet-4-5-20250929",
      content: [
        { type: "thinking", thinking: "Think.", signature: SIGNATURE },
        { type: "text", text: "Answer.", citations: null },
        { type: "tool_use", id: "toolu_01X", name: "f", input: { a: 1 }, caller: { type: "direct" } },
      ],
      stop_reason: "tool_use",
      stop_sequence: null,
      stop_details: null,
      usage: { input_tokens: 5, cache_creation_input_tokens: 1, cache_read_input_tokens: 2, output_tokens: 3 },
    };
    const res = codecs.anthropic.decodeResponse(body);
    const c = new ResponseCollector();
    for (const e of responseEvents(res)) c.handle(e);
    expect(c.result()).toEqual(res);
  });

  it("an event list without an end is reported as incomplete", () => {
    const c = new ResponseCollector();
    for (const e of responseEvents(PORTABLE).slice(0, -1)) c.handle(e);
    expect(c.complete).toBe(false);
    expect(c.result()).toMatchObject({ kind: "server", status: 502 });
  });
});

describe("stream round trip: responseEvents → encoder(d) → SSE → decoder(d) → collector", () => {
  const cases: { dialect: Dialect; name: string; res: Response }[] = [
    { dialect: "anthropic", name: "thinking + redacted + text + tool_use", res: ANTHROPIC_RES },
    { dialect: "anthropic", name: "stop_sequence", res: ANTHROPIC_STOP_SEQUENCE },
    { dialect: "openai-chat", name: "reasoning_content + text + parallel tool calls", res: CHAT_RES },
    { dialect: "openai-chat", name: "refusal / content_filter", res: CHAT_REFUSAL },
    {
      dialect: "openai-responses",
      name: "summary parts + encrypted + message + function/custom calls",
      res: RESPONSES_RES,
    },
    { dialect: "openai-responses", name: "incomplete / max_output_tokens", res: RESPONSES_INCOMPLETE },
    { dialect: "anthropic", name: "portable", res: PORTABLE },
    { dialect: "openai-chat", name: "portable", res: PORTABLE },
    { dialect: "openai-responses", name: "portable", res: PORTABLE },
  ];

  for (const { dialect, name, res } of cases) {
    it(`${dialect}: ${name}`, () => {
      const out = collected(streamRoundTrip(dialect, res, { includeUsage: true }));
      expect(essentials(out.content)).toEqual(essentials(res.content));
      expect(out.stopReason).toBe(res.stopReason);
      expect(out.stopSequence ?? null).toBe(res.stopSequence ?? null);
      expect(out.model).toBe(res.model);
      expect(fullUsage(out.usage)).toEqual(fullUsage(res.usage));
      // An id that already has the dialect's prefix comes back unchanged; others get the prefix.
      const prefix = ID_PREFIX[dialect];
      if (res.id.startsWith(prefix)) expect(out.id).toBe(res.id);
      else expect(out.id.startsWith(prefix)).toBe(true);
      if (dialect !== "anthropic") expect(out.created).toBe(res.created);
    });
  }

  it("openai-responses: item ids of reasoning and calls are kept, and Responses ids have their prefixes", () => {
    const out = collected(streamRoundTrip("openai-responses", RESPONSES_RES));
    const [rs, msg, fc, ctc] = out.content;
    expect(rs).toMatchObject({ type: "reasoning", id: "rs_68af4030baa48193b0b43b4c2a176a1a05438e46b5f69a3b" });
    expect(fc).toMatchObject({ type: "tool_call", itemId: "fc_68af4034128481938b26a0c1d0e4b2ef05438e46b5f69a3b" });
    expect(ctc).toMatchObject({ type: "tool_call", itemId: "ctc_68af4034128481938b26a0c1d0e4b2ef05438e46b5f69a3c" });
    expect(msg?.type).toBe("text");
  });

  it("openai-responses: the message phase survives (§2.2: dropping phase degrades quality)", () => {
    const out = collected(streamRoundTrip("openai-responses", RESPONSES_RES));
    const text = out.content.find((p) => p.type === "text");
    const item = text?.extras?.dialect === "openai-responses" ? text.extras.fields.item : undefined;
    expect(item).toMatchObject({ phase: "commentary" });
  });

  it("openai-responses: output_item.added of the message already carries its phase, as OpenAI sends it", () => {
    const text = encodeStream("openai-responses", responseEvents(RESPONSES_RES));
    const added = text
      .split("\n\n")
      .filter((e) => e.startsWith("event: response.output_item.added"))
      .map((e) => JSON.parse(e.slice(e.indexOf("data: ") + 6)) as { item: { type: string; phase?: string } });
    const message = added.find((a) => a.item.type === "message");
    expect(message?.item.phase).toBe("commentary");
  });

  it("openai-chat: a custom tool call comes back as a custom tool call (§1.2)", () => {
    const res: Response = {
      id: "chatcmpl-CcT1a2B3c4D5e6F7g8H9i0J1k2L",
      model: "gpt-5-2025-08-07",
      created: 1756000000,
      content: [
        {
          type: "tool_call",
          id: "call_cUsT0m1d2e3f4g5h6i7j8k9l",
          name: "apply_patch",
          arguments: "*** Begin Patch\n*** Add File: a.txt\n+a\n*** End Patch\n",
          kind: "custom",
        },
      ],
      stopReason: "tool_use",
      usage: { inputTokens: 500, outputTokens: 40 },
    };
    const out = collected(streamRoundTrip("openai-chat", res));
    expect(essentials(out.content)).toEqual(essentials(res.content));
  });

  it("an error event round-trips in every dialect", () => {
    for (const d of ["anthropic", "openai-chat", "openai-responses"] as const) {
      const text = encodeStream(d, [
        { type: "start", id: "msg_err", model: "m", created: 1750000000 },
        { type: "error", error: { status: 429, kind: "rate_limit", message: "Slow down" } },
      ]);
      const c = decodeStream(d, text);
      expect(c.error, d).toMatchObject({ kind: "rate_limit", message: "Slow down" });
    }
  });
});
