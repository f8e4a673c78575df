/**
 * A three-turn conversation with a tool, driven with each dialect's official SDK: the user asks (the model
 * calls `get_weather`), the client sends the tool's result (the model answers), the user says one more thing
 * (the model answers). Each turn is read with the SDK's own stream helper (or as a plain body).
 */
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import type { Dialect } from "../../src/ir/types.js";

const WEATHER = { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] };

export interface TurnSeen {
  text: string;
  reasoning: string;
  calls: { id: string; name: string; args: unknown }[];
  usage?: { input: number; output: number };
}

export interface Conversation {
  /** The first turn: a user message, with the tool declared. */
  ask(prompt: string): Promise<TurnSeen>;
  /** Answers the last turn's tool calls with `result`. */
  answerTools(result: string): Promise<TurnSeen>;
  /** One more user message. */
  say(prompt: string): Promise<TurnSeen>;
}

const parse = (s: string) => {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return s;
  }
};

function chat(base: string, key: string, model: string, stream: boolean): Conversation {
  const client = new OpenAI({ apiKey: key, baseURL: `${base}/v1`, maxRetries: 0 });
  const tools = [
    { type: "function" as const, function: { name: "get_weather", description: "Weather", parameters: WEATHER } },
  ];
  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [];
  let lastCalls: TurnSeen["calls"] = [];
  const turn = async (): Promise<TurnSeen> => {
    const params = { model, messages, tools };
    // The SDK's stream helper keeps only the last chunk's value of a field it does not know (reasoning_content):
    // the reasoning is read chunk by chunk.
    let streamed = "";
    const r = stream
      ? await client.chat.completions
          .stream(params)
          .on("chunk", (c) => {
            streamed += (c.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? "";
          })
          .finalChatCompletion()
      : await client.chat.completions.create(params);
    const m = r.choices[0]!.message;
    messages.push(m as OpenAI.Chat.ChatCompletionMessageParam);
    lastCalls = (m.tool_calls ?? []).flatMap((c) =>
      c.type === "function" ? [{ id: c.id, name: c.function.name, args: parse(c.function.arguments) }] : [],
    );
    const reasoning = stream ? streamed : ((m as { reasoning_content?: string }).reasoning_content ?? "");
    return {
      text: m.content ?? "",
      reasoning,
      calls: lastCalls,
      ...(r.usage ? { usage: { input: r.usage.prompt_tokens, output: r.usage.completion_tokens } } : {}),
    };
  };
  return {
    ask: (prompt) => {
      messages.push({ role: "user", content: prompt });
      return turn();
    },
    answerTools: (result) => {
      for (const c of lastCalls) messages.push({ role: "tool", tool_call_id: c.id, content: result });
      return turn();
    },
    say: (prompt) => {
      messages.push({ role: "user", content: prompt });
      return turn();
    },
  };
}

function responses(base: string, key: string, model: string, stream: boolean): Conversation {
  const client = new OpenAI({ apiKey: key, baseURL: `${base}/v1`, maxRetries: 0 });
  const tools = [{ type: "function" as const, name: "get_weather", parameters: WEATHER, strict: false }];
  const input: OpenAI.Responses.ResponseInputItem[] = [];
  let lastCalls: TurnSeen["calls"] = [];
  const turn = async (): Promise<TurnSeen> => {
    const params = { model, input, tools, store: false };
    const r = stream ? await client.responses.stream(params).finalResponse() : await client.responses.create(params);
    const seen: TurnSeen = { text: "", reasoning: "", calls: [] };
    for (const item of r.output) {
      input.push(item as OpenAI.Responses.ResponseInputItem);
      if (item.type === "message") for (const c of item.content) if (c.type === "output_text") seen.text += c.text;
      if (item.type === "reasoning") seen.reasoning += (item.summary ?? []).map((s) => s.text).join("");
      if (item.type === "reasoning") for (const c of item.content ?? []) seen.reasoning += c.text;
      if (item.type === "function_call")
        seen.calls.push({ id: item.call_id, name: item.name, args: parse(item.arguments) });
    }
    lastCalls = seen.calls;
    if (r.usage) seen.usage = { input: r.usage.input_tokens, output: r.usage.output_tokens };
    return seen;
  };
  return {
    ask: (prompt) => {
      input.push({ role: "user", content: prompt });
      return turn();
    },
    answerTools: (result) => {
      for (const c of lastCalls) input.push({ type: "function_call_output", call_id: c.id, output: result });
      return turn();
    },
    say: (prompt) => {
      input.push({ role: "user", content: prompt });
      return turn();
    },
  };
}

function messagesApi(base: string, key: string, model: string, stream: boolean): Conversation {
  const client = new Anthropic({ apiKey: key, baseURL: base, maxRetries: 0 });
  const tools = [{ name: "get_weather", description: "Weather", input_schema: WEATHER }];
  const messages: Anthropic.MessageParam[] = [];
  let lastCalls: TurnSeen["calls"] = [];
  const turn = async (): Promise<TurnSeen> => {
    const params = { model, max_tokens: 1000, messages, tools };
    const r = stream ? await client.messages.stream(params).finalMessage() : await client.messages.create(params);
    messages.push({ role: "assistant", content: r.content });
    const seen: TurnSeen = { text: "", reasoning: "", calls: [] };
    for (const b of r.content) {
      if (b.type === "text") seen.text += b.text;
      else if (b.type === "thinking") seen.reasoning += b.thinking;
      else if (b.type === "tool_use") seen.calls.push({ id: b.id, name: b.name, args: b.input });
    }
    lastCalls = seen.calls;
    seen.usage = { input: r.usage.input_tokens, output: r.usage.output_tokens };
    return seen;
  };
  return {
    ask: (prompt) => {
      messages.push({ role: "user", content: prompt });
      return turn();
    },
    answerTools: (result) => {
      messages.push({
        role: "user",
        content: lastCalls.map((c) => ({ type: "tool_result" as const, tool_use_id: c.id, content: result })),
      });
      return turn();
    },
    say: (prompt) => {
      messages.push({ role: "user", content: prompt });
      return turn();
    },
  };
}

function gemini(base: string, key: string, model: string, stream: boolean): Conversation {
  const ai = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: base, retryOptions: { attempts: 1 } } });
  const config = {
    tools: [{ functionDeclarations: [{ name: "get_weather", description: "Weather", parametersJsonSchema: WEATHER }] }],
  };
  // biome-ignore lint/suspicious/noExplicitAny: Gemini contents are built as plain JSON
  const contents: any[] = [];
  let lastCalls: TurnSeen["calls"] = [];
  const turn = async (): Promise<TurnSeen> => {
    const chunks = stream
      ? await (async () => {
          const out = [];
          for await (const c of await ai.models.generateContentStream({ model, contents, config })) out.push(c);
          return out;
        })()
      : [await ai.models.generateContent({ model, contents, config })];
    const seen: TurnSeen = { text: "", reasoning: "", calls: [] };
    // biome-ignore lint/suspicious/noExplicitAny: Gemini parts are read as plain JSON
    const parts: any[] = [];
    for (const c of chunks) {
      for (const p of c.candidates?.[0]?.content?.parts ?? []) {
        parts.push(p);
        if (p.thought && typeof p.text === "string") seen.reasoning += p.text;
        else if (typeof p.text === "string") seen.text += p.text;
        if (p.functionCall)
          seen.calls.push({ id: p.functionCall.id ?? "", name: p.functionCall.name ?? "", args: p.functionCall.args });
      }
      const u = c.usageMetadata;
      if (u)
        seen.usage = {
          input: u.promptTokenCount ?? 0,
          output: (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0),
        };
    }
    contents.push({ role: "model", parts });
    lastCalls = seen.calls;
    return seen;
  };
  return {
    ask: (prompt) => {
      contents.push({ role: "user", parts: [{ text: prompt }] });
      return turn();
    },
    answerTools: (result) => {
      contents.push({
        role: "user",
        parts: lastCalls.map((c) => ({
          functionResponse: { name: c.name, ...(c.id ? { id: c.id } : {}), response: { result } },
        })),
      });
      return turn();
    },
    say: (prompt) => {
      contents.push({ role: "user", parts: [{ text: prompt }] });
      return turn();
    },
  };
}

export function conversation(
  dialect: Dialect,
  base: string,
  key: string,
  model: string,
  stream: boolean,
): Conversation {
  switch (dialect) {
    case "openai-chat":
      return chat(base, key, model, stream);
    case "openai-responses":
      return responses(base, key, model, stream);
    case "anthropic":
      return messagesApi(base, key, model, stream);
    case "gemini":
      return gemini(base, key, model, stream);
  }
}
