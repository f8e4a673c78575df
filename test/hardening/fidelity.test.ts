/** Fidelity gaps found by replaying third-party recordings (issue: "Nothing a caller or an upstream sends…"). */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mockProvider } from "../../src/providers/mock.js";
import { type Body, type Harness, startHarness } from "../support/gateway.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness((mockUrl) => ({
    providers: {
      "mock-chat": { type: "mock", dialect: "openai-chat" },
      // A DeepSeek-like server configured with nothing but its URL: reasoning_field left at its default.
      "plain-compat": { type: "openai-compatible", base_url: `${mockUrl}/compat/v1`, api_key: "k" },
      mistral: { type: "openai-compatible", preset: "mistral", base_url: `${mockUrl}/v1`, api_key: "k" },
      // The same server configured by its URL alone: no preset says it deviates, its first chunk does.
      "mistral-by-url": { type: "openai-compatible", base_url: `${mockUrl}/v1`, api_key: "k" },
    },
    models: {
      "mock-chat": { provider: "mock-chat", model: "llmux-mock" },
      "deepseek-like": { provider: "plain-compat", model: "deepseek-reasoner" },
      "google/gemini-2.5-pro": { provider: "openai-chat", model: "gpt-4.1" },
      "mistral-large": { provider: "mistral", model: "mistral-large-latest" },
      "mistral-by-url": { provider: "mistral-by-url", model: "mistral-large-latest" },
    },
  }));
});
afterAll(async () => {
  await h.close();
});

describe("a type: mock provider with dialect openai-chat", () => {
  it("answers a non-streaming Chat client with one JSON body (not SSE), which the official SDK reads", async () => {
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "mock-chat", messages: [{ role: "user", content: "Hello" }] }),
    });
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const body = (await res.json()) as Body;
    expect(body.object).toBe("chat.completion");
    const sdk = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
    const c = await sdk.chat.completions.create({ model: "mock-chat", messages: [{ role: "user", content: "Hi" }] });
    expect(c.choices[0]!.message.content).toBe('llmux mock: you said "Hi"');
    // And streams when asked to.
    const s = await sdk.chat.completions
      .stream({ model: "mock-chat", messages: [{ role: "user", content: "Hi" }] })
      .finalChatCompletion();
    expect(s.choices[0]!.message.content).toBe('llmux mock: you said "Hi"');
  });

  it("itself answers a non-streaming request with one JSON body, in each dialect", async () => {
    for (const dialect of ["openai-chat", "anthropic", "openai-responses"] as const) {
      const provider = mockProvider("m", { type: "mock", dialect } as Parameters<typeof mockProvider>[1]);
      const body =
        dialect === "openai-responses"
          ? { model: "llmux-mock", input: "Hi" }
          : { model: "llmux-mock", max_tokens: 10, messages: [{ role: "user", content: "Hi" }] };
      const reply = await provider.local!(body, new AbortController().signal);
      expect(reply.headers["content-type"], dialect).toContain("application/json");
      const chunks: Buffer[] = [];
      for await (const c of reply.body) chunks.push(Buffer.from(c));
      expect(JSON.stringify(JSON.parse(Buffer.concat(chunks).toString("utf8")))).toContain('you said \\"Hi\\"');
    }
  });
});

