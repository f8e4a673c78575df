/**
 * The Bedrock Converse codec and the AWS event-stream reader, piece by piece: what an Anthropic-shaped
 * request becomes in Converse (cache points, images and documents as bytes, tool blocks, reasoning with
 * its signature, fields only Claude takes), what is dropped and reported; the stream decoder on Bedrock's
 * own event order (reasoning deltas, an empty one, the signature; Claude's stop sequence under `delta`);
 * the event-stream reader whatever the byte splits, and refusing a message whose checksum is wrong.
 */
import { EventStreamCodec } from "@smithy/core/event-streams";
import { describe, expect, it } from "vitest";
import { anthropicToConverse } from "../../src/dialects/bedrock-converse/from-anthropic.js";
import { encodeConverseRequest } from "../../src/dialects/bedrock-converse/request-encode.js";
import { decodeConverseResponse } from "../../src/dialects/bedrock-converse/response.js";
import { ConverseStreamDecoder } from "../../src/dialects/bedrock-converse/stream-decode.js";
import type { JsonObject } from "../../src/ir/types.js";
import { Warnings } from "../../src/ir/warnings.js";
import { eventStreamAsSse, sseText } from "../../src/providers/aws-event-stream.js";
import { parseSseText } from "../../src/sse/parser.js";
import { codecs, isErrorInfo, ResponseCollector } from "../../src/translate/index.js";

const PNG = Buffer.from("89504e470d0a1a0a", "hex").toString("base64");

describe("Anthropic-shaped request → Converse", () => {
  const body: JsonObject = {
    model: "ignored",
    stream: true,
    max_tokens: 1000,
    temperature: 0.2,
    stop_sequences: ["END"],
    system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "Look:" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
          { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
          { type: "document", title: "notes.txt!", source: { type: "text", media_type: "text/plain", data: "hello" } },
        ],
      },
      { role: "system", content: "Mid-conversation rule." },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "Let me look.", signature: "c2ln" },
          { type: "redacted_thinking", data: "cmVkYWN0ZWQ=" },
          { type: "tool_use", id: "toolu_1", name: "old_tool", input: { a: 1 } },
        ],
      },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: "toolu_1",
            content: "failed",
            is_error: true,
            cache_control: { type: "ephemeral" },
          },
        ],
      },
    ],
    tools: [
      {
        name: "get_weather",
        description: "Weather",
        input_schema: { type: "object" },
        cache_control: { type: "ephemeral" },
      },
      { type: "web_search_20250305", name: "web_search" },
    ],
    tool_choice: { type: "any" },
    thinking: { type: "enabled", budget_tokens: 2048 },
    top_k: 5,
    metadata: { user_id: "u1" },
  };

  it("maps every block, with cache points after the cached ones", () => {
    const w = new Warnings();
    const out = anthropicToConverse(body, "us.anthropic.claude-sonnet-4-5-20250929-v1:0", w);
    expect(out.model).toBeUndefined();
    expect(out.stream).toBeUndefined();
    expect(out.system).toEqual([
      { text: "Be brief." },
      { cachePoint: { type: "default" } },
      { text: "Mid-conversation rule." },
    ]);
    expect(out.inferenceConfig).toEqual({ maxTokens: 1000, temperature: 0.2, stopSequences: ["END"] });
    expect(out.messages).toEqual([
      {
        role: "user",
        content: [
          { text: "Look:" },
          { image: { format: "png", source: { bytes: PNG } } },
          {
            document: { format: "txt", name: "notes txt", source: { bytes: Buffer.from("hello").toString("base64") } },
          },
        ],
      },
      {
        role: "assistant",
        content: [
          { reasoningContent: { reasoningText: { text: "Let me look.", signature: "c2ln" } } },
          { reasoningContent: { redactedContent: "cmVkYWN0ZWQ=" } },
          { toolUse: { toolUseId: "toolu_1", name: "old_tool", input: { a: 1 } } },
        ],
      },
      {
        role: "user",
        content: [
          { toolResult: { toolUseId: "toolu_1", content: [{ text: "failed" }], status: "error" } },
          { cachePoint: { type: "default" } },
        ],
      },
    ]);
    // The tool used in the history but no longer declared is declared again (Converse requires it).
    expect(out.toolConfig).toEqual({
      tools: [
        { toolSpec: { name: "get_weather", description: "Weather", inputSchema: { json: { type: "object" } } } },
        { cachePoint: { type: "default" } },
        { toolSpec: { name: "old_tool", inputSchema: { json: { type: "object", properties: {} } } } },
      ],
      toolChoice: { any: {} },
    });
    // Claude takes what Converse has no field for as additional fields.
    expect(out.additionalModelRequestFields).toEqual({ thinking: { type: "enabled", budget_tokens: 2048 }, top_k: 5 });
    const said = w.list.map((x) => `${x.code} ${x.param}`);
    expect(said).toEqual(
      expect.arrayContaining([
        "unsupported_content messages[0].content[2]",
        "system_moved messages[1]",
        "unsupported_content tools[1]",
        "unsupported_content metadata",
      ]),
    );
  });

  it("drops what only Claude takes for another model, and says so", () => {
    const w = new Warnings();
    const out = anthropicToConverse(body, "amazon.nova-pro-v1:0", w);
    expect(out.additionalModelRequestFields).toBeUndefined();
    const said = w.list.map((x) => x.param);
    expect(said).toEqual(expect.arrayContaining(["thinking", "top_k"]));
  });

  it("writes a Chat request for Claude with Claude's rules (thinking budget from effort)", () => {
    const ir = codecs["openai-chat"].decodeRequest({
      model: "m",
      reasoning_effort: "low",
      messages: [{ role: "user", content: "hi" }],
    });
    ir.model = "anthropic.claude-sonnet-4-5-20250929-v1:0";
    const { value } = encodeConverseRequest(ir);
    expect(value.body.messages).toEqual([{ role: "user", content: [{ text: "hi" }] }]);
    expect((value.body.additionalModelRequestFields as JsonObject).thinking).toEqual({
      type: "enabled",
      budget_tokens: 4096,
    });
  });
});

