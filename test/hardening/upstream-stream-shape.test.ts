/**
 * An upstream failure is never a success, also when it comes as an event stream or without a content type:
 * a stream that opens with an error is that error with its status (passthrough and translated), a stream
 * that is empty or not of the dialect is a 502, a passthrough stream closed before its end ends with an
 * in-stream error, and an upstream that answers a stream to a non-streaming request (or one body to a
 * streaming one) is re-encoded so the client gets what it asked for. The official SDKs judge.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Harness, startHarness } from "../support/gateway.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const chatStream = (text: string) =>
  `${chunk({ role: "assistant", content: "" })}${chunk({ content: text })}${chunk({}, "stop")}data: [DONE]\n\n`;
const chatAnswer = (text: string) => ({
  id: "c1",
  object: "chat.completion",
  created: 1,
  model: "m",
  choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
});
const anthropicEvent = (name: string, data: object) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

let up: { url: string; server: Server };
let handler: Handler = (_q, res) => res.end();
let h: Harness;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => handler(req, res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  up = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
  h = await startHarness(() => ({
    server: { max_event_mb: 0.05 },
    providers: {
      chat: { type: "openai", base_url: `${up.url}/v1`, api_key: "k", api: "chat" },
      claude: { type: "anthropic", base_url: up.url, api_key: "k" },
    },
    models: {
      chat: { provider: "chat", model: "gpt-4.1" },
      claude: { provider: "claude", model: "claude-sonnet-4-5" },
    },
  }));
  openai = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: "k", baseURL: h.url, maxRetries: 0 });
});
afterAll(async () => {
  await h.close();
  await new Promise<void>((r) => up.server.close(() => r()));
});

const messages = [{ role: "user" as const, content: "hi" }];
/** Chat client → Chat upstream (passthrough), streaming. */
const chatStreamed = async () => {
  const stream = await openai.chat.completions.create({ model: "chat", stream: true, messages });
  let text = "";
  for await (const c of stream) text += c.choices[0]?.delta.content ?? "";
  return text;
};
/** Anthropic client → Chat upstream (translated), streaming. */
const translatedStreamed = () => anthropic.messages.stream({ model: "chat", max_tokens: 16, messages }).finalMessage();
const statusOf = (e: unknown) => (e as { status?: number }).status;

