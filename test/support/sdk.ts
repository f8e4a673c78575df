import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
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
    const c = stream
      ? await client.chat.completions.stream({ ...req, stream_options: { include_usage: true } }).finalChatCompletion()
      : await client.chat.completions.create(req);
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
  const r = stream ? await client.responses.stream(rreq).finalResponse() : await client.responses.create(rreq);
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
