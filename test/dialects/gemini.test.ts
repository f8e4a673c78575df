/**
 * Gemini, point by point, in and out, through the gateway (the mock records what reached the Gemini
 * upstream; official SDKs read the answers): images in both directions, parallel function calls and their
 * functionResponses, thinkingConfig from an effort or a budget (Gemini 2.5 budgets, Gemini 3 levels),
 * usage with cached and thinking tokens, safety blocks and finish reasons, JSON-schema structured output
 * converted to Gemini's subset with warnings, and the inbound routes Gemini clients call (:countTokens,
 * GET /v1beta/models) with x-goog-api-key or ?key= auth.
 *
 * Elsewhere: thought summaries as reasoning for every client (test/matrix/sdk-matrix.test.ts), thought
 * signatures carried back on the next turn for every client, Chat through the reasoning cache
 * (test/reasoning/tool-loop.test.ts), the recorded Gemini streams through every client dialect
 * (test/fixtures/upstream-streams.test.ts), every scenario Gemini ⇄ every dialect
 * (test/matrix/scenario-matrix.test.ts).
 */
import { GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Body, type Harness, startHarness } from "../support/gateway.js";

const KEY = "llmux-gemini-test-key";
let h: Harness;
let openai: OpenAI;

beforeAll(async () => {
  h = await startHarness(() => ({
    auth: { keys: [KEY] },
    models: {
      g25: { provider: "gemini", model: "gemini-2.5-pro" },
      g3: { provider: "gemini", model: "gemini-3-pro-preview" },
      "via-anthropic": { provider: "anthropic", model: "claude-sonnet-4-5" },
    },
  }));
  openai = new OpenAI({ apiKey: KEY, baseURL: `${h.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await h.close();
});

const genai = (apiKey = KEY) =>
  new GoogleGenAI({ apiKey, httpOptions: { baseUrl: h.url, retryOptions: { attempts: 1 } } });

function lastBody(): Body {
  return h.mock.requests.at(-1)!.body as Body;
}

const PNG = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex").toString("base64");

describe("images", () => {
  it("a Chat client's images reach Gemini as inlineData (data: URL) and fileData (https URL)", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "Two images." }] });
    await openai.chat.completions.create({
      model: "g25",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Compare:" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
            { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
          ],
        },
      ],
    });
    expect(lastBody().contents).toEqual([
      {
        role: "user",
        parts: [
          { text: "Compare:" },
          { inlineData: { mimeType: "image/png", data: PNG } },
          { fileData: { mimeType: "image/jpeg", fileUri: "https://example.com/cat.jpg" } },
        ],
      },
    ]);
  });

  it("a Gemini client's inlineData reaches Anthropic as a base64 image", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "A PNG." }] });
    const r = await genai().models.generateContent({
      model: "via-anthropic",
      contents: [
        { role: "user", parts: [{ text: "What is it?" }, { inlineData: { mimeType: "image/png", data: PNG } }] },
      ],
    });
    expect(r.text).toBe("A PNG.");
    const msg = (lastBody().messages as Body[])[0]!;
    expect(msg.content).toEqual([
      { type: "text", text: "What is it?" },
      // The last block carries llmux's prompt-cache breakpoint (a translated request to Anthropic).
      {
        type: "image",
        source: { type: "base64", media_type: "image/png", data: PNG },
        cache_control: { type: "ephemeral" },
      },
    ]);
  });
});

describe("parallel function calls", () => {
  it("reach a Chat client as two calls, and both results go back as functionResponses named after their calls", async () => {
    h.mock.enqueue({
      blocks: [
        { type: "tool_call", id: "call_p1", name: "read_file", arguments: '{"path":"a.ts"}' },
        { type: "tool_call", id: "call_p2", name: "grep", arguments: '{"pattern":"x"}' },
      ],
    });
    const tools = ["read_file", "grep"].map((name) => ({
      type: "function" as const,
      function: { name, parameters: { type: "object", properties: { path: { type: "string" } } } },
    }));
    const first = await openai.chat.completions.create({
      model: "g25",
      tools,
      messages: [{ role: "user", content: "Look around." }],
    });
    const calls = first.choices[0]!.message.tool_calls!;
    expect(first.choices[0]!.finish_reason).toBe("tool_calls");
    expect(calls.map((c) => (c.type === "function" ? [c.id, c.function.name, c.function.arguments] : []))).toEqual([
      ["call_p1", "read_file", '{"path":"a.ts"}'],
      ["call_p2", "grep", '{"pattern":"x"}'],
    ]);
    h.mock.enqueue({ blocks: [{ type: "text", text: "Done." }] });
    await openai.chat.completions.create({
      model: "g25",
      tools,
      messages: [
        { role: "user", content: "Look around." },
        first.choices[0]!.message,
        { role: "tool", tool_call_id: "call_p1", content: "export const a = 1;" },
        { role: "tool", tool_call_id: "call_p2", content: "no match" },
      ],
    });
    const contents = lastBody().contents as Body[];
    expect(contents[1]!.role).toBe("model");
    expect((contents[1]!.parts as Body[]).map((p) => p.functionCall?.name)).toEqual(["read_file", "grep"]);
    expect(contents[2]).toEqual({
      role: "user",
      parts: [
        { functionResponse: { name: "read_file", response: { output: "export const a = 1;" } } },
        { functionResponse: { name: "grep", response: { output: "no match" } } },
      ],
    });
  });
});

describe("thinkingConfig", () => {
  const thinking = () => (lastBody().generationConfig as Body | undefined)?.thinkingConfig;
  const say = () => h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });

  it("from a Responses client's effort: a budget, thoughts included (Gemini 2.5)", async () => {
    say();
    await openai.responses.create({ model: "g25", input: "hi", reasoning: { effort: "low" } });
    expect(thinking()).toEqual({ thinkingBudget: 4096, includeThoughts: true });
  });

  it("from an Anthropic client's budget_tokens: that budget", async () => {
    say();
    await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": KEY, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "g25",
        max_tokens: 8000,
        thinking: { type: "enabled", budget_tokens: 2048 },
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(thinking()).toEqual({ thinkingBudget: 2048, includeThoughts: true });
  });

  it("reasoning_effort none turns thinking off on 2.5; Gemini 3 takes a level", async () => {
    say();
    await openai.chat.completions.create({
      model: "g25",
      reasoning_effort: "none" as never,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(thinking()).toEqual({ thinkingBudget: 0 });
    say();
    await openai.chat.completions.create({
      model: "g3",
      reasoning_effort: "high",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(thinking()).toEqual({ thinkingLevel: "high", includeThoughts: true });
  });
});

describe("usage", () => {
  it("cached and thinking tokens reach a Chat client (prompt_tokens_details, completion_tokens_details)", async () => {
    h.mock.enqueue({
      blocks: [
        { type: "reasoning", text: "Thinking." },
        { type: "text", text: "Cached." },
      ],
      usage: { input: 1200, output: 300, cacheRead: 1000, reasoning: 120 },
    });
    const r = await openai.chat.completions.create({ model: "g25", messages: [{ role: "user", content: "hi" }] });
    expect(r.usage).toMatchObject({
      prompt_tokens: 1200,
      completion_tokens: 300,
      prompt_tokens_details: { cached_tokens: 1000 },
      completion_tokens_details: { reasoning_tokens: 120 },
    });
  });
});

describe("safety blocks and finish reasons", () => {
  const chunk = (v: unknown) => `data: ${JSON.stringify(v)}\r\n\r\n`;
  const usage = { promptTokenCount: 7, candidatesTokenCount: 0, totalTokenCount: 7 };
  const ask = async (raw: string) => {
    h.mock.enqueue({ raw });
    const r = await openai.chat.completions.create({ model: "g25", messages: [{ role: "user", content: "hi" }] });
    return { finish: r.choices[0]!.finish_reason, text: r.choices[0]!.message.content };
  };

  it("a blocked prompt (promptFeedback.blockReason, no candidate) is content_filter", async () => {
    const got = await ask(
      chunk({ promptFeedback: { blockReason: "PROHIBITED_CONTENT" }, usageMetadata: usage, responseId: "r1" }),
    );
    expect(got.finish).toBe("content_filter");
  });

  for (const [reason, finish] of [
    ["SAFETY", "content_filter"],
    ["RECITATION", "content_filter"],
    ["BLOCKLIST", "content_filter"],
    ["MAX_TOKENS", "length"],
    ["STOP", "stop"],
  ] as const) {
    it(`finishReason ${reason} is ${finish}`, async () => {
      const got = await ask(
        chunk({ candidates: [{ content: { role: "model", parts: [{ text: "Part" }] }, index: 0 }], responseId: "r2" }) +
          chunk({
            candidates: [{ content: { role: "model", parts: [{ text: "ial" }] }, finishReason: reason, index: 0 }],
            usageMetadata: usage,
          }),
      );
      expect(got).toEqual({ finish, text: "Partial" });
    });
  }

  it("a Gemini client is told SAFETY when an Anthropic upstream refuses", async () => {
    h.mock.enqueue({ blocks: [{ type: "refusal", text: "I can't help with that." }], stop: "content_filter" });
    const r = await genai().models.generateContent({ model: "via-anthropic", contents: "hi" });
    expect(r.candidates?.[0]?.finishReason).toBe("SAFETY");
  });
});

describe("structured output in Gemini's schema subset", () => {
  it("converts what maps, drops additionalProperties and the like, and says so in llmux-warnings", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: '{"name":"a","tags":[]}' }] });
    const schema = {
      type: "object",
      additionalProperties: false,
      $defs: { tag: { type: "string", const: "x" } },
      properties: {
        name: { type: ["string", "null"] },
        tags: { type: "array", items: { $ref: "#/$defs/tag" } },
        extra: { type: "object", patternProperties: { "^x": { type: "string" } } },
        // Gemini takes date-time on a string and int64 on an integer, and refuses "uri" with a 400.
        url: { type: "string", format: "uri" },
        when: { type: "string", format: "date-time" },
        count: { type: "integer", format: "int64" },
        level: { type: "integer", enum: [1, 2] },
      },
      required: ["name", "tags", "missing"],
    };
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${KEY}` },
      body: JSON.stringify({
        model: "g25",
        messages: [{ role: "user", content: "JSON please" }],
        response_format: { type: "json_schema", json_schema: { name: "out", schema, strict: true } },
      }),
    });
    expect(res.status).toBe(200);
    const gen = lastBody().generationConfig as Body;
    expect(gen.responseMimeType).toBe("application/json");
    expect(gen.responseSchema).toEqual({
      type: "object",
      properties: {
        name: { type: "string", nullable: true },
        tags: { type: "array", items: { type: "string", enum: ["x"] } },
        extra: { type: "object" },
        url: { type: "string" },
        when: { type: "string", format: "date-time" },
        count: { type: "integer", format: "int64" },
        level: { type: "string", enum: ["1", "2"] },
      },
      required: ["name", "tags"],
    });
    const warned = res.headers.get("llmux-warnings") ?? "";
    expect(warned).toContain("'additionalProperties'");
    expect(warned).toContain("'patternProperties'");
    expect(warned).toContain("'format: uri'");
    expect(warned).toContain("the integer values at properties.level are sent as text");
  });
});

