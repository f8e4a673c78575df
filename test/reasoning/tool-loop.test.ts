/**
 * Reasoning that survives every client: a three-request tool loop per client dialect × reasoning upstream.
 * The mock validates like the providers (opaque state must be state it issued, thinking must open the
 * tool loop, DeepSeek-style reasoning_content must come back) and additionally asserts that requests 2 and
 * 3 carry, byte for byte, the reasoning state it produced. Clients echo exactly what real ones do: the
 * Anthropic and Responses SDK objects as returned; Chat clients only content and tool calls.
 */
import Anthropic from "@anthropic-ai/sdk";
import { type Content, GoogleGenAI, type Part } from "@google/genai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, type Dialect } from "../../src/ir/types.js";
import type { MockBlock } from "../../src/mock/index.js";
import { type Body, type Harness, startHarness } from "../support/gateway.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness(
    () => ({
      models: {
        "claude-enabled": { provider: "anthropic", model: "claude-sonnet-4-5", thinking: { budget_tokens: 4000 } },
        "claude-adaptive": { provider: "anthropic", model: "claude-opus-4-7", reasoning: { effort: "high" } },
        azure: { provider: "azure-responses", model: "gpt-5-codex", reasoning: { effort: "medium" } },
        kimi: { provider: "compat", model: "kimi-k2-thinking" },
        gemini3: { provider: "gemini", model: "gemini-3-pro-preview", reasoning: { effort: "high" } },
      },
    }),
    { validate: true },
  );
});
afterAll(async () => {
  await h.close();
});

type Upstream = "claude-enabled" | "claude-adaptive" | "azure" | "kimi" | "gemini3";
const UPSTREAMS: Upstream[] = ["claude-enabled", "claude-adaptive", "azure", "kimi", "gemini3"];

/** Reasoning of turn n, with unique opaque state per test so nothing can be confused across tests. */
function reasoning(tag: string, n: number): Extract<MockBlock, { type: "reasoning" }> {
  return {
    type: "reasoning",
    text: `Thinking ${n} for ${tag}: the "user" wants weather.`,
    summary: [`Summary ${n} for ${tag}.`],
    signature: `EuYBCkQIBhgCIkB${tag.replace(/\W/g, "")}sig${n}AAAA==`,
    encrypted: `gAAAAAB${tag.replace(/\W/g, "")}enc${n}ZZZZ`,
  };
}

/** How the upstream carries the state of one reasoning block, as the mock must receive it. */
function stateOnWire(upstream: Upstream, r: ReturnType<typeof reasoning>): string {
  if (upstream === "azure") return `"encrypted_content":"${r.encrypted}"`;
  if (upstream === "kimi") return `"reasoning_content":${JSON.stringify(r.text)}`;
  if (upstream === "gemini3") return `"thoughtSignature":"${r.signature}"`;
  return `"signature":"${r.signature}"`;
}

/** The reasoning a Chat client is shown: Responses upstreams give summaries, the others their text. */
function shown(upstream: Upstream, r: ReturnType<typeof reasoning>): string {
  return upstream === "azure" ? (r.summary ?? []).join("\n\n") : r.text;
}

const WEATHER = { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] };

/** One client's conversation: it sends the history, gets the answer, echoes it as that client does. */
/**
 * How a client echoes its answers. `openai-chat+reasoning` is a Chat client that sends the reasoning text
 * back as `reasoning_content` (OpenCode's openai-compatible provider): text without any opaque state.
 */
type Client = Dialect | "openai-chat+reasoning";
const CLIENTS: Client[] = [...DIALECTS, "openai-chat+reasoning"];