describe("an Anthropic tool_use without input", () => {
  const call = { type: "tool_call" as const, name: "list_files", arguments: "", id: "toolu_noinput01" };
  it('reaches Chat clients with arguments "{}", streamed and not', async () => {
    const sdk = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
    const tools = [{ type: "function" as const, function: { name: "list_files", parameters: { type: "object" } } }];
    h.mock.enqueue({ blocks: [call] });
    const plain = await sdk.chat.completions.create({
      model: "via-anthropic",
      messages: [{ role: "user", content: "ls" }],
      tools,
    });
    const fn = plain.choices[0]!.message.tool_calls![0]! as { function: { arguments: string } };
    expect(fn.function.arguments).toBe("{}");
    h.mock.enqueue({ blocks: [call] });
    const streamed = await sdk.chat.completions
      .stream({ model: "via-anthropic", messages: [{ role: "user", content: "ls" }], tools })
      .finalChatCompletion();
    const sf = streamed.choices[0]!.message.tool_calls![0]! as { function: { arguments: string } };
    expect(sf.function.arguments).toBe("{}");
    expect(JSON.parse(sf.function.arguments)).toEqual({});
  });
  it('reaches Responses clients with arguments "{}", streamed and not', async () => {
    const sdk = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
    const tools = [{ type: "function" as const, name: "list_files", parameters: { type: "object" }, strict: false }];
    h.mock.enqueue({ blocks: [call] });
    const r = await sdk.responses.stream({ model: "via-anthropic", input: "ls", tools }).finalResponse();
    const item = r.output.find((i) => i.type === "function_call") as { arguments: string } | undefined;
    expect(item?.arguments).toBe("{}");
    h.mock.enqueue({ blocks: [call] });
    const plain = await sdk.responses.create({ model: "via-anthropic", input: "ls", tools, store: false });
    const plainItem = plain.output.find((i) => i.type === "function_call") as { arguments: string } | undefined;
    expect(plainItem?.arguments).toBe("{}");
  });
});

describe("message_start for Anthropic clients of another dialect's upstream", () => {
  it("carries an estimate of the input tokens; the final count stays in message_delta", async () => {
    const { default: Anthropic } = await import("@anthropic-ai/sdk");
    const sdk = new Anthropic({ apiKey: "k", baseURL: h.url, maxRetries: 0 });
    const prompt = "Explain the following text. ".repeat(40);
    const stream = sdk.messages.stream({
      model: "via-openai-chat",
      max_tokens: 100,
      messages: [{ role: "user", content: prompt }],
    });
    let startInput = -1;
    stream.on("streamEvent", (e) => {
      if (e.type === "message_start") startInput = e.message.usage.input_tokens;
    });
    const final = await stream.finalMessage();
    // About a quarter of the request's bytes: well above 0, the order of the prompt's size.
    expect(startInput).toBeGreaterThan(prompt.length / 8);
    expect(startInput).toBeLessThan(prompt.length);
    // The upstream's own count arrives at the end.
    expect(final.usage.input_tokens).toBe(10);
  });
});

describe("reasoning_field defaults to auto for an openai-compatible provider", () => {
  it("echoes the reasoning a DeepSeek-like upstream sent in reasoning_content on the next tool turn", async () => {
    const sdk = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
    const tools = [{ type: "function" as const, function: { name: "get_weather", parameters: { type: "object" } } }];
    h.mock.enqueue({
      blocks: [
        { type: "reasoning", text: "I should look up the weather." },
        { type: "tool_call", id: "call_auto_1", name: "get_weather", arguments: '{"city":"Paris"}' },
      ],
    });
    h.mock.enqueue({
      blocks: [{ type: "text", text: "Sunny." }],
      expect: { contains: ['"reasoning_content":"I should look up the weather."'] },
    });
    const user = { role: "user" as const, content: "Weather in Paris?" };
    const first = await sdk.chat.completions.create({ model: "deepseek-like", messages: [user], tools });
    const call = first.choices[0]!.message.tool_calls![0]!;
    // The client sends back only content and tool calls, as Chat clients do.
    const second = await sdk.chat.completions.create({
      model: "deepseek-like",
      tools,
      messages: [
        user,
        { role: "assistant", content: first.choices[0]!.message.content ?? null, tool_calls: [call] },
        { role: "tool", tool_call_id: call.id, content: "20°" },
      ],
    });
    expect(second.choices[0]!.message.content).toBe("Sunny.");
    expect(h.mock.requests.at(-1)!.failure).toBeUndefined();
  });

  it("a first turn still passes straight through (nothing to echo yet)", async () => {
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "deepseek-like", messages: [{ role: "user", content: "hi" }], odd_field: 1 }),
    });
    expect(res.status).toBe(200);
    // Passthrough keeps fields it does not know, byte for byte.
    expect(h.mock.requests.at(-1)!.raw).toContain('"odd_field":1');
  });
});

