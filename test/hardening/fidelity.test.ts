/** Fidelity gaps found by replaying third-party recordings (issue: "Nothing a caller or an upstream sends…"). */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Body, type Harness, startHarness } from "../support/gateway.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness(() => ({
    providers: { "mock-chat": { type: "mock", dialect: "openai-chat" } },
    models: { "mock-chat": { provider: "mock-chat", model: "llmux-mock" } },
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
  it('reaches Responses clients with arguments "{}"', async () => {
    const sdk = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
    const tools = [{ type: "function" as const, name: "list_files", parameters: { type: "object" }, strict: false }];
    h.mock.enqueue({ blocks: [call] });
    const r = await sdk.responses.stream({ model: "via-anthropic", input: "ls", tools }).finalResponse();
    const item = r.output.find((i) => i.type === "function_call") as { arguments: string } | undefined;
    expect(item?.arguments).toBe("{}");
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