describe("a stream that opens with an error", () => {
  it("is that error with its status: passthrough (Chat) and translated (Anthropic client)", async () => {
    handler = (_q, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(
        `data: ${JSON.stringify({ error: { message: "slow down", type: "rate_limit_error", code: "rate_limit_exceeded" } })}\n\n`,
      );
    };
    const e1 = await chatStreamed().catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(OpenAI.RateLimitError);
    expect(String((e1 as Error).message)).toContain("slow down");
    const e2 = await translatedStreamed().catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(Anthropic.RateLimitError);
    expect(String((e2 as Error).message)).toContain("slow down");
  });

  it("an Anthropic passthrough stream opening with an error event: that error's status, Anthropic's shape", async () => {
    handler = (_q, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(anthropicEvent("error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }));
    };
    const e = await anthropic.messages
      .stream({ model: "claude", max_tokens: 16, messages })
      .finalMessage()
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(Anthropic.APIError);
    expect(statusOf(e)).toBeGreaterThanOrEqual(500);
    expect(JSON.stringify((e as InstanceType<typeof Anthropic.APIError>).error)).toContain("overloaded_error");
  });
});

describe("a 200 stream that is no stream of the dialect", () => {
  it.each([
    ["empty", ""],
    ["an HTML page sent as an event stream", "<!DOCTYPE html><html><body>proxy login</body></html>"],
    ["events of another shape", 'data: {"status":"ok"}\n\ndata: [DONE]\n\n'],
    ["[DONE] alone", "data: [DONE]\n\n"],
  ])("%s: a 502 in the client's dialect, passthrough and translated", async (_name, body) => {
    handler = (_q, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(body);
    };
    const e1 = await chatStreamed().catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(OpenAI.APIError);
    expect(statusOf(e1)).toBe(502);
    const e2 = await translatedStreamed().catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(Anthropic.APIError);
    expect(statusOf(e2)).toBe(502);
    const e3 = await openai.chat.completions.create({ model: "chat", messages }).catch((e: unknown) => e);
    expect(statusOf(e3)).toBe(502);
  });

  it("an event past server.max_event_mb before anything was sent: a 502 naming the limit", async () => {
    handler = (_q, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(chatStream("x".repeat(100_000)));
    };
    const e = await translatedStreamed().catch((err: unknown) => err);
    expect(statusOf(e)).toBe(502);
    expect(String((e as Error).message)).toContain("server.max_event_mb");
  });
});

describe("a passthrough stream closed before its end", () => {
  it("ends with an in-stream error the SDK throws (Chat: no finish_reason, no [DONE]; Anthropic: no message_stop)", async () => {
    handler = (_q, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(`${chunk({ role: "assistant", content: "" })}${chunk({ content: "half an ans" })}`);
    };
    const e1 = await chatStreamed().catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(Error);
    expect(String((e1 as Error).message)).toMatch(/before the answer's end/);
    handler = (_q, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(
        anthropicEvent("message_start", {
          type: "message_start",
          message: {
            id: "msg_1",
            type: "message",
            role: "assistant",
            model: "claude-sonnet-4-5",
            content: [],
            stop_reason: null,
            usage: { input_tokens: 1, output_tokens: 0 },
          },
        }) +
          anthropicEvent("content_block_start", {
            type: "content_block_start",
            index: 0,
            content_block: { type: "text", text: "" },
          }) +
          anthropicEvent("content_block_delta", {
            type: "content_block_delta",
            index: 0,
            delta: { type: "text_delta", text: "half" },
          }),
      );
    };
    const e2 = await anthropic.messages
      .stream({ model: "claude", max_tokens: 16, messages })
      .finalMessage()
      .catch((err: unknown) => err);
    expect(e2).toBeInstanceOf(Error);
    expect(String((e2 as Error).message)).toMatch(/before the answer's end/);
    const line = await eventually(() =>
      h.logs.find((l) => l.model === "claude-sonnet-4-5" && String(l.reason ?? "").includes("before the answer's end")),
    );
    expect(line.outcome).toBe("error");
  });
});

describe("no content type", () => {
  it("a JSON error object is that error, status mapped, not a 200 (passthrough and translated, streaming or not)", async () => {
    handler = (_q, res) => {
      res.writeHead(200);
      res.end(
        JSON.stringify({ error: { message: "bad key", type: "invalid_request_error", code: "invalid_api_key" } }),
      );
    };
    const e1 = await openai.chat.completions.create({ model: "chat", messages }).catch((e: unknown) => e);
    // invalid_api_key: the upstream refused llmux's key, a 401
    expect(statusOf(e1)).toBe(401);
    expect(String((e1 as Error).message)).toContain("bad key");
    expect(statusOf(await chatStreamed().catch((e: unknown) => e))).toBe(401);
    const e3 = await translatedStreamed().catch((e: unknown) => e);
    expect(e3).toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it("an event stream is read as one", async () => {
    handler = (_q, res) => {
      res.writeHead(200);
      res.end(chatStream("streamed"));
    };
    expect(await chatStreamed()).toBe("streamed");
    expect((await translatedStreamed()).content).toEqual([{ type: "text", text: "streamed" }]);
  });
});

describe("an upstream that answers the other way than asked", () => {
  it("an event stream to a non-streaming passthrough request: the client gets one JSON body", async () => {
    handler = (_q, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(chatStream("as a stream"));
    };
    const raw = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "chat", messages }),
    });
    expect(raw.headers.get("content-type")).toContain("application/json");
    const c = await openai.chat.completions.create({ model: "chat", messages });
    expect(c.object).toBe("chat.completion");
    expect(c.choices[0]!.message.content).toBe("as a stream");
  });

  it("one JSON body to a streaming passthrough request: the client gets an event stream", async () => {
    handler = (_q, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(chatAnswer("as one body")));
    };
    expect(await chatStreamed()).toBe("as one body");
  });
});

describe("informational answers (1xx)", () => {
  it("are never relayed: the client sees only the final answer", async () => {
    handler = (_q, res) => {
      res.writeEarlyHints({ link: "</x.css>; rel=preload" });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(chatAnswer("after hints")));
    };
    const seen = await new Promise<{ informational: number; status: number; body: string }>((resolve, reject) => {
      let informational = 0;
      const req = request(
        `${h.url}/v1/chat/completions`,
        { method: "POST", headers: { "content-type": "application/json" } },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (s: string) => {
            body += s;
          });
          res.on("end", () => resolve({ informational, status: res.statusCode ?? 0, body }));
        },
      );
      req.on("information", () => {
        informational++;
      });
      req.on("error", reject);
      req.end(JSON.stringify({ model: "chat", messages }));
    });
    expect(seen.informational).toBe(0);
    expect(seen.status).toBe(200);
    expect(JSON.parse(seen.body).choices[0].message.content).toBe("after hints");
  });
});
