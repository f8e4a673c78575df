/**
 * Gateway protocol, "Streaming": an Anthropic upstream's `ping` events and comment lines reach Claude Code
 * as they come; a translated stream from an upstream that sends no keep-alive (Chat Completions, Gemini)
 * gets llmux's own `ping` events during its silences (`streams.ping_interval_ms`, short here: the long
 * silence on a simulated clock is test/pipeline/silence-pings.test.ts); the upstream's request id and
 * rate-limit headers stay on the stream.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";
import { type QuietUpstream, startQuietUpstream } from "../support/quiet-upstream.js";
import { recorded } from "./recorded.js";

let quiet: QuietUpstream;
let h: Harness;
const SILENCE = 400;

beforeAll(async () => {
  quiet = await startQuietUpstream({ pieces: [] });
  h = await startHarness(() => ({
    streams: { ping_interval_ms: 40 },
    providers: {
      "quiet-anthropic": { type: "anthropic", base_url: quiet.url, api_key: "k" },
      "quiet-chat": { type: "openai", base_url: `${quiet.url}/v1`, api_key: "k", api: "chat" },
      "quiet-gemini": { type: "gemini", base_url: quiet.url, api_key: "k" },
    },
    models: {
      "claude-opus-4-6": { provider: "quiet-anthropic", model: "claude-opus-4-6" },
      "quiet-chat": { provider: "quiet-chat", model: "gpt-4.1" },
      "quiet-gemini": { provider: "quiet-gemini", model: "gemini-2.5-pro" },
    },
  }));
});
afterAll(async () => {
  await h.close();
  await quiet.close();
});

const sse = (event: string, data: object) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const LIMITS = {
  "request-id": "req_011CaQuiet",
  "anthropic-ratelimit-requests-remaining": "49",
  "anthropic-ratelimit-tokens-reset": "2026-11-23T18:00:00Z",
  "x-ratelimit-remaining-tokens": "1999",
};

function anthropicStream(): string[] {
  const usage = { input_tokens: 5, output_tokens: 0 };
  return [
    sse("message_start", {
      type: "message_start",
      message: { id: "msg_1", type: "message", role: "assistant", model: "claude-opus-4-6", content: [], usage },
    }),
    sse("ping", { type: "ping" }),
    ": a comment line the upstream sends\n\n",
    sse("content_block_start", { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
    sse("content_block_delta", { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "hi" } }),
    sse("ping", { type: "ping" }),
    sse("content_block_stop", { type: "content_block_stop", index: 0 }),
    sse("message_delta", {
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: 1 },
    }),
    sse("message_stop", { type: "message_stop" }),
  ];
}

const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "gpt-4.1", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

async function post(model: string) {
  const req = recorded("claude-2.1.330-17-POST__v1_messages_stream_tools.json");
  req.body.model = model;
  return fetch(`${h.url}/v1/messages?beta=true`, {
    method: "POST",
    headers: req.headers,
    body: JSON.stringify(req.body),
  });
}

describe("streaming", () => {
  it("relays an Anthropic upstream's pings and comment lines as they come, with its request id and limits", async () => {
    quiet.answer = { headers: LIMITS, pieces: anthropicStream() };
    const res = await post("claude-opus-4-6");
    const text = await res.text();
    expect(text).toBe(anthropicStream().join(""));
    for (const [k, v] of Object.entries(LIMITS)) expect(res.headers.get(k), k).toBe(v);
  });

  it("fills a Chat upstream's silence with pings between events; the Anthropic SDK reads the stream", async () => {
    quiet.answer = {
      headers: { "x-request-id": "req_chat_1", "x-ratelimit-remaining-requests": "7" },
      pieces: [
        chunk({ role: "assistant", content: "" }),
        chunk({ content: "thinking done:" }),
        { silenceMs: SILENCE },
        chunk({ content: " hi" }),
        chunk({}, "stop"),
        "data: [DONE]\n\n",
      ],
    };
    const res = await post("quiet-chat");
    expect(res.headers.get("x-request-id")).toBe("req_chat_1");
    expect(res.headers.get("x-ratelimit-remaining-requests")).toBe("7");
    const text = await res.text();
    const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
    expect(events[0]).toBe("message_start");
    const pings = events.flatMap((e, i) => (e === "ping" ? [i] : []));
    expect(pings.length).toBeGreaterThan(0);
    // The pings sit inside the silence: after the text before it, before the text after it.
    const before = text.indexOf("thinking done:");
    const after = text.indexOf(" hi");
    const firstPing = text.indexOf("event: ping");
    expect(firstPing).toBeGreaterThan(before);
    expect(text.lastIndexOf("event: ping")).toBeLessThan(after);
    expect(text).toContain('data: {"type": "ping"}');

    // The official SDK takes the same kind of stream whole.
    const sdk = new Anthropic({ baseURL: h.url, apiKey: "k", maxRetries: 0 });
    const message = await sdk.messages
      .stream({ model: "quiet-chat", max_tokens: 50, messages: [{ role: "user", content: "hi" }] })
      .finalMessage();
    expect(message.content.map((b) => (b.type === "text" ? b.text : b.type))).toEqual(["thinking done: hi"]);
  });

  it("fills a Gemini upstream's silence the same way", async () => {
    const part = (text: string, finish?: string) =>
      `data: ${JSON.stringify({ candidates: [{ content: { role: "model", parts: [{ text }] }, index: 0, ...(finish ? { finishReason: finish } : {}) }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 }, modelVersion: "gemini-2.5-pro" })}\r\n\r\n`;
    quiet.answer = { pieces: [part("one"), { silenceMs: SILENCE }, part(" two", "STOP")] };
    const res = await post("quiet-gemini");
    const text = await res.text();
    expect(text.indexOf("event: ping")).toBeGreaterThan(text.indexOf('"one"'));
    expect(text.lastIndexOf("event: ping")).toBeLessThan(text.indexOf('" two"'));
  });
});
