/**
 * One client's side of a tool loop, as the real clients do it with the official SDKs: send the history,
 * read the answer with the SDK's stream helper, echo it back the client's way (Anthropic and Responses:
 * the SDK objects as returned; Gemini: the model's parts, thought summaries left out; Chat: content and
 * tool calls only), then the tool results.
 */
import Anthropic from "@anthropic-ai/sdk";
import { type Content, GoogleGenAI, type Part } from "@google/genai";
import OpenAI from "openai";
import type { Dialect } from "../../src/ir/types.js";
import type { Body } from "./gateway.js";

const WEATHER = { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] };

export interface Turn {
  echo: Body[];
  calls: { id: string; name: string }[];
  text: string;
}

/** One request of a tool loop against llmux at `url` (the root, without /v1). */
export async function turn(client: Dialect, url: string, model: string, history: Body[]): Promise<Turn> {
  if (client === "gemini") {
    const ai = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: url, retryOptions: { attempts: 1 } } });
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
    return { echo: [{ role: "model", parts: kept }], calls, text: kept.map((p) => p.text ?? "").join("") };
  }
  if (client === "anthropic") {
    const sdk = new Anthropic({ apiKey: "k", baseURL: url, maxRetries: 0 });
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
  const sdk = new OpenAI({ apiKey: "k", baseURL: `${url}/v1`, maxRetries: 0 });
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
  const c = await sdk.chat.completions
    .stream({
      model,
      messages: history as never,
      tools: [{ type: "function", function: { name: "get_weather", parameters: WEATHER } }],
    })
    .finalChatCompletion();
  const msg = c.choices[0]!.message;
  const calls = (msg.tool_calls ?? []).flatMap((t) =>
    t.type === "function" ? [{ id: t.id, name: t.function.name }] : [],
  );
  const echo: Body = { role: "assistant", content: msg.content ?? null };
  if (msg.tool_calls?.length)
    echo.tool_calls = msg.tool_calls.map((t) => ({ id: t.id, type: "function", function: (t as Body).function }));
  return { echo: [echo], calls, text: msg.content ?? "" };
}

/** The tool results of `calls`, as the client sends them. */
export function results(client: Dialect, calls: { id: string; name: string }[], output: string): Body[] {
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

/** A user message of the client's dialect. */
export function user(client: Dialect, text: string): Body {
  if (client === "gemini") return { role: "user", parts: [{ text }] };
  return client === "openai-responses"
    ? { role: "user", content: [{ type: "input_text", text }] }
    : { role: "user", content: text };
}
