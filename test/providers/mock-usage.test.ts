import { describe, expect, it } from "vitest";
import type { ProviderConfig } from "../../src/config/schema.js";
import { mockProvider } from "../../src/providers/mock.js";

type MockConfig = Extract<ProviderConfig, { type: "mock" }>;

/** The built-in mock's answer to `body`, read whole. */
async function answer(dialect: MockConfig["dialect"], body: unknown): Promise<Record<string, unknown>> {
  const provider = mockProvider("mock", { type: "mock", dialect } as MockConfig);
  const reply = await provider.local?.(body, new AbortController().signal);
  if (!reply) throw new Error("the mock answered nothing");
  let text = "";
  for await (const chunk of reply.body) text += Buffer.from(chunk).toString("utf8");
  return JSON.parse(text) as Record<string, unknown>;
}

describe("the built-in mock's input tokens", () => {
  it("are estimated from the prompt (a token per four characters), not a fixed figure", async () => {
    const short = await answer("anthropic", {
      model: "m",
      max_tokens: 10,
      messages: [{ role: "user", content: "Hello" }],
    });
    // "Hello": 5 characters, 2 tokens.
    expect((short.usage as { input_tokens: number }).input_tokens).toBe(2);
    const long = await answer("anthropic", {
      model: "m",
      max_tokens: 10,
      system: "You are terse.", // 14 characters
      messages: [{ role: "user", content: "x".repeat(4000) }],
    });
    // 4,014 characters: 1,004 tokens.
    expect((long.usage as { input_tokens: number }).input_tokens).toBe(1004);
  });

  it("count every message, the instructions and the tools, in every dialect", async () => {
    const chat = await answer("openai-chat", {
      model: "m",
      messages: [
        { role: "system", content: "12345678" },
        { role: "user", content: "abcd" },
        { role: "assistant", content: "efgh" },
        { role: "user", content: "ijkl" },
      ],
    });
    // 8 + 4 + 4 + 4 = 20 characters: 5 tokens.
    expect((chat.usage as { prompt_tokens: number }).prompt_tokens).toBe(5);
    const tool = { type: "function", name: "ls", parameters: { type: "object" } };
    const responses = await answer("openai-responses", { model: "m", input: "abcd", tools: [tool] });
    const responsesIn = (responses.usage as { input_tokens: number }).input_tokens;
    const bare = await answer("openai-responses", { model: "m", input: "abcd" });
    expect((bare.usage as { input_tokens: number }).input_tokens).toBe(1);
    expect(responsesIn).toBeGreaterThan(5);
  });
});
