/**
 * An upstream's usage figures are read as finite non-negative integers, in every dialect: a negative count, a
 * count past any double (`1e999` parses to Infinity) or a fraction never reaches the metrics, the bill or the
 * request log as such, and never stops the process. Each dialect's decoder is driven by an official SDK
 * through the gateway, against an upstream that writes its usage by hand.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usageOf } from "../../src/cursor/events.js";
import { decodeConverseUsage } from "../../src/dialects/bedrock-converse/usage.js";
import { MAX_TOKEN_COUNT } from "../../src/ir/usage.js";
import { eventually, type Harness, type LogLine, startHarness } from "../support/gateway.js";
import { Scrape } from "../support/prometheus.js";

const SCRAPER = "scrape-key-for-hostile-usage";

/** JSON text with the hostile figures written raw (JSON.stringify cannot write Infinity). */
const CHAT_USAGE =
  '{"prompt_tokens":-7,"completion_tokens":1e999,"total_tokens":-1,"prompt_tokens_details":{"cached_tokens":-3},"completion_tokens_details":{"reasoning_tokens":2.5}}';
const RESPONSES_USAGE =
  '{"input_tokens":-7,"output_tokens":1e999,"total_tokens":0,"input_tokens_details":{"cached_tokens":-2},"output_tokens_details":{"reasoning_tokens":-1}}';
const ANTHROPIC_USAGE =
  '{"input_tokens":-7,"output_tokens":1e999,"cache_read_input_tokens":-4,"cache_creation_input_tokens":-1e999,"cache_creation":{"ephemeral_1h_input_tokens":-9}}';
const GEMINI_USAGE =
  '{"promptTokenCount":-7,"candidatesTokenCount":1e999,"thoughtsTokenCount":-5,"cachedContentTokenCount":-1,"totalTokenCount":0}';

function chatBody(): string {
  return `{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"fine"},"finish_reason":"stop"}],"usage":${CHAT_USAGE}}`;
}
function chatStream(): string {
  const chunk = (delta: object, finish: string | null) =>
    `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  return `${chunk({ role: "assistant", content: "fine" }, null)}${chunk({}, "stop")}data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":${CHAT_USAGE}}\n\ndata: [DONE]\n\n`;
}
function responsesBody(): string {
  return `{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"m","output":[{"type":"message","id":"msg_1","role":"assistant","status":"completed","content":[{"type":"output_text","text":"fine","annotations":[]}]}],"usage":${RESPONSES_USAGE}}`;
}
function anthropicBody(): string {
  return `{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[{"type":"text","text":"fine"}],"stop_reason":"end_turn","stop_sequence":null,"usage":${ANTHROPIC_USAGE}}`;
}
function geminiBody(): string {
  return `{"candidates":[{"content":{"role":"model","parts":[{"text":"fine"}]},"finishReason":"STOP","index":0}],"usageMetadata":${GEMINI_USAGE},"modelVersion":"m"}`;
}

