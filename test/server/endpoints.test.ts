/** Every inbound route: generation paths of each dialect, Azure-style paths, count_tokens, models, health. */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI, { AzureOpenAI } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const reply = (text: string) => h.mock.enqueue({ blocks: [{ type: "text", text }] });

async function chatAt(path: string, headers: Record<string, string> = {}, model = "via-anthropic") {
  reply("ok");
  const res = await fetch(`${h.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  return { status: res.status, body: (await res.json()) as { choices: { message: { content: string } }[] } };
}

describe("Chat Completions paths", () => {
  for (const path of [
    "/v1/chat/completions",
    "/chat/completions",
    "/cursor/chat/completions",
    "/openai/v1/chat/completions",
  ]) {
    it(`POST ${path}`, async () => {
      const r = await chatAt(path);
      expect(r.status).toBe(200);
      expect(r.body.choices[0]!.message.content).toBe("ok");
    });
  }

  it("Azure deployment path: the deployment names the model, api-key header accepted", async () => {
    const r = await chatAt(
      "/openai/deployments/via-openai-chat/chat/completions?api-version=2024-10-21",
      { "api-key": "whatever" },
      "ignored",
    );
    expect(r.status).toBe(200);
    expect((h.mock.requests.at(-1)!.body as { model: string }).model).toBe("gpt-4.1");
  });

  it("the official AzureOpenAI client works against llmux (deployment = alias)", async () => {
    reply("azure ok");
    const client = new AzureOpenAI({
      endpoint: h.url,
      apiKey: "az",
      apiVersion: "2024-10-21",
      deployment: "via-compat",
      maxRetries: 0,
    });
    const c = await client.chat.completions.create({ model: "", messages: [{ role: "user", content: "hi" }] });
    expect(c.choices[0]!.message.content).toBe("azure ok");
    expect(h.mock.requests.at(-1)!.path).toBe("/compat/v1/chat/completions");
  });
});

describe("Responses paths", () => {
  for (const path of [
    "/v1/responses",
    "/openai/v1/responses",
    "/openai/responses?api-version=2025-04-01-preview",
    "/responses",
  ]) {
    it(`POST ${path}`, async () => {
      reply("resp ok");
      const res = await fetch(`${h.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "api-key": "k" },
        body: JSON.stringify({ model: "via-anthropic", input: "hi" }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { output: { content: { text: string }[] }[] };
      expect(body.output[0]!.content[0]!.text).toBe("resp ok");
    });
  }
});

describe("Messages paths", () => {
  it("POST /v1/messages?beta=true (SDK beta clients and Claude Code)", async () => {
    reply("beta ok");
    const client = new Anthropic({ apiKey: "k", baseURL: h.url, maxRetries: 0 });
    const m = await client.beta.messages.create({
      model: "via-openai-chat",
      max_tokens: 10,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(m.content[0]).toMatchObject({ type: "text", text: "beta ok" });
  });

  it("count_tokens: the real count from an Anthropic upstream", async () => {
    const client = new Anthropic({ apiKey: "k", baseURL: h.url, maxRetries: 0 });
    const body = { model: "via-anthropic", messages: [{ role: "user" as const, content: "count me please" }] };
    const r = await client.messages.countTokens(body);
    const sent = h.mock.requests.at(-1)!;
    expect(sent.path).toBe("/v1/messages/count_tokens");
    expect((sent.body as { model: string }).model).toBe("claude-sonnet-4-5");
    expect(r.input_tokens).toBe(Math.ceil(sent.raw.length / 4));
  });

  it("count_tokens: a tokenizer estimate for other upstreams (never a 404)", async () => {
    const res = await fetch(`${h.url}/v1/messages/count_tokens?beta=true`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "via-azure-responses",
        system: "You are terse.",
        messages: [{ role: "user", content: "hello world" }],
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("llmux-estimated")).toBe("true");
    const { input_tokens } = (await res.json()) as { input_tokens: number };
    expect(input_tokens).toBeGreaterThan(4);
    expect(input_tokens).toBeLessThan(30);
  });
});

describe("models and health", () => {
  it("GET /v1/models in OpenAI shape", async () => {
    const client = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(["via-anthropic", "via-azure-chat", "via-compat"]));
  });

  it("GET /v1/models in Anthropic shape when the request has anthropic-version", async () => {
    const client = new Anthropic({ apiKey: "k", baseURL: h.url, maxRetries: 0 });
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toEqual(expect.arrayContaining(["via-anthropic"]));
    expect(page.data[0]!.type).toBe("model");
  });

  it("GET /v1/models/{id}", async () => {
    const ok = await fetch(`${h.url}/v1/models/via-compat`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { id: string }).id).toBe("via-compat");
    expect((await fetch(`${h.url}/v1/models/nope`)).status).toBe(404);
  });

  it("GET /health and HEAD /", async () => {
    const health = await fetch(`${h.url}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe("ok");
    const head = await fetch(`${h.url}/`, { method: "HEAD" });
    expect(head.status).toBe(200);
  });
});

describe("Azure upstream URL forms", () => {
  it("dated form: /openai/deployments/{d}/chat/completions?api-version=…", async () => {
    await chatAt("/v1/chat/completions", {}, "via-azure-chat");
    expect(h.mock.requests.at(-1)!.url).toBe(
      "/openai/deployments/gpt-4o-deploy/chat/completions?api-version=2024-10-21",
    );
  });

  it("v1 form: /openai/v1/responses with the deployment in the body", async () => {
    await chatAt("/v1/chat/completions", {}, "via-azure-responses");
    const sent = h.mock.requests.at(-1)!;
    expect(sent.url).toBe("/openai/v1/responses");
    expect((sent.body as { model: string }).model).toBe("gpt-5-codex");
  });
});
