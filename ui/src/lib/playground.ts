/**
 * The playground's three dialects: the request each one sends, and how its stream's events build up the
 * answer (text, reasoning, tool calls, usage). Pure: the page feeds events in, the answer comes out.
 */

export type Dialect = "chat" | "responses" | "messages";

export const DIALECTS: Record<Dialect, { label: string; path: string }> = {
  chat: { label: "Chat Completions", path: "/v1/chat/completions" },
  responses: { label: "Responses", path: "/v1/responses" },
  messages: { label: "Messages", path: "/v1/messages" },
};

export interface Answer {
  text: string;
  reasoning: string;
  calls: { id: string; name: string; arguments: string }[];
  usage: Record<string, unknown> | undefined;
  error: string | undefined;
  done: boolean;
}

export const emptyAnswer = (): Answer => ({
  text: "",
  reasoning: "",
  calls: [],
  usage: undefined,
  error: undefined,
  done: false,
});

/** The request: its path, headers (the key as each dialect's clients send it) and body. */
export function requestOf(
  dialect: Dialect,
  opts: { key: string; model: string; system: string; prompt: string; maxTokens: number },
): { path: string; headers: Record<string, string>; body: unknown } {
  const headers: Record<string, string> = { "content-type": "application/json", accept: "text/event-stream" };
  const system = opts.system.trim();
  if (dialect === "messages") {
    if (opts.key) headers["x-api-key"] = opts.key;
    headers["anthropic-version"] = "2023-06-01";
    return {
      path: DIALECTS.messages.path,
      headers,
      body: {
        model: opts.model,
        max_tokens: opts.maxTokens,
        stream: true,
        ...(system ? { system } : {}),
        messages: [{ role: "user", content: opts.prompt }],
      },
    };
  }
  if (opts.key) headers.authorization = `Bearer ${opts.key}`;
  if (dialect === "responses")
    return {
      path: DIALECTS.responses.path,
      headers,
      body: {
        model: opts.model,
        stream: true,
        max_output_tokens: opts.maxTokens,
        ...(system ? { instructions: system } : {}),
        input: opts.prompt,
      },
    };
  return {
    path: DIALECTS.chat.path,
    headers,
    body: {
      model: opts.model,
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: opts.maxTokens,
      messages: [...(system ? [{ role: "system", content: system }] : []), { role: "user", content: opts.prompt }],
    },
  };
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === "object" ? (v as Json) : {});
const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** One event into the answer (a new object: React sees the change). */
export function apply(dialect: Dialect, a: Answer, event: string | undefined, data: string): Answer {
  if (data === "[DONE]") return { ...a, done: true };
  let d: Json;
  try {
    d = obj(JSON.parse(data));
  } catch {
    return a;
  }
  const next: Answer = { ...a, calls: a.calls.map((c) => ({ ...c })) };
  const type = event ?? str(d.type);
  if (d.error || type === "error") {
    const e = obj(d.error);
    next.error = str(e.message) || str(d.message) || data;
    return next;
  }
  if (dialect === "chat") {
    const choice = obj((d.choices as unknown[] | undefined)?.[0]);
    const delta = obj(choice.delta);
    next.text += str(delta.content);
    next.reasoning += str(delta.reasoning_content) + str(delta.reasoning);
    for (const t of (delta.tool_calls as unknown[] | undefined) ?? []) {
      const tc = obj(t);
      const i = typeof tc.index === "number" ? tc.index : next.calls.length;
      const fn = obj(tc.function);
      next.calls[i] ??= { id: "", name: "", arguments: "" };
      const call = next.calls[i]!;
      call.id ||= str(tc.id);
      call.name += str(fn.name);
      call.arguments += str(fn.arguments);
    }
    if (d.usage) next.usage = obj(d.usage);
    if (choice.finish_reason) next.done = true;
    return next;
  }
  if (dialect === "responses") {
    if (type === "response.output_text.delta") next.text += str(d.delta);
    else if (type === "response.reasoning_summary_text.delta" || type === "response.reasoning_text.delta")
      next.reasoning += str(d.delta);
    else if (type === "response.output_item.added" && obj(d.item).type === "function_call") {
      const item = obj(d.item);
      next.calls.push({ id: str(item.call_id) || str(item.id), name: str(item.name), arguments: "" });
    } else if (type === "response.function_call_arguments.delta" && next.calls.length > 0)
      next.calls[next.calls.length - 1]!.arguments += str(d.delta);
    else if (type === "response.completed" || type === "response.incomplete") {
      next.usage = obj(obj(d.response).usage);
      next.done = true;
    } else if (type === "response.failed") {
      next.error = str(obj(obj(d.response).error).message) || "the response failed";
      next.done = true;
    }
    return next;
  }
  // Messages
  if (type === "content_block_start") {
    const block = obj(d.content_block);
    if (block.type === "tool_use") next.calls.push({ id: str(block.id), name: str(block.name), arguments: "" });
  } else if (type === "content_block_delta") {
    const delta = obj(d.delta);
    if (delta.type === "text_delta") next.text += str(delta.text);
    else if (delta.type === "thinking_delta") next.reasoning += str(delta.thinking);
    else if (delta.type === "input_json_delta" && next.calls.length > 0)
      next.calls[next.calls.length - 1]!.arguments += str(delta.partial_json);
  } else if (type === "message_delta") next.usage = { ...next.usage, ...obj(d.usage) };
  else if (type === "message_start") next.usage = obj(obj(d.message).usage);
  else if (type === "message_stop") next.done = true;
  return next;
}

/** An answer's usage in figures, whichever dialect reported it (Chat, Responses or Messages field names). */
export interface UsageFigures {
  input: number;
  output: number;
  cacheRead: number;
  reasoning: number;
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

export function usageFigures(usage: Record<string, unknown>): UsageFigures {
  const details = (k: string) =>
    usage[k] && typeof usage[k] === "object" ? (usage[k] as Record<string, unknown>) : {};
  const cacheRead =
    num(usage.cache_read_input_tokens) ||
    num(details("prompt_tokens_details").cached_tokens) ||
    num(details("input_tokens_details").cached_tokens);
  // Anthropic's input_tokens leaves out what the cache read or wrote; Chat and Responses include it.
  const anthropic = "cache_read_input_tokens" in usage || "cache_creation_input_tokens" in usage;
  const input =
    num(usage.prompt_tokens) ||
    num(usage.input_tokens) + (anthropic ? cacheRead + num(usage.cache_creation_input_tokens) : 0);
  return {
    input,
    output: num(usage.completion_tokens) || num(usage.output_tokens),
    cacheRead,
    reasoning:
      num(details("completion_tokens_details").reasoning_tokens) ||
      num(details("output_tokens_details").reasoning_tokens),
  };
}

/** The key a holder signed in with, kept for the playground in this browser tab only (sessionStorage). */
export const PLAYGROUND_KEY = "llmux.playground.key";