/** One upstream answering each dialect's path with a hand-written body carrying hostile usage. */
async function startUpstream(): Promise<{ url: string; server: Server }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString("utf8");
    });
    req.on("end", () => {
      const url = req.url ?? "";
      const streamed = body.includes('"stream":true');
      if (url.includes(":streamGenerateContent")) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end(`data: ${geminiBody()}\n\n`);
        return;
      }
      if (url.includes("/chat/completions") && streamed) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end(chatStream());
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      if (url.includes("/chat/completions")) res.end(chatBody());
      else if (url.includes("/responses")) res.end(responsesBody());
      else if (url.includes("/messages")) res.end(anthropicBody());
      else if (url.includes(":generateContent")) res.end(geminiBody());
      else res.end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("hostile usage figures from every dialect", () => {
  let h: Harness;
  let up: Awaited<ReturnType<typeof startUpstream>>;
  let openai: OpenAI;
  let anthropic: Anthropic;
  beforeAll(async () => {
    up = await startUpstream();
    h = await startHarness(() => ({
      metrics: { key: SCRAPER },
      providers: {
        "raw-chat": { type: "openai", base_url: `${up.url}/v1`, api_key: "k", api: "chat" },
        "raw-responses": { type: "openai", base_url: `${up.url}/v1`, api_key: "k", api: "responses" },
        "raw-anthropic": { type: "anthropic", base_url: up.url, api_key: "k" },
        "raw-gemini": { type: "gemini", base_url: up.url, api_key: "k" },
      },
      models: {
        "hostile-chat": { provider: "raw-chat", model: "gpt-4.1" },
        "hostile-responses": { provider: "raw-responses", model: "gpt-5" },
        "hostile-anthropic": { provider: "raw-anthropic", model: "claude-sonnet-4-5" },
        "hostile-gemini": { provider: "raw-gemini", model: "gemini-2.5-pro" },
      },
    }));
    openai = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: "k", baseURL: h.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await h.close();
    await new Promise<void>((r) => up.server.close(() => r()));
  });

  const lineOf = (id: string) =>
    eventually(() => h.logs.find((l: LogLine) => l.client_request_id === id && l.tokens !== undefined), 3000);
  const expectSafe = (line: LogLine) => {
    const t = line.tokens as Record<string, number | undefined>;
    for (const v of Object.values(t)) {
      if (typeof v !== "number") continue;
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(3 * MAX_TOKEN_COUNT);
    }
    expect(t.output).toBe(MAX_TOKEN_COUNT);
  };

  // Case 1 is streamed, case 5 asked by an Anthropic client; the others are whole Chat answers.
  const cases: [string, string][] = [
    ["Chat passthrough", "hostile-chat"],
    ["Chat passthrough, streamed", "hostile-chat"],
    ["Responses → Chat client", "hostile-responses"],
    ["Anthropic → Chat client", "hostile-anthropic"],
    ["Gemini → Chat client", "hostile-gemini"],
    ["Chat → Anthropic client", "hostile-chat"],
  ];

  it.each(cases.map(([name, model], i) => ({ name, model, i })))(
    "$name: the answer is served, its usage clamped in the log line",
    async ({ model, i }) => {
      const id = `hostile-usage-${i}`;
      const opts = { headers: { "x-request-id": id } };
      if (i === 5) {
        const msg = await anthropic.messages.create(
          { model, max_tokens: 32, messages: [{ role: "user", content: "hi" }] },
          opts,
        );
        expect(msg.usage.input_tokens).toBe(0);
        expect(msg.usage.output_tokens).toBe(MAX_TOKEN_COUNT);
      } else if (i === 1) {
        const stream = await openai.chat.completions.create(
          { model, messages: [{ role: "user", content: "hi" }], stream: true, stream_options: { include_usage: true } },
          opts,
        );
        for await (const _ of stream) {
          // read it all
        }
      } else {
        const done = await openai.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] }, opts);
        expect(done.choices[0]?.message.content).toBe("fine");
        if (i !== 0) {
          expect(done.usage?.prompt_tokens).toBe(0);
          expect(done.usage?.completion_tokens).toBe(MAX_TOKEN_COUNT);
        }
      }
      expectSafe(await lineOf(id));
    },
  );

  it("the metrics still scrape, every token counter finite and non-negative", async () => {
    const res = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${SCRAPER}` } });
    expect(res.status).toBe(200);
    const s = await Scrape.parse(await res.text());
    const tokens = s.samples("llmux_tokens_total");
    expect(tokens.length).toBeGreaterThan(0);
    for (const t of tokens) {
      expect(Number.isFinite(t.value)).toBe(true);
      expect(t.value).toBeGreaterThanOrEqual(0);
    }
    expect(h.logs.some((l) => l.msg === "settling the request failed in one step")).toBe(false);
  });
});

describe("the decoders no SDK above drives", () => {
  it("Bedrock Converse usage is clamped", () => {
    const u = decodeConverseUsage(JSON.parse('{"inputTokens":-3,"outputTokens":1e999,"cacheReadInputTokens":-1}'));
    expect(u).toEqual({ inputTokens: 0, outputTokens: MAX_TOKEN_COUNT });
  });
  it("Cursor's usage is clamped", () => {
    const u = usageOf({
      inputTokens: -3,
      outputTokens: Number.POSITIVE_INFINITY,
      cacheReadTokens: Number.NaN,
      cacheWriteTokens: 1.7,
      reasoningTokens: -1,
    });
    expect(u).toEqual({ inputTokens: 1, outputTokens: MAX_TOKEN_COUNT, cacheWriteTokens: 1 });
  });
});