async function turn(
  client: Client,
  model: string,
  history: Body[],
): Promise<{ echo: Body[]; calls: { id: string; name: string }[]; text: string }> {
  if (client === "gemini") {
    // Gemini CLI's way: the model's parts go back as they came, thought summaries left out.
    const ai = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: h.url, retryOptions: { attempts: 1 } } });
    const parts: Part[] = [];
    const stream = await ai.models.generateContentStream({
      model,
      contents: history as Content[],
      config: { tools: [{ functionDeclarations: [{ name: "get_weather", parametersJsonSchema: WEATHER }] }] },
    });
    for await (const chunk of stream) parts.push(...(chunk.candidates?.[0]?.content?.parts ?? []));
    const kept = parts.filter((p) => !p.thought && (p.text !== "" || p.thoughtSignature !== undefined));
    const calls = kept.flatMap((p) =>
      p.functionCall ? [{ id: p.functionCall.id ?? "", name: p.functionCall.name ?? "" }] : [],
    );
    const text = kept.map((p) => p.text ?? "").join("");
    return { echo: [{ role: "model", parts: kept }], calls, text };
  }
  if (client === "anthropic") {
    const sdk = new Anthropic({ apiKey: "k", baseURL: h.url, maxRetries: 0 });
    const m = await sdk.messages
      .stream({
        model,
        max_tokens: 8000,
        messages: history as never,
        tools: [{ name: "get_weather", input_schema: WEATHER }],
      })
      .finalMessage();
    const calls = m.content.flatMap((b) => (b.type === "tool_use" ? [{ id: b.id, name: b.name }] : []));
    const text = m.content.map((b) => (b.type === "text" ? b.text : "")).join("");
    return { echo: [{ role: "assistant", content: m.content }], calls, text };
  }
  const sdk = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
  if (client === "openai-responses") {
    const r = await sdk.responses
      .stream({
        model,
        input: history as never,
        store: false,
        include: ["reasoning.encrypted_content"],
        tools: [{ type: "function", name: "get_weather", parameters: WEATHER, strict: false }],
      })
      .finalResponse();
    const calls = r.output.flatMap((i) => (i.type === "function_call" ? [{ id: i.call_id, name: i.name }] : []));
    return { echo: r.output as unknown as Body[], calls, text: r.output_text };
  }
  let reasoningText = "";
  const c = await sdk.chat.completions
    .stream({
      model,
      messages: history as never,
      tools: [{ type: "function", function: { name: "get_weather", parameters: WEATHER } }],
    })
    .on("chunk", (chunk) => {
      const delta = chunk.choices[0]?.delta as { reasoning_content?: unknown } | undefined;
      if (typeof delta?.reasoning_content === "string") reasoningText += delta.reasoning_content;
    })
    .finalChatCompletion();
  const msg = c.choices[0]!.message;
  const calls = (msg.tool_calls ?? []).flatMap((t) =>
    t.type === "function" ? [{ id: t.id, name: t.function.name }] : [],
  ); // Chat clients send back content and tool calls, and at most the reasoning text.
  const echo: Body = { role: "assistant", content: msg.content ?? null };
  if (client === "openai-chat+reasoning" && reasoningText) echo.reasoning_content = reasoningText;
  if (msg.tool_calls?.length)
    echo.tool_calls = msg.tool_calls.map((t) => ({ id: t.id, type: "function", function: (t as Body).function }));
  return { echo: [echo], calls, text: msg.content ?? "" };
}

function results(client: Client, calls: { id: string; name: string }[], output: string): Body[] {
  if (client === "gemini")
    return [
      {
        role: "user",
        parts: calls.map((c) => ({ functionResponse: { id: c.id, name: c.name, response: { output } } })),
      },
    ];
  if (client === "anthropic")
    return [{ role: "user", content: calls.map((c) => ({ type: "tool_result", tool_use_id: c.id, content: output })) }];
  if (client === "openai-responses") return calls.map((c) => ({ type: "function_call_output", call_id: c.id, output }));
  return calls.map((c) => ({ role: "tool", tool_call_id: c.id, content: output }));
}

function user(client: Client, text: string): Body {
  if (client === "gemini") return { role: "user", parts: [{ text }] };
  return client === "openai-responses"
    ? { role: "user", content: [{ type: "input_text", text }] }
    : { role: "user", content: text };
}

describe.each(CLIENTS)("%s client", (client) => {
  for (const upstream of UPSTREAMS) {
    it(`keeps ${upstream}'s reasoning state across a three-request tool loop`, async () => {
      const tag = `${client}-${upstream}`;
      const r1 = reasoning(tag, 1);
      const r2 = reasoning(tag, 2);
      h.mock.enqueue({
        blocks: [
          r1,
          {
            type: "tool_call",
            id: `call_${tag}_1`.replace(/\W/g, "_"),
            name: "get_weather",
            arguments: '{"city":"Paris"}',
          },
        ],
      });
      h.mock.enqueue({
        blocks: [
          r2,
          {
            type: "tool_call",
            id: `call_${tag}_2`.replace(/\W/g, "_"),
            name: "get_weather",
            arguments: '{"city":"Rome"}',
          },
        ],
        expect: { contains: [stateOnWire(upstream, r1)] },
      });
      h.mock.enqueue({
        blocks: [{ type: "text", text: "Paris 20°, Rome 25°." }],
        expect: { contains: [stateOnWire(upstream, r1), stateOnWire(upstream, r2)] },
      });

      let history: Body[] = [user(client, "Weather in Paris, then Rome?")];
      const a1 = await turn(client, upstream, history);
      expect(a1.calls.map((c) => c.name)).toEqual(["get_weather"]);
      history = [...history, ...a1.echo, ...results(client, a1.calls, "20°")];
      const a2 = await turn(client, upstream, history);
      if (client === "openai-chat+reasoning") expect(a1.echo[0]?.reasoning_content).toBe(shown(upstream, r1));
      expect(a2.calls.map((c) => c.name)).toEqual(["get_weather"]);
      history = [...history, ...a2.echo, ...results(client, a2.calls, "25°")];
      const a3 = await turn(client, upstream, history);
      if (client === "openai-chat+reasoning") expect(a2.echo[0]?.reasoning_content).toBe(shown(upstream, r2));
      expect(a3.text).toBe("Paris 20°, Rome 25°.");
      expect(h.mock.requests.slice(-3).map((r) => r.failure)).toEqual([undefined, undefined, undefined]);
    });
  }
});
