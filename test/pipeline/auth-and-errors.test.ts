/** Authentication, input errors, upstream errors and limits, each answered in the client's own dialect. */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Body, type Harness, startHarness } from "../support/gateway.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness(() => ({ auth: { keys: ["svc-key-1", "svc-key-2"] }, server: { body_limit_mb: 0.01 } }));
});
afterAll(async () => {
  await h.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${h.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, body: json as Body };
}

const CHAT = { model: "via-openai-chat", messages: [{ role: "user", content: "hi" }] };
const MESSAGES = { model: "via-anthropic", max_tokens: 10, messages: [{ role: "user", content: "hi" }] };
const RESPONSES = { model: "via-azure-responses", input: "hi" };

describe("service keys", () => {
  it("accepts Authorization: Bearer, x-api-key and api-key", async () => {
    const variants: Record<string, string>[] = [
      { authorization: "Bearer svc-key-1" },
      { "x-api-key": "svc-key-2" },
      { "api-key": "svc-key-1" },
    ];
    for (const headers of variants) {
      h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
      const r = await post("/v1/chat/completions", CHAT, headers);
      expect(r.status).toBe(200);
      expect(r.body.choices[0].message.content).toBe("ok");
    }
  });

  it("rejects a missing or wrong key with a 401 in each client's dialect", async () => {
    const chat = await post("/v1/chat/completions", CHAT);
    expect(chat.status).toBe(401);
    expect(chat.body.error.type).toBe("authentication_error");
    expect(chat.body.error.message).toMatch(/No API key/);
    const msg = await post("/v1/messages", MESSAGES, { "x-api-key": "nope" });
    expect(msg.status).toBe(401);
    expect(msg.body).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    expect(msg.body.error.message).toMatch(/auth\.keys/);
    const resp = await post("/v1/responses", RESPONSES, { authorization: "Bearer nope" });
    expect(resp.status).toBe(401);
    expect(resp.body.error.code).toBe("invalid_api_key");
  });

  it("is what the official SDKs report as an authentication error", async () => {
    const openai = new OpenAI({ apiKey: "wrong", baseURL: `${h.url}/v1`, maxRetries: 0 });
    await expect(openai.chat.completions.create(CHAT as never)).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const anthropic = new Anthropic({ apiKey: "wrong", baseURL: h.url, maxRetries: 0 });
    await expect(anthropic.messages.create(MESSAGES as never)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it("never lets the service key reach the upstream", async () => {
    h.mock.reset();
    h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
    await post("/v1/messages", MESSAGES, { "x-api-key": "svc-key-1", "anthropic-version": "2023-06-01" });
    const sent = h.mock.requests.at(-1)!;
    expect(sent.headers["x-api-key"]).toBe("an-key");
    expect(JSON.stringify(sent.headers)).not.toContain("svc-key-1");
  });
});

describe("bad input", () => {
  const key = { authorization: "Bearer svc-key-1" };

  it("answers invalid JSON with a 400 in the client's dialect", async () => {
    const r = await post("/v1/messages", "{not json", key);
    expect(r.status).toBe(400);
    expect(r.body.error.type).toBe("invalid_request_error");
    expect(r.body.error.message).toMatch(/not valid JSON/);
  });

  it("names the field: missing model, wrong type, unknown role", async () => {
    const noModel = await post("/v1/chat/completions", { messages: [] }, key);
    expect(noModel.status).toBe(400);
    expect(noModel.body.error.param).toBe("model");
    const badType = await post("/v1/chat/completions", { model: "via-anthropic", messages: "hi" }, key);
    expect(badType.status).toBe(400);
    expect(badType.body.error.param).toBe("messages");
    const badRole = await post(
      "/v1/chat/completions",
      { model: "via-anthropic", messages: [{ role: "robot", content: "x" }] },
      key,
    );
    expect(badRole.status).toBe(400);
    expect(badRole.body.error.param).toBe("messages[0].role");
    expect(badRole.body.error.message).toMatch(/'system', 'developer', 'user'/);
  });

  it("answers an unknown model with a 404 that lists the known ones", async () => {
    const r = await post("/v1/messages", { ...MESSAGES, model: "no-such-model" }, key);
    expect(r.status).toBe(404);
    expect(r.body.error.type).toBe("not_found_error");
    expect(r.body.error.message).toContain("via-anthropic");
    expect(r.body.error.message).toContain("no-such-model");
  });

  it("answers an oversized body with a 413", async () => {
    const big = { ...CHAT, messages: [{ role: "user", content: "x".repeat(20_000) }] };
    const r = await post("/v1/chat/completions", big, key);
    expect(r.status).toBe(413);
    expect(r.body.error.message).toMatch(/body_limit_mb/);
  });

  it("answers unknown routes with a 404", async () => {
    const r = await post("/v2/nothing", {}, key);
    expect(r.status).toBe(404);
  });
});

describe("upstream errors", () => {
  const key = { authorization: "Bearer svc-key-1" };

  it("maps an Anthropic 529 to a 503 for OpenAI-dialect clients, keeping retry-after", async () => {
    h.mock.enqueue({ blocks: [], httpError: { status: 529, message: "Overloaded", retryAfter: "7" } });
    const r = await post("/v1/chat/completions", { ...CHAT, model: "via-anthropic" }, key);
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe("overloaded");
    expect(r.headers.get("retry-after")).toBe("7");
  });

  it("maps an OpenAI 503 to Anthropic's 529 overloaded_error", async () => {
    h.mock.enqueue({ blocks: [], httpError: { status: 503, message: "busy" } });
    const r = await post("/v1/messages", { ...MESSAGES, model: "via-openai-chat" }, key);
    expect(r.status).toBe(529);
    expect(r.body.error.type).toBe("overloaded_error");
  });

  it("keeps a 429 with retry-after across dialects", async () => {
    h.mock.enqueue({ blocks: [], httpError: { status: 429, message: "slow down", retryAfter: "3" } });
    const r = await post("/v1/responses", RESPONSES, key);
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("3");
    expect(r.body.error.message).toBe("slow down");
  });

  it("passes a same-dialect error through unchanged", async () => {
    h.mock.enqueue({ blocks: [], httpError: { status: 400, message: "bad thing" } });
    const r = await post("/v1/messages", MESSAGES, key);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: "bad thing" } });
  });

  it("reports an unreachable upstream as a 502 naming the provider", async () => {
    const broken = await startHarness(() => ({
      providers: { dead: { type: "openai", base_url: "http://127.0.0.1:1/v1", api_key: "x", api: "chat" } },
      models: { gone: { provider: "dead" } },
    }));
    try {
      const r = await fetch(`${broken.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...MESSAGES, model: "gone" }),
      });
      expect(r.status).toBe(502);
      const body = (await r.json()) as { error: { type: string; message: string } };
      expect(body.error.type).toBe("api_error");
      expect(body.error.message).toMatch(/dead .*unreachable/);
    } finally {
      await broken.close();
    }
  });

  it("turns an error after the stream started into the dialect's in-stream error", async () => {
    h.mock.enqueue({
      blocks: [
        { type: "text", text: "partial" },
        { type: "text", text: "never" },
      ],
      streamError: { afterBlocks: 1, message: "Upstream fell over", kind: "overloaded" },
    });
    const anthropic = new Anthropic({ apiKey: "svc-key-1", baseURL: h.url, maxRetries: 0 });
    await expect(
      anthropic.messages.stream({ ...MESSAGES, model: "via-openai-chat" } as never).finalMessage(),
    ).rejects.toThrow(/Upstream fell over/);
  });
});
