/**
 * An upstream failure is never a success, answers are bounded, and every failure speaks the client's
 * dialect: a 200 carrying an error object, an HTML page or another shape, 204/304, a body cut mid-way,
 * compressed bodies, and answers past server.max_event_mb / server.max_answer_mb. The official SDKs judge
 * what the client sees.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type AddressInfo, createServer as createTcpServer } from "node:net";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** An upstream whose every answer a test writes by hand; it remembers the request headers. */
async function startRawUpstream(): Promise<{
  url: string;
  set(h: Handler): void;
  headers: IncomingMessage["headers"][];
  server: Server;
}> {
  let handler: Handler = (_req, res) => res.end();
  const headers: IncomingMessage["headers"][] = [];
  const server = createServer((req, res) => {
    headers.push(req.headers);
    req.resume();
    req.on("end", () => handler(req, res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set: (h) => {
      handler = h;
    },
    headers,
    server,
  };
}

const chatChunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

function chatStream(texts: string[]): string {
  return `${chatChunk({ role: "assistant", content: "" })}${texts.map((t) => chatChunk({ content: t })).join("")}${chatChunk({}, "stop")}data: [DONE]\n\n`;
}

const chatAnswer = {
  id: "c1",
  object: "chat.completion",
  created: 1,
  model: "m",
  choices: [{ index: 0, message: { role: "assistant", content: "fine" }, finish_reason: "stop" }],
};

describe("upstream failures, bounds and dialects", () => {
  let h: Harness;
  let up: Awaited<ReturnType<typeof startRawUpstream>>;
  let openai: OpenAI;
  let anthropic: Anthropic;
  beforeAll(async () => {
    up = await startRawUpstream();
    h = await startHarness(() => ({
      server: { max_event_mb: 0.05, max_answer_mb: 0.2 },
      providers: { raw: { type: "openai", base_url: `${up.url}/v1`, api_key: "k", api: "chat" } },
      models: { raw: { provider: "raw", model: "gpt-4.1" } },
    }));
    openai = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
    anthropic = new Anthropic({ apiKey: "k", baseURL: h.url, maxRetries: 0 });
  });
  afterAll(async () => {
    await h.close();
    await new Promise<void>((r) => up.server.close(() => r()));
  });

  const ask = () =>
    anthropic.messages.create({ model: "raw", max_tokens: 64, messages: [{ role: "user", content: "hi" }] });
  const chat = () => openai.chat.completions.create({ model: "raw", messages: [{ role: "user", content: "hi" }] });

  it("a 200 carrying an error object is that error, status mapped (passthrough and translated)", async () => {
    up.set((_q, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ error: { message: "slow down", type: "rate_limit_error", code: "rate_limit_exceeded" } }),
      );
    });
    const viaChat = await chat().catch((e: unknown) => e);
    expect(viaChat).toBeInstanceOf(OpenAI.APIError);
    expect((viaChat as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    const viaAnthropic = await ask().catch((e: unknown) => e);
    expect(viaAnthropic).toBeInstanceOf(Anthropic.RateLimitError);
    expect(String((viaAnthropic as Error).message)).toContain("slow down");
  });

  it("a 200 HTML page is a 502 in the client's dialect, streaming or not", async () => {
    up.set((_q, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<!DOCTYPE html><html><body>Bad gateway (proxy login)</body></html>");
    });
    const e1 = await chat().catch((e: unknown) => e);
    expect((e1 as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect(String((e1 as Error).message)).toContain("not JSON");
    const e2 = await openai.chat.completions
      .create({ model: "raw", stream: true, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect((e2 as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    const e3 = await ask().catch((e: unknown) => e);
    expect(e3).toBeInstanceOf(Anthropic.APIError);
    expect((e3 as InstanceType<typeof Anthropic.APIError>).status).toBeGreaterThanOrEqual(500);
    expect(JSON.stringify((e3 as InstanceType<typeof Anthropic.APIError>).error)).toContain("api_error");
  });

  it("a 200 JSON of another shape is a 502, not a success", async () => {
    up.set((_q, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "ok", detail: "maintenance" }));
    });
    const e = await chat().catch((err: unknown) => err);
    expect((e as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
  });

  it("204, 205, 302 and 304 are never relayed", async () => {
    for (const status of [204, 205, 302, 304]) {
      up.set((_q, res) => {
        res.writeHead(status, status === 302 ? { location: "http://127.0.0.1:1/elsewhere" } : {});
        res.end();
      });
      const e = await chat().catch((err: unknown) => err);
      expect((e as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
      const a = await ask().catch((err: unknown) => err);
      expect(a).toBeInstanceOf(Anthropic.APIError);
      expect((a as InstanceType<typeof Anthropic.APIError>).status).toBeGreaterThanOrEqual(500);
    }
  });

  it("asks for identity and decodes a gzip, deflate or br body all the same", async () => {
    up.set((_q, res) => {
      res.writeHead(200, { "content-type": "text/event-stream", "content-encoding": "gzip" });
      res.end(gzipSync(chatStream(["hello ", "gzip"])));
    });
    const msg = await ask();
    expect(msg.content).toEqual([{ type: "text", text: "hello gzip" }]);
    expect(up.headers.at(-1)?.["accept-encoding"]).toBe("identity");
    up.set((_q, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      res.end(gzipSync(JSON.stringify(chatAnswer)));
    });
    expect((await chat()).choices[0]?.message.content).toBe("fine");
    up.set((_q, res) => {
      res.writeHead(200, { "content-type": "text/event-stream", "content-encoding": "deflate" });
      res.end(deflateSync(chatStream(["hello ", "deflate"])));
    });
    expect((await ask()).content).toEqual([{ type: "text", text: "hello deflate" }]);
    up.set((_q, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "br" });
      res.end(brotliCompressSync(JSON.stringify(chatAnswer)));
    });
    expect((await chat()).choices[0]?.message.content).toBe("fine");
  });

  it("a passthrough non-stream answer cut mid-body is a 502 in the dialect", async () => {
    up.set((_q, res) => {
      const text = JSON.stringify(chatAnswer);
      res.writeHead(200, { "content-type": "application/json", "content-length": String(text.length) });
      res.write(text.slice(0, 40));
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const e = await chat().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(OpenAI.APIError);
    expect((e as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
  });

  it("a single SSE event past server.max_event_mb ends the stream with an error naming the limit", async () => {
    up.set((_q, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      // the stream has begun (its first event relayed) when the large one comes
      const [first, ...rest] = chatStream(["x".repeat(100_000)]).split(/(?<=\n\n)/);
      res.write(first);
      setTimeout(() => res.end(rest.join("")), 30);
    });
    const stream = anthropic.messages.stream({
      model: "raw",
      max_tokens: 64,
      messages: [{ role: "user", content: "hi" }],
    });
    const e = await stream.finalMessage().catch((err: unknown) => err);
    expect(String((e as Error).message)).toContain("server.max_event_mb");
    const passed = await openai.chat.completions.create({
      model: "raw",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    });
    const e2 = await (async () => {
      for await (const _ of passed) {
        // drain
      }
    })().catch((err: unknown) => err);
    expect(String((e2 as Error).message)).toContain("server.max_event_mb");
  });

  it("a collected answer past server.max_answer_mb is an error naming the limit", async () => {
    up.set((_q, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(chatStream(Array.from({ length: 40 }, () => "y".repeat(10_000))));
    });
    const e = await ask().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(Anthropic.APIError);
    expect(String((e as Error).message)).toContain("server.max_answer_mb");
    const e2 = await chat().catch((err: unknown) => err);
    expect(String((e2 as Error).message)).toContain("server.max_answer_mb");
    // Streamed, the same answer is not held: it passes.
    const stream = anthropic.messages.stream({
      model: "raw",
      max_tokens: 64,
      messages: [{ role: "user", content: "hi" }],
    });
    const text = (await stream.finalMessage()).content.map((c) => (c.type === "text" ? c.text : "")).join("");
    expect(text.length).toBe(400_000);
  });

  it("a 101 (switching protocols) is a 502, not a hang", async () => {
    const tcp = createTcpServer((socket) => {
      socket.once("data", () =>
        socket.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"),
      );
    });
    await new Promise<void>((r) => tcp.listen(0, "127.0.0.1", r));
    const port = (tcp.address() as AddressInfo).port;
    const h2 = await startHarness(() => ({
      providers: { up101: { type: "openai", base_url: `http://127.0.0.1:${port}/v1`, api_key: "k", api: "chat" } },
      models: { up101: { provider: "up101", model: "gpt-4.1" } },
    }));
    try {
      const client = new OpenAI({ apiKey: "k", baseURL: `${h2.url}/v1`, maxRetries: 0, timeout: 8000 });
      const e = await client.chat.completions
        .create({ model: "up101", messages: [{ role: "user", content: "hi" }] })
        .catch((err: unknown) => err);
      expect((e as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
      expect(String((e as Error).message)).toContain("101");
    } finally {
      await h2.close();
      await new Promise<void>((r) => tcp.close(() => r()));
    }
  });
});
