import Anthropic from "@anthropic-ai/sdk";
import { type GenerateContentResponse, GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import type { ChatCompletion, ChatCompletionChunk } from "openai/resources/chat/completions";
import type { Response as OpenAIResponse } from "openai/resources/responses/responses";
import { Stream } from "openai/streaming";
import type { Dialect } from "../../src/ir/types.js";

/** What every dialect's final object says, in one comparable shape. */
export interface Outcome {
  text: string;
  reasoning: string;
  toolCalls: { id: string; name: string; arguments: unknown }[];
  /** Normalised stop: stop | length | tool_calls | content_filter. */
  stop: string;
  usage?: { input: number; output: number; cacheRead?: number; reasoning?: number };
}

function parseArgs(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

function anthropicStop(s: string | null): string {
  switch (s) {
    case "tool_use":
      return "tool_calls";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "refusal":
      return "content_filter";
    default:
      return "stop";
  }
}

/** What an SDK call sends: the model, the user's message and optionally one tool. */
export interface Ask {
  model?: string;
  prompt?: string;
  apiKey?: string;
  /** Declare a `get_weather(city)` tool. */
  tool?: boolean;
  /** Extra headers on the call. */
  headers?: Record<string, string>;
}

const WEATHER_SCHEMA = { type: "object" as const, properties: { city: { type: "string" } }, required: ["city"] };

/**
 * Reads a stream or a body served at `baseURL` with the official SDK of `dialect`, using the SDK's own
 * stream helpers (which throw on malformed event sequences), and reduces the final object to an Outcome.
 */
export async function consumeWithSdk(
  dialect: Dialect,
  baseURL: string,
  stream: boolean,
  ask: Ask = {},
): Promise<Outcome> {
  const model = ask.model ?? "m";
  const prompt = ask.prompt ?? "hi";
  const apiKey = ask.apiKey ?? "k";
  const headers = ask.headers;
  if (dialect === "anthropic") {
    const client = new Anthropic({ apiKey, baseURL, maxRetries: 0, defaultHeaders: headers });
    const params = {
      model,
      max_tokens: 100,
      messages: [{ role: "user" as const, content: prompt }],
      ...(ask.tool ? { tools: [{ name: "get_weather", description: "Weather", input_schema: WEATHER_SCHEMA }] } : {}),
    };
    const msg = stream ? await client.messages.stream(params).finalMessage() : await client.messages.create(params);
    const out: Outcome = { text: "", reasoning: "", toolCalls: [], stop: anthropicStop(msg.stop_reason) };
    for (const b of msg.content) {
      if (b.type === "text") out.text += b.text;
      else if (b.type === "thinking") out.reasoning += b.thinking;
      else if (b.type === "tool_use") out.toolCalls.push({ id: b.id, name: b.name, arguments: b.input });
    }
    const u = msg.usage;
    out.usage = {
      input: u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0),
      output: u.output_tokens,
      cacheRead: u.cache_read_input_tokens ?? 0,
    };
    return out;
  }
  if (dialect === "gemini") return geminiOutcome(baseURL, stream, { model, prompt, apiKey, headers, tool: ask.tool });
  const client = new OpenAI({ apiKey, baseURL, maxRetries: 0, defaultHeaders: headers });
  if (dialect === "openai-chat") {
    const tools = ask.tool
      ? [
          {
            type: "function" as const,
            function: { name: "get_weather", description: "Weather", parameters: WEATHER_SCHEMA },
          },
        ]
      : undefined;
    const req = { model, messages: [{ role: "user" as const, content: prompt }], ...(tools ? { tools } : {}) };
    const c = stream ? await chatStream(client, req) : await client.chat.completions.create(req);
    const choice = c.choices[0]!;
    const msg = choice.message as typeof choice.message & { reasoning_content?: string };
    const out: Outcome = {
      text: msg.content ?? "",
      reasoning: msg.reasoning_content ?? "",
      toolCalls: (msg.tool_calls ?? []).map((t) =>
        t.type === "function"
          ? { id: t.id, name: t.function.name, arguments: parseArgs(t.function.arguments) }
          : { id: t.id, name: t.custom.name, arguments: t.custom.input },
      ),
      stop: choice.finish_reason,
    };
    if (c.usage) {
      out.usage = {
        input: c.usage.prompt_tokens,
        output: c.usage.completion_tokens,
        cacheRead: c.usage.prompt_tokens_details?.cached_tokens ?? 0,
        reasoning: c.usage.completion_tokens_details?.reasoning_tokens ?? 0,
      };
    }
    return out;
  }
  const rreq = {
    model,
    input: prompt,
    ...(ask.tool
      ? {
          tools: [
            {
              type: "function" as const,
              name: "get_weather",
              description: "Weather",
              parameters: WEATHER_SCHEMA,
              strict: false,
            },
          ],
        }
      : {}),
  };
  const r = stream ? await responsesStream(apiKey, baseURL, headers, rreq) : await client.responses.create(rreq);
  const out: Outcome = { text: "", reasoning: "", toolCalls: [], stop: "stop" };
  for (const item of r.output) {
    if (item.type === "message") {
      for (const c of item.content) if (c.type === "output_text") out.text += c.text;
    } else if (item.type === "reasoning") {
      out.reasoning += item.summary.map((s) => s.text).join("");
      for (const c of item.content ?? []) out.reasoning += c.text;
    } else if (item.type === "function_call") {
      out.toolCalls.push({ id: item.call_id, name: item.name, arguments: parseArgs(item.arguments) });
    } else if (item.type === "custom_tool_call") {
      out.toolCalls.push({ id: item.call_id, name: item.name, arguments: item.input });
    }
  }
  if (r.status === "incomplete")
    out.stop = r.incomplete_details?.reason === "content_filter" ? "content_filter" : "length";
  else if (out.toolCalls.length > 0) out.stop = "tool_calls";
  if (r.usage) {
    out.usage = {
      input: r.usage.input_tokens,
      output: r.usage.output_tokens,
      cacheRead: r.usage.input_tokens_details?.cached_tokens ?? 0,
      reasoning: r.usage.output_tokens_details?.reasoning_tokens ?? 0,
    };
  }
  return out;
}

function geminiStop(reason: string | undefined, calls: number): string {
  if (reason === "MAX_TOKENS") return "length";
  if (reason && reason !== "STOP" && reason !== "FINISH_REASON_UNSPECIFIED") return "content_filter";
  return calls > 0 ? "tool_calls" : "stop";
}

/**
 * The official `@google/genai` SDK against `baseURL` (`generateContent`, or `generateContentStream` read
 * chunk by chunk as the SDK yields them), reduced to an Outcome. Retries are off: a test sees every error.
 */
async function geminiOutcome(
  baseURL: string,
  stream: boolean,
  ask: {
    model: string;
    prompt: string;
    apiKey: string;
    headers?: Record<string, string> | undefined;
    tool?: boolean | undefined;
  },
): Promise<Outcome> {
  const ai = new GoogleGenAI({
    apiKey: ask.apiKey,
    httpOptions: { baseUrl: baseURL, headers: ask.headers ?? {}, retryOptions: { attempts: 1 } },
  });
  const params = {
    model: ask.model,
    contents: ask.prompt,
    config: ask.tool
      ? {
          tools: [
            {
              functionDeclarations: [
                { name: "get_weather", description: "Weather", parametersJsonSchema: WEATHER_SCHEMA },
              ],
            },
          ],
        }
      : {},
  };
  const chunks: GenerateContentResponse[] = [];
  if (stream) for await (const c of await ai.models.generateContentStream(params)) chunks.push(c);
  else chunks.push(await ai.models.generateContent(params));
  const out: Outcome = { text: "", reasoning: "", toolCalls: [], stop: "stop" };
  let finish: string | undefined;
  let usage: GenerateContentResponse["usageMetadata"];
  for (const c of chunks) {
    const cand = c.candidates?.[0];
    for (const part of cand?.content?.parts ?? []) {
      if (part.thought && typeof part.text === "string") out.reasoning += part.text;
      else if (typeof part.text === "string") out.text += part.text;
      if (part.functionCall)
        out.toolCalls.push({
          id: part.functionCall.id ?? "",
          name: part.functionCall.name ?? "",
          arguments: part.functionCall.args ?? {},
        });
    }
    if (cand?.finishReason) finish = cand.finishReason;
    if (c.usageMetadata) usage = c.usageMetadata;
  }
  out.stop = geminiStop(finish, out.toolCalls.length);
  if (usage) {
    out.usage = {
      input: usage.promptTokenCount ?? 0,
      output: (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0),
      cacheRead: usage.cachedContentTokenCount ?? 0,
      reasoning: usage.thoughtsTokenCount ?? 0,
    };
  }
  return out;
}

/*
 * The openai SDK is pinned to its 6.x line, the newest whose `engines` allow Node 20. Its stream helpers predate
 * two things llmux serves: custom (free-form) tool calls in Chat streams, and the Responses `shell_call_command`
 * events. For those only, and only when the helper fails on exactly that, the stream the helper has already
 * read is assembled from the SDK's own parsed chunks / events (every other check of the helper still ran).
 */

type ChatParams = Parameters<OpenAI["chat"]["completions"]["stream"]>[0];

function hasCustomToolDelta(chunks: ChatCompletionChunk[]): boolean {
  return chunks.some((c) => c.choices.some((ch) => ch.delta.tool_calls?.some((t) => "custom" in t)));
}

/** A Chat completion from its chunks, tool calls (function or custom) joined by index. */
function chatFromChunks(chunks: ChatCompletionChunk[]): ChatCompletion {
  const message: Record<string, unknown> = { role: "assistant", content: "" };
  let reasoning = "";
  const calls: Record<string, unknown>[] = [];
  let finish: string | null = null;
  let usage: ChatCompletion["usage"];
  for (const chunk of chunks) {
    if (chunk.usage) usage = chunk.usage;
    for (const ch of chunk.choices) {
      const d = ch.delta as ChatCompletionChunk.Choice.Delta & { reasoning_content?: string };
      if (d.content) message.content = `${message.content}${d.content}`;
      if (d.reasoning_content) reasoning += d.reasoning_content;
      for (const t of (d.tool_calls ?? []) as (ChatCompletionChunk.Choice.Delta.ToolCall & {
        custom?: { name?: string; input?: string };
      })[]) {
        calls[t.index] ??= t.custom
          ? { id: "", type: "custom", custom: { name: "", input: "" } }
          : { id: "", type: "function", function: { name: "", arguments: "" } };
        const call = calls[t.index]!;
        if (t.id) call.id = t.id;
        if (t.custom && call.custom) {
          const c = call.custom as { name: string; input: string };
          c.name += t.custom.name ?? "";
          c.input += t.custom.input ?? "";
        } else if (t.function && call.function) {
          const f = call.function as { name: string; arguments: string };
          f.name += t.function.name ?? "";
          f.arguments += t.function.arguments ?? "";
        }
      }
      if (ch.finish_reason) finish = ch.finish_reason;
    }
  }
  if (calls.length > 0) message.tool_calls = calls;
  if (reasoning) message.reasoning_content = reasoning;
  const first = chunks[0];
  return {
    id: first?.id ?? "",
    object: "chat.completion",
    created: first?.created ?? 0,
    model: first?.model ?? "",
    choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
    ...(usage ? { usage } : {}),
  } as unknown as ChatCompletion;
}

async function chatStream(client: OpenAI, req: ChatParams): Promise<ChatCompletion> {
  const s = client.chat.completions.stream({ ...req, stream_options: { include_usage: true } });
  const chunks: ChatCompletionChunk[] = [];
  s.on("chunk", (c) => chunks.push(c));
  try {
    return await s.finalChatCompletion();
  } catch (err) {
    if (!/tool_calls\[\d+\]\.function\.name/.test(String(err)) || !hasCustomToolDelta(chunks)) throw err;
    return chatFromChunks(chunks);
  }
}

/** Event types of the Responses API that the 6.x helper does not know. */
const NEWER_RESPONSE_EVENTS = /^response\.shell_call_command\.(added|delta|done)$/;

async function responsesStream(
  apiKey: string,
  baseURL: string,
  headers: Record<string, string> | undefined,
  params: Parameters<OpenAI["responses"]["stream"]>[0],
): Promise<OpenAIResponse> {
  // Keep a copy of the whole body, for the SDK's own SSE decoder if the helper stops at a newer event: the body
  // is read to its end whatever the helper does (a tee would tie the helper's cancel to the copy's).
  let copy: Promise<Uint8Array[]> | undefined;
  const client = new OpenAI({
    apiKey,
    baseURL,
    maxRetries: 0,
    defaultHeaders: headers,
    fetch: async (url, init) => {
      const res = await fetch(url, { ...init, signal: null });
      if (!res.body) return res;
      const reader = res.body.getReader();
      const recorded: Uint8Array[] = [];
      let open = true;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          copy = (async () => {
            for (;;) {
              const { value, done } = await reader.read();
              if (done) break;
              recorded.push(value);
              if (open) controller.enqueue(value);
            }
            if (open) controller.close();
            return recorded;
          })().catch((err: unknown) => {
            if (open) controller.error(err);
            return recorded;
          });
        },
        cancel() {
          open = false;
        },
      });
      return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
    },
  });
  try {
    return await client.responses.stream(params).finalResponse();
  } catch (err) {
    const unknown = /Unhandled response stream event: (\{.*\})/.exec(String(err));
    const type = unknown ? (JSON.parse(unknown[1]!) as { type?: string }).type : undefined;
    if (!copy || !type || !NEWER_RESPONSE_EVENTS.test(type)) throw err;
    let completed: OpenAIResponse | undefined;
    const events = Stream.fromSSEResponse<{ type: string; response?: OpenAIResponse }>(
      new Response(new Blob(await copy)),
      new AbortController(),
    );
    for await (const e of events) if (e.type === "response.completed") completed = e.response;
    if (!completed) throw err;
    return completed;
  }
}
