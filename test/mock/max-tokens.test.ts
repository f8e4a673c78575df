/**
 * `llmux mock` honours the request's output cap as a real model does, read by the official SDKs: the answer
 * stops at that many output tokens with the dialect's length stop reason, and the usage reports it.
 */
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mock } from "../../src/cli/mock.js";
import { capScript } from "../../src/mock/max-tokens.js";
import type { MockServer } from "../../src/mock/server.js";

/** A prompt whose echo is hundreds of tokens long (a token per four characters). */
const LONG = "The quick brown fox jumps over the lazy dog. ".repeat(40);

let s: MockServer;
let openai: OpenAI;
let anthropic: Anthropic;
let gemini: GoogleGenAI;

beforeAll(async () => {
  const log = console.log;
  console.log = () => undefined;
  s = await mock({ port: 0 }).finally(() => {
    console.log = log;
  });
  openai = new OpenAI({ apiKey: "x", baseURL: `${s.url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: "x", baseURL: s.url, maxRetries: 0 });
  gemini = new GoogleGenAI({ apiKey: "x", httpOptions: { baseUrl: s.url, retryOptions: { attempts: 1 } } });
});
afterAll(() => s.close());

describe("llmux mock stops at the output cap", () => {
  it("Chat: max_completion_tokens and max_tokens end with length and report the cap, streamed or not", async () => {
    const messages = [{ role: "user" as const, content: LONG }];
    const whole = await openai.chat.completions.create({ model: "m", messages, max_completion_tokens: 7 });
    expect(whole.choices[0]!.finish_reason).toBe("length");
    expect(whole.usage!.completion_tokens).toBe(7);
    expect(whole.choices[0]!.message.content).toBe(`mock: ${LONG}`.slice(0, 28));
    const old = await openai.chat.completions.create({ model: "m", messages, max_tokens: 3 });
    expect(old.choices[0]!.finish_reason).toBe("length");
    expect(old.usage!.completion_tokens).toBe(3);
    const stream = await openai.chat.completions.create({
      model: "m",
      messages,
      max_completion_tokens: 5,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let finish: string | null = null;
    let completion = -1;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) completion = chunk.usage.completion_tokens;
    }
    expect(finish).toBe("length");
    expect(completion).toBe(5);
    expect(text).toBe(`mock: ${LONG}`.slice(0, 20));
  });

  it("Responses: max_output_tokens makes the response incomplete, streamed or not", async () => {
    const whole = await openai.responses.create({ model: "m", input: LONG, max_output_tokens: 16 });
    expect(whole.status).toBe("incomplete");
    expect(whole.incomplete_details?.reason).toBe("max_output_tokens");
    expect(whole.usage!.output_tokens).toBe(16);
    expect(whole.output_text).toBe(`mock: ${LONG}`.slice(0, 64));
    const stream = openai.responses.stream({ model: "m", input: LONG, max_output_tokens: 20 });
    const final = await stream.finalResponse();
    expect(final.status).toBe("incomplete");
    expect(final.usage!.output_tokens).toBe(20);
    expect(final.output_text).toBe(`mock: ${LONG}`.slice(0, 80));
  });

  it("Anthropic: max_tokens ends with stop_reason max_tokens, streamed or not", async () => {
    const messages = [{ role: "user" as const, content: LONG }];
    const whole = await anthropic.messages.create({ model: "m", max_tokens: 9, messages });
    expect(whole.stop_reason).toBe("max_tokens");
    expect(whole.usage.output_tokens).toBe(9);
    expect(whole.content).toHaveLength(1);
    expect(whole.content[0]).toMatchObject({ type: "text", text: `mock: ${LONG}`.slice(0, 36) });
    const final = await anthropic.messages.stream({ model: "m", max_tokens: 4, messages }).finalMessage();
    expect(final.stop_reason).toBe("max_tokens");
    expect(final.usage.output_tokens).toBe(4);
    expect(final.content[0]).toMatchObject({ type: "text", text: `mock: ${LONG}`.slice(0, 16) });
  });

  it("Gemini: maxOutputTokens ends with MAX_TOKENS and candidatesTokenCount the cap", async () => {
    const whole = await gemini.models.generateContent({
      model: "gemini-2.5-pro",
      contents: LONG,
      config: { maxOutputTokens: 6 },
    });
    expect(whole.candidates![0]!.finishReason).toBe("MAX_TOKENS");
    expect(whole.usageMetadata!.candidatesTokenCount).toBe(6);
    expect(whole.text).toBe(`mock: ${LONG}`.slice(0, 24));
    let text = "";
    let finish: string | undefined;
    let out = -1;
    for await (const chunk of await gemini.models.generateContentStream({
      model: "gemini-2.5-pro",
      contents: LONG,
      config: { maxOutputTokens: 2 },
    })) {
      text += chunk.text ?? "";
      finish = chunk.candidates?.[0]?.finishReason ?? finish;
      out = chunk.usageMetadata?.candidatesTokenCount ?? out;
    }
    expect(finish).toBe("MAX_TOKENS");
    expect(out).toBe(2);
    expect(text).toBe(`mock: ${LONG}`.slice(0, 8));
  });

  it("a cap above the answer changes nothing: the usual stop reason and the answer's own tokens", async () => {
    const whole = await anthropic.messages.create({
      model: "m",
      max_tokens: 8192,
      messages: [{ role: "user", content: "Hi" }],
    });
    expect(whole.stop_reason).toBe("end_turn");
    expect(whole.content).toHaveLength(1);
    expect(whole.content[0]).toMatchObject({ type: "text", text: "mock: Hi" });
    expect(whole.usage.output_tokens).toBe(2);
  });

  it("a cap that is not a positive integer is refused, naming the field, in the provider's words", async () => {
    const err = await anthropic.messages
      .create({ model: "m", max_tokens: 0, messages: [{ role: "user", content: "Hi" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect((err as Error).message).toContain("max_tokens: must be a positive integer");
    const chat = await openai.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "Hi" }], max_completion_tokens: 1.5 })
      .catch((e: unknown) => e);
    expect(chat).toBeInstanceOf(OpenAI.BadRequestError);
    expect((chat as Error).message).toContain("max_completion_tokens");
  });
});

describe("a script cut at the cap", () => {
  it("counts reasoning first, cuts a tool call's arguments, and bills the cap", () => {
    const script = capScript(
      {
        blocks: [
          { type: "reasoning", text: "r".repeat(40) },
          { type: "tool_call", name: "ls", arguments: '{"path":"/a/very/long/path/indeed"}' },
        ],
      },
      14,
    );
    // 10 tokens of reasoning, 1 of the name, 3 of arguments (12 characters).
    expect(script.blocks).toEqual([
      { type: "reasoning", text: "r".repeat(40) },
      { type: "tool_call", name: "ls", arguments: '{"path":"/a/' },
    ]);
    expect(script.stop).toBe("max_tokens");
    expect(script.usage).toMatchObject({ output: 14, reasoning: 10 });
  });

  it("caps a scripted usage above the cap, and leaves one within it alone", () => {
    const billed = capScript({ blocks: [{ type: "text", text: "short" }], usage: { input: 5, output: 30_000 } }, 100);
    expect(billed.stop).toBe("max_tokens");
    expect(billed.usage).toMatchObject({ input: 5, output: 100 });
    const within = { blocks: [{ type: "text" as const, text: "x".repeat(4000) }], usage: { input: 5, output: 30 } };
    expect(capScript(within, 100)).toBe(within);
  });
});
