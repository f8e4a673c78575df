/**
 * Passthrough answers name the model the client asked for: an alias is echoed back (Claude Code drops the
 * thinking of a turn it believes another model answered), the rest of the upstream's bytes untouched. A
 * client naming the upstream model itself gets the upstream's bytes exactly.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anthropicStream, chatStream, type MockScript, responsesStream } from "../../src/mock/index.js";
import { ModelRenamer, renameModelInBody } from "../../src/upstream/model-rename.js";
import { type Harness, startHarness } from "../support/gateway.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness(() => ({
    models: {
      "claude-*": { provider: "anthropic", model: "claude-sonnet-4-5" },
      "gpt-5-codex": { provider: "azure-responses", model: "gpt-5-codex" },
      "gpt-alias": { provider: "azure-responses", model: "gpt-5-codex" },
      "kimi-alias": { provider: "openai-chat", model: "kimi-k2" },
    },
  }));
});
afterAll(async () => {
  await h.close();
});

const script = (id: string): MockScript => ({
  id,
  model: "upstream-name-2026-01-01",
  blocks: [{ type: "text", text: 'He said "model":"x" and \\"model\\" here.' }],
});

async function raw(path: string, body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${h.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return res.text();
}

describe("passthrough through an alias", () => {
  it("Anthropic: the stream names the requested model, every other byte as the upstream sent it", async () => {
    h.mock.enqueue(script("msg_a1"));
    const text = await raw("/v1/messages", {
      model: "claude-opus-4-8",
      max_tokens: 20,
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    });
    const upstream = anthropicStream(script("msg_a1")).join("");
    expect(text).toBe(upstream.replace('"model":"upstream-name-2026-01-01"', '"model":"claude-opus-4-8"'));
  });

  it("Anthropic through the SDK, streamed and not", async () => {
    const sdk = new Anthropic({ apiKey: "k", baseURL: h.url, maxRetries: 0 });
    h.mock.enqueue(script("msg_a2"));
    const streamed = await sdk.messages
      .stream({ model: "claude-opus-4-8", max_tokens: 20, messages: [{ role: "user", content: "hi" }] })
      .finalMessage();
    expect(streamed.model).toBe("claude-opus-4-8");
    h.mock.enqueue(script("msg_a3"));
    const whole = await sdk.messages.create({
      model: "claude-opus-4-8",
      max_tokens: 20,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(whole.model).toBe("claude-opus-4-8");
    expect(whole.content).toEqual(streamed.content);
  });

  it("Responses: every lifecycle event names the alias", async () => {
    h.mock.enqueue(script("resp_r1"));
    const text = await raw("/v1/responses", { model: "gpt-alias", input: "hi", stream: true });
    expect(text).toBe(responsesStream(script("resp_r1")).join("").replaceAll("upstream-name-2026-01-01", "gpt-alias"));
    const sdk = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
    h.mock.enqueue(script("resp_r2"));
    const r = await sdk.responses.stream({ model: "gpt-alias", input: "hi" }).finalResponse();
    expect(r.model).toBe("gpt-alias");
  });

  it("Chat: every chunk names the alias", async () => {
    h.mock.enqueue(script("chatcmpl-c1"));
    const text = await raw("/v1/chat/completions", {
      model: "kimi-alias",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    });
    const upstream = chatStream(script("chatcmpl-c1")).join("");
    expect(text).toBe(upstream.replaceAll('"model":"upstream-name-2026-01-01"', '"model":"kimi-alias"'));
    const sdk = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
    h.mock.enqueue(script("chatcmpl-c2"));
    const c = await sdk.chat.completions.create({ model: "kimi-alias", messages: [{ role: "user", content: "hi" }] });
    expect(c.model).toBe("kimi-alias");
    expect(c.choices[0]?.message.content).toBe('He said "model":"x" and \\"model\\" here.');
  });

  it("a client naming the upstream model gets the upstream's bytes exactly", async () => {
    h.mock.enqueue(script("resp_same"));
    const text = await raw("/v1/responses", { model: "gpt-5-codex", input: "hi", stream: true });
    expect(text).toBe(responsesStream(script("resp_same")).join(""));
  });
});

describe("the renamer", () => {
  const stream = anthropicStream(script("msg_u1")).join("");
  const expected = stream.replace('"model":"upstream-name-2026-01-01"', '"model":"alias-é"');

  it("gives the same bytes however the stream is split, multi-byte characters included", () => {
    const bytes = Buffer.from(stream);
    for (const size of [1, 2, 3, 7, 64, bytes.length]) {
      const r = new ModelRenamer("alias-é");
      const parts: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) parts.push(Buffer.from(r.push(bytes.subarray(i, i + size))));
      parts.push(Buffer.from(r.end()));
      expect(Buffer.concat(parts).toString("utf8")).toBe(expected);
    }
  });

  it("handles a space after the colon, escaped quotes in the old name, and a body without a model", () => {
    expect(renameModelInBody('{"id":"x", "model": "a\\"b", "choices":[]}', "m")).toBe(
      '{"id":"x", "model": "m", "choices":[]}',
    );
    expect(renameModelInBody('{"type":"ping"}', "m")).toBe('{"type":"ping"}');
    const r = new ModelRenamer("m");
    expect(Buffer.from(r.push(Buffer.from('data: {"model":"old"}'))).length).toBe(0);
    expect(Buffer.from(r.end()).toString()).toBe('data: {"model":"m"}');
  });
});