describe("Gemini's own tools", () => {
  it("googleSearch (Gemini CLI's google_web_search) is left out for another upstream with no search provider: the model told, llmux-warnings naming it", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "From memory." }] });
    const res = await fetch(`${h.url}/v1beta/models/via-anthropic:generateContent`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": KEY },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "news?" }] }], tools: [{ googleSearch: {} }] }),
    });
    expect(res.status).toBe(200);
    expect(lastBody().tools).toBeUndefined();
    expect(res.headers.get("llmux-warnings")).toContain("googleSearch removed: no web search provider");
    expect(JSON.stringify(lastBody().system)).toContain("the googleSearch tool is not available here");
  });
});

describe("inbound routes and auth", () => {
  it("GET /v1beta/models lists the models and gets one, through @google/genai", async () => {
    const names: string[] = [];
    for await (const m of await genai().models.list()) names.push(m.name ?? "");
    expect(names).toEqual(expect.arrayContaining(["models/g25", "models/g3", "models/via-anthropic"]));
    const one = await genai().models.get({ model: "g3" });
    expect(one.name).toBe("models/g3");
    expect(one.supportedActions ?? (one as Body).supportedGenerationMethods).toContain("countTokens");
    await expect(genai().models.get({ model: "nope" })).rejects.toThrow(/not configured/);
  });

  it(":countTokens asks a Gemini upstream, and estimates for another", async () => {
    const before = h.mock.requests.length;
    const counted = await genai().models.countTokens({ model: "g25", contents: "How many tokens is this?" });
    expect(h.mock.requests.slice(before).map((r) => r.path)).toEqual(["/v1beta/models/gemini-2.5-pro:countTokens"]);
    expect(counted.totalTokens).toBe(Math.ceil(h.mock.requests.at(-1)!.raw.length / 4));
    // The whole request (system instruction, tools) is counted, not its contents alone.
    const contents = [{ role: "user", parts: [{ text: "How many tokens is this?" }] }];
    const systemInstruction = { parts: [{ text: "You are terse." }] };
    const tools = [{ functionDeclarations: [{ name: "get_weather", description: "The weather in a city" }] }];
    const whole = await fetch(`${h.url}/v1beta/models/g25:countTokens`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": KEY },
      body: JSON.stringify({ generateContentRequest: { model: "models/g25", contents, systemInstruction, tools } }),
    });
    expect(whole.status).toBe(200);
    expect(h.mock.requests.at(-1)!.body).toEqual({
      generateContentRequest: { model: "models/gemini-2.5-pro", contents, systemInstruction, tools },
    });
    expect(((await whole.json()) as Body).totalTokens).toBeGreaterThan(counted.totalTokens!);
    const res = await fetch(`${h.url}/v1beta/models/via-anthropic:countTokens`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": KEY },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "How many tokens is this?" }] }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("llmux-estimated")).toBe("true");
    expect(((await res.json()) as Body).totalTokens).toBeGreaterThan(3);
  });

  it("takes the key in x-goog-api-key or ?key=, and refuses a wrong one in Gemini's shape", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "by header" }] });
    expect((await genai().models.generateContent({ model: "g25", contents: "hi" })).text).toBe("by header");
    h.mock.enqueue({ blocks: [{ type: "text", text: "by query" }] });
    const res = await fetch(`${h.url}/v1beta/models/g25:generateContent?key=${KEY}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
    });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain("by query");
    for (const wrong of [
      fetch(`${h.url}/v1beta/models/g25:generateContent?key=wrong`, { method: "POST", body: "{}" }),
      fetch(`${h.url}/v1beta/models/g25:generateContent`, {
        method: "POST",
        headers: { "x-goog-api-key": "wrong" },
        body: "{}",
      }),
      fetch(`${h.url}/v1beta/models`),
    ]) {
      const r = await wrong;
      expect(r.status).toBe(401);
      expect(((await r.json()) as Body).error.status).toBe("UNAUTHENTICATED");
    }
    await expect(genai("wrong").models.generateContent({ model: "g25", contents: "hi" })).rejects.toThrow(
      /401|UNAUTHENTICATED|key/i,
    );
  });
});
