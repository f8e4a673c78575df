/**
 * Fill-in-the-middle through llmux driven by official SDKs nobody here wrote (`openai` completions.create
 * with `suffix`, streamed and not; `@mistralai/mistralai` fim.complete and fim.stream), against a fake
 * upstream speaking each vendor's documented shapes (test/support/fim-fake.ts). Each upstream's request body
 * is checked against the vendor's documented fields; a cancelled stream closes its upstream connection.
 */
import { Mistral } from "@mistralai/mistralai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FimFake, fimConfig, startFimFake } from "../support/fim-fake.js";
import { eventually, type Harness, startHarness } from "../support/gateway.js";

const KEY = "svc-fim-key-0123456789";
let fake: FimFake;
let h: Harness;
let oa: OpenAI;

beforeAll(async () => {
  fake = await startFimFake();
  h = await startHarness(() => ({
    auth: { keys: [KEY] },
    prices: {
      "qwen2.5-coder": { input: 1, output: 2 },
      "codestral-latest": { input: 0.3, output: 0.9 },
      "gpt-5-mini": { input: 0.25, output: 2 },
      "claude-haiku-4-5": { input: 1, output: 5 },
    },
    ...fimConfig(fake),
  }));
  oa = new OpenAI({ apiKey: KEY, baseURL: `${h.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

const last = () => fake.calls.at(-1)!;
const PREFIX = "def add(a, b):\n    ";
const SUFFIX = "\n\nprint(add(1, 2))\n";

describe("openai completions.create → OpenAI-compatible /completions with suffix", () => {
  it("not streamed: the text, usage as the upstream reported it, the cost header; the documented body", async () => {
    const raw = await oa.completions
      .create({ model: "fim-qwen", prompt: PREFIX, suffix: SUFFIX, max_tokens: 64, temperature: 0.2, stop: ["\n\n"] })
      .withResponse();
    const res = raw.data;
    expect(res.object).toBe("text_completion");
    expect(res.choices[0]!.text).toBe("return a + b");
    expect(res.choices[0]!.finish_reason).toBe("length");
    expect(res.usage).toEqual({ prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 });
    // $1 in, $2 out per million
    expect(Number(raw.response.headers.get("llmux-cost-usd"))).toBeCloseTo((12 * 1 + 4 * 2) / 1e6, 9);
    const call = last();
    expect(call.path).toBe("/v1/completions");
    expect(call.headers.authorization).toBe("Bearer vllm-key");
    expect(call.body).toEqual({
      model: "qwen2.5-coder",
      prompt: PREFIX,
      suffix: SUFFIX,
      max_tokens: 64,
      temperature: 0.2,
      stop: ["\n\n"],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it("streamed: chunks as they come, then [DONE]", async () => {
    const stream = await oa.completions.create({ model: "fim-qwen", prompt: PREFIX, suffix: SUFFIX, stream: true });
    let text = "";
    let chunks = 0;
    let finish: string | null = null;
    for await (const c of stream) {
      chunks++;
      text += c.choices[0]?.text ?? "";
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe("return a + b");
    expect(chunks).toBeGreaterThan(2);
    expect(finish).toBe("length");
  });

  it("n other than 1 is a 400 naming n; a chat alias is a 400 naming the chat route", async () => {
    const e1 = await oa.completions.create({ model: "fim-qwen", prompt: "x", n: 2 }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(OpenAI.BadRequestError);
    expect((e1 as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("n");
    const e2 = await oa.completions.create({ model: "via-openai-chat", prompt: "x" }).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(OpenAI.BadRequestError);
    expect((e2 as Error).message).toContain("/v1/chat/completions");
    const e3 = await oa.chat.completions
      .create({ model: "fim-qwen", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(e3).toBeInstanceOf(OpenAI.BadRequestError);
    expect((e3 as Error).message).toContain("/v1/completions");
  });
});

describe("@mistralai/mistralai fim → Codestral's /fim/completions", () => {
  it("fim.complete and fim.stream; the documented body", async () => {
    const mi = new Mistral({ apiKey: KEY, serverURL: h.url });
    const res = await mi.fim.complete({ model: "fim-codestral", prompt: PREFIX, suffix: SUFFIX, maxTokens: 32 });
    expect(res.choices?.[0]?.message.content).toBe("return a + b");
    expect(res.usage.promptTokens).toBe(11);
    expect(res.usage.completionTokens).toBe(5);
    const call = last();
    expect(call.path).toBe("/v1/fim/completions");
    expect(call.headers.authorization).toBe("Bearer mi-key");
    expect(call.body).toEqual({
      model: "codestral-latest",
      prompt: PREFIX,
      suffix: SUFFIX,
      max_tokens: 32,
      top_p: 1,
      stream: true,
    });
    // (the SDK sends top_p: 1 of its own)
    const stream = await mi.fim.stream({ model: "fim-codestral", prompt: PREFIX, suffix: SUFFIX });
    let text = "";
    for await (const ev of stream) text += (ev.data.choices[0]?.delta.content as string | undefined) ?? "";
    expect(text).toBe("return a + b");
  });
});

describe("fill-in-the-middle over chat (models without it)", () => {
  it("OpenAI chat model: an instruction with prefix and suffix, the answer cleaned, marked in llmux-warnings", async () => {
    const raw = await oa.completions.create({ model: "fim-gpt", prompt: PREFIX, suffix: SUFFIX }).withResponse();
    expect(raw.data.choices[0]!.text).toBe("return a + b");
    expect(raw.response.headers.get("llmux-warnings")).toContain("fill-in-the-middle over chat");
    const call = last();
    expect(call.path).toBe("/v1/responses");
    expect(call.body.model).toBe("gpt-5-mini");
    expect(call.body.instructions).toContain("<FILL>");
    const user = call.body.input.at(-1);
    expect(JSON.stringify(user)).toContain("def add(a, b):");
    expect(JSON.stringify(user)).toContain("<FILL>");
  });

  it("an OpenAI-compatible chat model asked to work over chat: the Chat Completions call", async () => {
    const res = await oa.completions.create({
      model: "fim-chat-compat",
      prompt: PREFIX,
      suffix: SUFFIX,
      max_tokens: 50,
    });
    expect(res.choices[0]!.text).toBe("return a + b");
    expect(res.usage).toEqual({ prompt_tokens: 40, completion_tokens: 9, total_tokens: 49 });
    const call = last();
    expect(call.path).toBe("/v1/chat/completions");
    expect(call.body.messages[0].role).toMatch(/system|developer/);
    expect(call.body.max_tokens ?? call.body.max_completion_tokens).toBe(50);
  });

  it("Claude, streamed: one cleaned chunk, usage from the Messages stream", async () => {
    const stream = await oa.completions.create({ model: "fim-claude", prompt: PREFIX, suffix: SUFFIX, stream: true });
    let text = "";
    for await (const c of stream) text += c.choices[0]?.text ?? "";
    expect(text).toBe("return a + b");
    const call = last();
    expect(call.path).toBe("/v1/messages");
    expect(call.headers["x-api-key"]).toBe("sk-ant-key");
    expect(call.body.system).toBeDefined();
  });
});

describe("a client that goes away", () => {
  it("closes the upstream connection of a cancelled stream, and the request is billed as estimated", async () => {
    fake.hold = true;
    fake.closedAt = undefined;
    const closed = new Promise<void>((resolve) => {
      fake.onClose = resolve;
    });
    const ac = new AbortController();
    try {
      const stream = await oa.completions.create(
        { model: "fim-qwen", prompt: PREFIX, suffix: SUFFIX, stream: true },
        { signal: ac.signal },
      );
      const it = stream[Symbol.asyncIterator]();
      const first = await it.next();
      expect(first.done).toBe(false);
      const abortedAt = performance.now();
      ac.abort();
      await closed;
      // The upstream holds its stream open for ever: only the cancel closes it (without it, this never
      // resolves). How soon is measured where the upstream sees it and reported, not asserted on the clock.
      const ms = fake.closedAt! - abortedAt;
      console.log(`upstream connection closed ${ms.toFixed(1)} ms after the client's abort`);
    } finally {
      fake.hold = false;
      fake.onClose = undefined;
    }
    // Billed for what was produced, estimated (the upstream reported no usage before the cut).
    const line = await eventually(() => h.logs.find((l) => l.outcome === "aborted" && l.requested === "fim-qwen"));
    expect(line.tokens).toMatchObject({ output: 1, estimated: true });
    expect(line.cost_usd).toBeGreaterThan(0);
  });
});
