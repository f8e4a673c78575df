/**
 * Upstreams that misbehave at the transport level: no answer at all, a stream that stalls, a connection
 * cut mid-stream. Each client gets a clear error in its own dialect, naming the upstream, and llmux keeps
 * serving. The upstream here is a raw HTTP server, so the failures are real socket behaviour.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anthropicStream } from "../../src/mock/index.js";
import { type Body, type Harness, startHarness } from "../support/gateway.js";

type Behaviour = (req: IncomingMessage, res: ServerResponse) => void;
let behaviour: Behaviour = () => undefined;
let upstream: Server;
let h: Harness;
const open = new Set<ServerResponse>();

const PARTIAL = anthropicStream({ id: "msg_cut", blocks: [{ type: "text", text: "partial answer" }] });
/** message_start and the first text delta, not the end of the message. */
const HEAD = PARTIAL.slice(0, 4).join("");

beforeAll(async () => {
  upstream = createServer((req, res) => {
    open.add(res);
    res.on("close", () => open.delete(res));
    req.resume();
    req.on("end", () => behaviour(req, res));
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  h = await startHarness(() => ({
    providers: {
      flaky: { type: "anthropic", base_url: url, api_key: "k", timeout_ms: 400 },
      "flaky-chat": { type: "openai-compatible", base_url: `${url}/v1`, api_key: "k", timeout_ms: 400 },
    },
    models: { flaky: { provider: "flaky", model: "claude-sonnet-4-5" } },
  }));
});
afterAll(async () => {
  for (const res of open) res.destroy();
  await h.close();
  await new Promise<void>((r) => upstream.close(() => r()));
});

const anthropic = () => new Anthropic({ apiKey: "k", baseURL: h.url, maxRetries: 0 });
const openai = () => new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
const ask = { model: "flaky", max_tokens: 50, messages: [{ role: "user" as const, content: "hi" }] };

describe("an upstream that never answers", () => {
  it("is a 504 timeout naming the provider, after its timeout_ms", async () => {
    behaviour = () => undefined;
    const started = Date.now();
    const res = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ask),
    });
    expect(res.status).toBe(504);
    const body = (await res.json()) as Body;
    expect(body.error.message).toMatch(/flaky .*did not answer in time/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
  });
});

describe("a stream that stalls after its first events", () => {
  beforeAll(() => {
    behaviour = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(HEAD);
    };
  });

  it("passthrough: the Anthropic client gets what came, then an error event", async () => {
    const stream = anthropic().messages.stream(ask);
    const texts: string[] = [];
    stream.on("text", (t) => texts.push(t));
    await expect(stream.finalMessage()).rejects.toThrow(/upstream stream failed/);
    expect(texts.join("")).not.toBe("");
  });

  it("translated: the Chat client gets an error chunk instead of a silent end", async () => {
    const stream = openai().chat.completions.stream({ model: "flaky", messages: [{ role: "user", content: "hi" }] });
    await expect(stream.finalChatCompletion()).rejects.toThrow(/upstream stream failed/);
  });
});

describe("a connection cut mid-stream", () => {
  beforeAll(() => {
    behaviour = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(HEAD, () => setTimeout(() => res.socket?.destroy(), 20));
    };
  });

  it("passthrough: an error event, never a stream that looks complete", async () => {
    await expect(anthropic().messages.stream(ask).finalMessage()).rejects.toThrow(/upstream stream failed/);
  });
  it("translated to Responses: the partial text is closed, then the error", async () => {
    const stream = openai().responses.stream({ model: "flaky", input: "hi" });
    const types: string[] = [];
    stream.on("event", (e) => types.push(e.type));
    await expect(stream.finalResponse()).rejects.toThrow(/upstream stream failed/);
    expect(types).toContain("response.output_text.delta");
    expect(types.at(-1)).toBe("response.output_item.done");
  });

  it("and llmux keeps serving afterwards", async () => {
    behaviour = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(PARTIAL.join(""));
    };
    const m = await anthropic().messages.stream(ask).finalMessage();
    expect(m.content).toMatchObject([{ type: "text", text: "partial answer" }]);
  });
});