describe("the Azure deployment route", () => {
  it("takes deployment names with slashes and bodies without model, as Cursor's Azure flow sends them", async () => {
    const res = await fetch(
      `${h.url}/openai/deployments/google/gemini-2.5-pro/chat/completions?api-version=2024-12-01-preview`,
      {
        method: "POST",
        headers: { "content-type": "application/json", "api-key": "k" },
        body: JSON.stringify({ messages: [{ role: "user", content: "Hi there" }] }),
      },
    );
    const body = (await res.json()) as Body;
    expect(res.status).toBe(200);
    expect(body.model).toBe("google/gemini-2.5-pro");
    expect(body.choices[0].message.content).toContain("Hi there");
    expect((h.mock.requests.at(-1)!.body as Body).model).toBe("gpt-4.1");
  });
});

/** A stream as Mistral writes it: no role in the first chunk, content as parts, tool-call deltas without index. */
const MISTRAL = [
  {
    id: "cmpl-m1",
    object: "chat.completion.chunk",
    created: 1,
    model: "mistral-large-latest",
    choices: [{ index: 0, delta: { content: [{ type: "text", text: "Let me " }] }, finish_reason: null }],
  },
  {
    id: "cmpl-m1",
    object: "chat.completion.chunk",
    created: 1,
    model: "mistral-large-latest",
    choices: [{ index: 0, delta: { content: [{ type: "text", text: "check." }] }, finish_reason: null }],
  },
  {
    id: "cmpl-m1",
    object: "chat.completion.chunk",
    created: 1,
    model: "mistral-large-latest",
    choices: [
      {
        index: 0,
        delta: {
          tool_calls: [
            { id: "D681PevKs", type: "function", function: { name: "get_weather", arguments: '{"city": "Paris"}' } },
          ],
        },
        finish_reason: null,
      },
    ],
  },
  {
    id: "cmpl-m1",
    object: "chat.completion.chunk",
    created: 1,
    model: "mistral-large-latest",
    choices: [{ index: 0, delta: { content: "" }, finish_reason: "tool_calls" }],
    usage: { prompt_tokens: 20, completion_tokens: 9, total_tokens: 29 },
  },
]
  .map((c) => `data: ${JSON.stringify(c)}\n\n`)
  .join("")
  .concat("data: [DONE]\n\n");
const MISTRAL_END = `data: ${JSON.stringify({ id: "cmpl-m1", object: "chat.completion.chunk", created: 1, model: "mistral-large-latest", choices: [{ index: 0, delta: { content: "" }, finish_reason: "stop" }] })}\n\ndata: [DONE]\n\n`;

describe("an OpenAI-compatible upstream that deviates from the Chat wire format (Mistral)", () => {
  it.each([
    ["the mistral preset", "mistral-large"],
    ["a plain openai-compatible provider, passed through until its first chunk shows it", "mistral-by-url"],
  ])("text as content parts and no first role: the SDK gets plain string content: %s", async (_how, model) => {
    const sdk = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
    h.mock.enqueue({ raw: MISTRAL.split("data: ").slice(0, 3).join("data: ").concat(MISTRAL_END) });
    const c = await sdk.chat.completions
      .stream({ model, messages: [{ role: "user", content: "Hi" }] })
      .finalChatCompletion();
    expect(c.choices[0]!.message.content).toBe("Let me check.");
    expect(c.choices[0]!.message.role).toBe("assistant");
  });

  it.each([
    ["the mistral preset", "mistral-large"],
    ["a plain openai-compatible provider (its first chunk shows it)", "mistral-by-url"],
  ])(
    "reaches Chat clients as a conforming stream the official SDK reads, text and tool call: %s",
    async (_how, model) => {
      const sdk = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
      const tools = [{ type: "function" as const, function: { name: "get_weather", parameters: { type: "object" } } }];
      h.mock.enqueue({ raw: MISTRAL });
      const c = await sdk.chat.completions
        .stream({ model, messages: [{ role: "user", content: "Weather?" }], tools })
        .finalChatCompletion();
      const msg = c.choices[0]!.message;
      expect(msg.role).toBe("assistant");
      expect(msg.content).toBe("Let me check.");
      const call = msg.tool_calls![0]! as { id: string; function: { name: string; arguments: string } };
      expect(call.function).toEqual({ name: "get_weather", arguments: '{"city": "Paris"}' });
      expect(c.choices[0]!.finish_reason).toBe("tool_calls");
    },
  );
});