/** ConverseStream events in Bedrock's own order and shapes (an empty reasoning delta before the signature). */
const EVENTS: [string, JsonObject][] = [
  ["messageStart", { role: "assistant" }],
  ["contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { text: "Count the r's." } } }],
  ["contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { text: "" } } }],
  ["contentBlockDelta", { contentBlockIndex: 0, delta: { reasoningContent: { signature: "Ep0CCkgI" } } }],
  ["contentBlockStop", { contentBlockIndex: 0 }],
  ["contentBlockDelta", { contentBlockIndex: 1, delta: { text: "There are " } }],
  ["contentBlockDelta", { contentBlockIndex: 1, delta: { text: "3." } }],
  ["contentBlockStop", { contentBlockIndex: 1 }],
  ["contentBlockStart", { contentBlockIndex: 2, start: { toolUse: { toolUseId: "tooluse_a", name: "count" } } }],
  ["contentBlockDelta", { contentBlockIndex: 2, delta: { toolUse: { input: '{"word":' } } }],
  ["contentBlockDelta", { contentBlockIndex: 2, delta: { toolUse: { input: '"strawberry"}' } } }],
  ["contentBlockStop", { contentBlockIndex: 2 }],
  ["contentBlockStart", { contentBlockIndex: 3, start: { toolUse: { toolUseId: "tooluse_b", name: "noop" } } }],
  ["contentBlockStop", { contentBlockIndex: 3 }],
  ["messageStop", { stopReason: "tool_use", additionalModelResponseFields: { delta: { stop_sequence: null } } }],
  [
    "metadata",
    {
      usage: { inputTokens: 51, outputTokens: 94, cacheReadInputTokens: 20, totalTokens: 165 },
      metrics: { latencyMs: 2281 },
    },
  ],
];

describe("ConverseStream → IR", () => {
  it("reads Bedrock's events into reasoning with its signature, text, tool calls and usage", () => {
    const collector = new ResponseCollector();
    const decoder = new ConverseStreamDecoder();
    const sse = EVENTS.map(([name, data]) => sseText(name, JSON.stringify({ ...data, p: "abcdefgh" }))).join("");
    for (const ev of parseSseText(sse)) decoder.event(ev, collector.sink);
    decoder.end(collector.sink);
    const res = collector.result();
    if (isErrorInfo(res)) throw new Error(res.message);
    expect(res.content).toEqual([
      { type: "reasoning", text: "Count the r's.", signature: "Ep0CCkgI" },
      { type: "text", text: "There are 3." },
      { type: "tool_call", id: "tooluse_a", name: "count", arguments: '{"word":"strawberry"}', kind: "function" },
      { type: "tool_call", id: "tooluse_b", name: "noop", arguments: "{}", kind: "function" },
    ]);
    expect(res.stopReason).toBe("tool_use");
    expect(res.usage).toEqual({ inputTokens: 71, outputTokens: 94, cacheReadTokens: 20 });
  });

  it("reads a whole Converse response the same way", () => {
    const res = decodeConverseResponse({
      output: {
        message: {
          role: "assistant",
          content: [
            { reasoningContent: { reasoningText: { text: "Count the r's.", signature: "Ep0CCkgI" } } },
            { text: "There are 3." },
            { toolUse: { toolUseId: "tooluse_a", name: "count", input: { word: "strawberry" } } },
          ],
        },
      },
      stopReason: "max_tokens",
      usage: { inputTokens: 5, outputTokens: 7, cacheWriteInputTokens: 100 },
    });
    expect(res.content.map((p) => p.type)).toEqual(["reasoning", "text", "tool_call"]);
    expect(res.stopReason).toBe("max_tokens");
    expect(res.usage).toEqual({ inputTokens: 105, outputTokens: 7, cacheWriteTokens: 100 });
  });

  it("a stream that ends before messageStop is an error, not an answer", () => {
    const collector = new ResponseCollector();
    const decoder = new ConverseStreamDecoder();
    for (const [name, data] of EVENTS.slice(0, 6)) decoder.handle(name, data, collector.sink);
    decoder.end(collector.sink);
    const res = collector.result();
    expect(isErrorInfo(res) && res.message).toMatch(/before messageStop/);
  });
});

describe("AWS event streams", () => {
  const codec = new EventStreamCodec(
    (b: Uint8Array) => Buffer.from(b).toString("utf8"),
    (s: string) => Buffer.from(s, "utf8"),
  );
  const str = (value: string) => ({ type: "string" as const, value });
  const frames = EVENTS.slice(0, 8).map(([name, data]) =>
    codec.encode({
      headers: { ":event-type": str(name), ":message-type": str("event"), ":content-type": str("application/json") },
      body: Buffer.from(JSON.stringify(data)),
    }),
  );
  const bytes = Buffer.concat(frames);
  const render = (m: { name: string; payload: string }) => sseText(m.name, m.payload);
  async function read(pieces: Buffer[]): Promise<string> {
    let out = "";
    for await (const c of eventStreamAsSse(
      (async function* () {
        for (const p of pieces) yield p;
      })(),
      render,
    ))
      out += Buffer.from(c).toString("utf8");
    return out;
  }
  const expected = EVENTS.slice(0, 8)
    .map(([name, data]) => sseText(name, JSON.stringify(data)))
    .join("");

  it("re-tells every message as one SSE event, however the bytes are split", async () => {
    for (const size of [1, 3, 7, 64, bytes.length]) {
      const pieces: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.subarray(i, i + size));
      expect(await read(pieces), `pieces of ${size} bytes`).toBe(expected);
    }
  });

  it("refuses a message whose checksum does not hold", async () => {
    const broken = Buffer.from(bytes);
    const at = frames[0]!.length + 20; // a byte of the second message's headers
    broken[at] = broken[at]! ^ 0xff;
    await expect(read([broken])).rejects.toThrow(/checksum|CRC/i);
  });

  it("a message cut short at the end is an error", async () => {
    await expect(read([bytes.subarray(0, bytes.length - 5)])).rejects.toThrow(/Truncated/);
  });
});
