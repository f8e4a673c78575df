/**
 * An upstream answer whose tool call input nests deeper than llmux relays (100 levels, TOOL_INPUT_DEPTH_LIMIT)
 * is answered with a clear error naming the tool call (502, the upstream's answer cannot be relayed), never a
 * 500 nor a stack overflow's words: Bedrock's Converse and InvokeModel, an Anthropic body, a Chat upstream's
 * arguments text; to Messages, Chat, Responses and Gemini clients that wait for the whole answer, and as the
 * in-stream error to one that streams. Depths from just past the bound to 5,000 (where serialising it again
 * overflowed the stack: a 500 to a non-streamed Messages client).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";
import { type ReplayServer, startReplayServer } from "../support/replay-server.js";

const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

/** What each upstream answers: a tool call named `f` with an input of the given JSON text. */
const ANSWERS: Record<string, (input: string) => string> = {
  converse: (input) =>
    `{"output":{"message":{"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"f","input":${input}}}]}},"stopReason":"tool_use","usage":{"inputTokens":5,"outputTokens":5,"totalTokens":10}}`,
  invoke: (input) =>
    `{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[{"type":"tool_use","id":"t1","name":"f","input":${input}}],"stop_reason":"tool_use","usage":{"input_tokens":5,"output_tokens":5}}`,
  chat: (input) =>
    JSON.stringify({
      id: "c1",
      object: "chat.completion",
      created: 1,
      model: "gpt-4.1",
      choices: [
        {
          index: 0,
          finish_reason: "tool_calls",
          message: {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: input } }],
          },
        },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    }),
};

const CLIENTS: Record<string, { path: (model: string) => string; body: (model: string) => object }> = {
  messages: {
    path: () => "/v1/messages",
    body: (model) => ({
      model,
      max_tokens: 100,
      tools: [{ name: "f", input_schema: { type: "object" } }],
      messages: [{ role: "user", content: "go" }],
    }),
  },
  chat: {
    path: () => "/v1/chat/completions",
    body: (model) => ({
      model,
      messages: [{ role: "user", content: "go" }],
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }],
    }),
  },
  responses: {
    path: () => "/v1/responses",
    body: (model) => ({ model, input: "go", tools: [{ type: "function", name: "f", parameters: { type: "object" } }] }),
  },
  gemini: {
    path: (model) => `/v1beta/models/${model}:generateContent`,
    body: () => ({
      contents: [{ role: "user", parts: [{ text: "go" }] }],
      tools: [{ functionDeclarations: [{ name: "f", parameters: { type: "object" } }] }],
    }),
  },
};

describe("a deeply nested tool input from an upstream", () => {
  let h: Harness;
  let up: ReplayServer;
  beforeAll(async () => {
    up = await startReplayServer();
    h = await startHarness(() => ({
      providers: {
        converse: { type: "bedrock", region: "us-east-1", base_url: up.url, api_key: "bedrock-api-key" },
        invoke: { type: "bedrock", region: "us-east-1", base_url: up.url, api_key: "k", api: "invoke" },
        chat: { type: "openai", base_url: `${up.url}/v1`, api_key: "k", api: "chat" },
      },
      models: {
        converse: { provider: "converse", model: "anthropic.claude-sonnet-4-5" },
        invoke: { provider: "invoke", model: "anthropic.claude-sonnet-4-5" },
        chat: { provider: "chat", model: "gpt-4.1" },
      },
    }));
  });
  afterAll(async () => {
    await h.close();
    await up.close();
  });

  async function ask(client: string, model: string, stream = false): Promise<{ status: number; text: string }> {
    const c = CLIENTS[client]!;
    const res = await fetch(`${h.url}${c.path(model)}`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ ...c.body(model), ...(stream ? { stream: true } : {}) }),
    });
    return { status: res.status, text: await res.text() };
  }

  for (const depth of [101, 4_100, 5_000])
    for (const upstream of Object.keys(ANSWERS))
      for (const client of Object.keys(CLIENTS)) {
        // An answer in the client's own dialect is served pass-through: llmux relays it untouched (a Chat
        // tool call's arguments are text to llmux and to the client's SDK alike).
        if ((upstream === "invoke" && client === "messages") || (upstream === "chat" && client === "chat")) continue;
        it(`${depth} levels from ${upstream} to a non-streamed ${client} client: a 502 naming the tool call`, async () => {
          up.setReply({ headers: { "content-type": "application/json" }, body: ANSWERS[upstream]!(deepObject(depth)) });
          const { status, text } = await ask(client, upstream);
          expect(status, text.slice(0, 300)).toBe(502);
          expect(text).toContain("tool call 'f' nests deeper than 100 levels");
          expect(text).not.toContain("call stack");
        });
      }

  it("a whole answer to a streaming Messages client: refused before the stream opens, a 502 naming the tool call", async () => {
    // The answer's decoder bounds the call's arguments (ir/json-bounds.ts) before an event is written.
    up.setReply({ headers: { "content-type": "application/json" }, body: ANSWERS.chat!(deepObject(5_000)) });
    const { status, text } = await ask("messages", "chat", true);
    expect(status, text.slice(0, 300)).toBe(502);
    expect(text).toContain("tool call 'f' nests deeper than 100 levels");
  });

  it("a streamed answer to a streaming Messages client: the in-stream error naming the tool call", async () => {
    const chunk = (delta: object, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "gpt-4.1", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const body =
      chunk({ role: "assistant", content: "calling" }) +
      chunk({ tool_calls: [{ index: 0, id: "t1", type: "function", function: { name: "f", arguments: "" } }] }) +
      chunk({ tool_calls: [{ index: 0, function: { arguments: deepObject(5_000) } }] }) +
      chunk({}, "tool_calls") +
      "data: [DONE]\n\n";
    up.setReply({ headers: { "content-type": "text/event-stream" }, body });
    const { text } = await ask("messages", "chat", true);
    expect(text).toContain("event: error");
    expect(text).toContain("tool call 'f' nests deeper than 100 levels");
  });

  it("an input 100 levels deep is relayed whole", async () => {
    up.setReply({ headers: { "content-type": "application/json" }, body: ANSWERS.converse!(deepObject(100)) });
    const { status, text } = await ask("messages", "converse");
    expect(status, text.slice(0, 300)).toBe(200);
    expect(JSON.parse(text).content[0].input).toEqual(JSON.parse(deepObject(100)));
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
  });
});
