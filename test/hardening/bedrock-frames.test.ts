/**
 * Bedrock's event-stream messages obey server.max_event_mb like SSE events do: a message that declares a
 * length past the limit is refused as soon as its length is read, before llmux holds any of it. The upstream
 * here declares a 200 MB message, sends its first bytes and then nothing more: an llmux that waited for
 * the message (AWS's decoder allocates what it declares) would answer only at the upstream timeout. The
 * messages are framed with AWS's own codec; the official SDKs judge what the client sees.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Anthropic from "@anthropic-ai/sdk";
import { EventStreamCodec } from "@smithy/core/event-streams";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";

const codec = new EventStreamCodec(
  (b: Uint8Array) => Buffer.from(b).toString("utf8"),
  (s: string) => Buffer.from(s, "utf8"),
);

function event(type: string, payload: object): Uint8Array {
  return codec.encode({
    headers: {
      ":event-type": { type: "string", value: type },
      ":content-type": { type: "string", value: "application/json" },
      ":message-type": { type: "string", value: "event" },
    },
    body: Buffer.from(JSON.stringify(payload)),
  });
}

/** The first bytes of a message declaring `total` bytes (its prelude and a little of its body). */
function hugeMessageStart(total: number): Buffer {
  const head = Buffer.alloc(64 * 1024);
  head.writeUInt32BE(total, 0);
  head.writeUInt32BE(32, 4);
  return head;
}

describe("Bedrock event-stream messages past server.max_event_mb", () => {
  let up: Server;
  let h: Harness;
  const open: ServerResponse[] = [];
  beforeAll(async () => {
    up = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/vnd.amazon.eventstream" });
        res.write(event("messageStart", { role: "assistant" }));
        res.write(event("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Hel" } }));
        // A message that says it is 200 MB; its first 64 KiB come, the rest never does.
        res.write(hugeMessageStart(200 * 1024 * 1024));
        open.push(res);
      });
    });
    await new Promise<void>((r) => up.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(up.address() as AddressInfo).port}`;
    h = await startHarness(() => ({
      server: { max_event_mb: 1 },
      providers: {
        huge: { type: "bedrock", region: "us-east-1", base_url: url, api_key: "bedrock-key", timeout_ms: 20_000 },
      },
      models: { huge: { provider: "huge", model: "amazon.nova-pro-v1:0" } },
    }));
  });
  afterAll(async () => {
    for (const res of open) res.destroy();
    await h.close();
    await new Promise<void>((r) => up.close(() => r()));
  });

  it("a streamed Chat answer ends with an error naming the limit", async () => {
    const openai = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0, timeout: 10_000 });
    // The start of the answer is held while llmux may still retry: the refusal may come as the status.
    const e = await (async () => {
      const stream = await openai.chat.completions.create({
        model: "huge",
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      });
      for await (const _ of stream) {
        // drain
      }
    })().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(OpenAI.APIError);
    expect(String((e as Error).message)).toContain("server.max_event_mb");
  });

  it("an Anthropic client that did not stream gets a 502 naming the limit", async () => {
    const anthropic = new Anthropic({ apiKey: "k", baseURL: h.url, maxRetries: 0, timeout: 10_000 });
    const e = await anthropic.messages
      .create({ model: "huge", max_tokens: 64, messages: [{ role: "user", content: "hi" }] })
      .catch((err: unknown) => err);
    expect(e).toBeInstanceOf(Anthropic.APIError);
    expect((e as InstanceType<typeof Anthropic.APIError>).status).toBe(502);
    expect(String((e as Error).message)).toContain("server.max_event_mb");
  });
});
