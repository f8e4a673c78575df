import type { ModelConfig } from "../config/schema.js";
import { isObject } from "../ir/input-error.js";
import type { Json, JsonObject, Request } from "../ir/types.js";
import { Warnings } from "../ir/warnings.js";
import type { Provider } from "../providers/types.js";
import type { FimAsk } from "./ask.js";

/**
 * A native call's shape: OpenAI-compatible completions, Mistral's fim/completions, or Mistral's body through
 * Vertex AI's streamRawPredict (Codestral on Vertex: `…/publishers/mistralai/models/{model}`).
 */
export type FimApi = "openai" | "mistral" | "vertex";

/** How an upstream does fill-in-the-middle: natively (OpenAI-compatible or Mistral's call) or over chat. */
export type FimMode = { readonly mode: "native"; readonly api: FimApi } | { readonly mode: "chat" };

/** Mistral's models on Vertex AI that do fill-in-the-middle (Codestral). */
const VERTEX_FIM = /^codestral/i;

function hostOf(provider: Provider, model: string): string {
  try {
    const t = provider.target(model, { stream: true, clientHeaders: {}, sameDialect: false, warnings: new Warnings() });
    return new URL(t.url).host;
  } catch {
    return "";
  }
}

/**
 * The way an alias's upstream does fill-in-the-middle: `completions.mode`, else native for an
 * OpenAI-compatible provider (vLLM, Ollama, llama.cpp, DeepSeek beta, Mistral/Codestral) and over chat for
 * every other (OpenAI's and Azure's chat models, Anthropic, Gemini, Bedrock, the mock).
 */
export function fimMode(provider: Provider, model: string, settings: Pick<ModelConfig, "completions">): FimMode {
  const cfg = settings.completions;
  // Vertex AI: Codestral natively (its one shape there), any other model over chat.
  if (provider.type === "vertex") {
    const native = (cfg?.mode ?? (VERTEX_FIM.test(model) ? "native" : "chat")) === "native";
    return native ? { mode: "native", api: "vertex" } : { mode: "chat" };
  }
  const mode = cfg?.mode ?? (provider.type === "openai-compatible" ? "native" : "chat");
  if (mode === "chat") return { mode: "chat" };
  const api = cfg?.api ?? (hostOf(provider, model).endsWith("mistral.ai") ? "mistral" : "openai");
  return { mode: "native", api };
}

/**
 * A native call's URL: the chat URL's `chat/completions` as `completions` (OpenAI) or `fim/completions`; on
 * Vertex AI, the model's Gemini URL as Mistral's publisher's `streamRawPredict` (native calls are streamed).
 */
export function nativeUrl(api: FimApi, chatUrl: string): string {
  const url = new URL(chatUrl);
  if (api === "vertex") {
    url.pathname = url.pathname.replace(
      /\/publishers\/[^/]+\/models\/([^/:]+):[A-Za-z]+$/,
      "/publishers/mistralai/models/$1:streamRawPredict",
    );
    url.search = "";
    return url.toString();
  }
  url.pathname = url.pathname.replace(
    /\/(chat\/completions|responses)$/,
    api === "mistral" ? "/fim/completions" : "/completions",
  );
  return url.toString();
}

/** A native call's body, in the vendor's documented fields; always streamed (usage asked for where it must be). */
export function nativeBody(api: FimApi, model: string, ask: FimAsk): JsonObject {
  const body: JsonObject = { model, prompt: ask.prompt };
  if (ask.suffix !== undefined) body.suffix = ask.suffix;
  if (ask.maxTokens !== undefined) body.max_tokens = ask.maxTokens;
  if (ask.stop !== undefined) body.stop = [...ask.stop];
  if (ask.temperature !== undefined) body.temperature = ask.temperature;
  if (ask.topP !== undefined) body.top_p = ask.topP;
  body.stream = true;
  if (api === "openai") body.stream_options = { include_usage: true };
  return body;
}

/** The instruction of fill-in-the-middle over chat: compact, so autocomplete stays cheap. */
export const FIM_INSTRUCTION =
  "You complete code. Reply with only the text that belongs at <FILL>: no explanation, no code fences, nothing already before or after it.";

/** Fill-in-the-middle as a chat request: the instruction, then the prefix, the hole and the suffix. */
export function overChatRequest(model: string, ask: FimAsk): Request {
  const text = `${ask.prompt}<FILL>${ask.suffix ?? ""}`;
  return {
    source: "openai-chat",
    model,
    instructions: [{ type: "text", text: FIM_INSTRUCTION }],
    messages: [{ role: "user", content: [{ type: "text", text }] }],
    stream: true,
    streamUsage: true,
    ...(ask.maxTokens !== undefined ? { maxOutputTokens: ask.maxTokens } : {}),
    ...(ask.temperature !== undefined ? { temperature: ask.temperature } : {}),
    ...(ask.topP !== undefined ? { topP: ask.topP } : {}),
    ...(ask.stop !== undefined ? { stop: [...ask.stop] } : {}),
  };
}

/** One piece of an answer: text, the finish, or the usage the upstream reported. */
export interface FimPiece {
  readonly text?: string | undefined;
  readonly finish?: "stop" | "length" | undefined;
  readonly usage?: { readonly input: number; readonly output: number } | undefined;
}

const finishOf = (v: Json | undefined): FimPiece["finish"] =>
  v === "length" || v === "model_length" ? "length" : typeof v === "string" ? "stop" : undefined;

/** A native answer's event (OpenAI `choices[].text`, Mistral `choices[].delta.content`) or whole JSON. */
export function nativePiece(json: Json | undefined): FimPiece | undefined {
  if (!isObject(json)) return undefined;
  const choice = Array.isArray(json.choices) && isObject(json.choices[0]) ? json.choices[0] : undefined;
  const delta = choice && isObject(choice.delta) ? choice.delta : undefined;
  const message = choice && isObject(choice.message) ? choice.message : undefined;
  const t = choice?.text ?? delta?.content ?? message?.content;
  const u = isObject(json.usage) ? json.usage : undefined;
  const input = u?.prompt_tokens;
  const output = u?.completion_tokens;
  return {
    text: typeof t === "string" && t.length > 0 ? t : undefined,
    finish: finishOf(choice?.finish_reason),
    usage: typeof input === "number" && typeof output === "number" ? { input, output } : undefined,
  };
}

/**
 * A chat model's fill-in-the-middle answer, cleaned: without code fences around it and without the start of
 * the suffix it repeated at its end (or the end of the prefix it repeated at its start).
 */
export function cleanAnswer(text: string, prefix: string, suffix: string | undefined): string {
  let out = text;
  const fenced = /^\s*```[^\n`]*\n([\s\S]*?)\n?```\s*$/.exec(out);
  if (fenced) out = fenced[1]!;
  else out = out.replace(/^```[^\n`]*\n/, "").replace(/\n?```\s*$/, "");
  out = out.replace(/<\/?FILL>/g, "");
  // the prefix's last line, repeated at the start
  const lastLine = prefix.slice(prefix.lastIndexOf("\n") + 1);
  if (lastLine.length > 0 && out.startsWith(lastLine)) out = out.slice(lastLine.length);
  // the suffix's start, repeated at the end (the longest overlap of at least a few characters, or all of it)
  if (suffix) {
    const head = suffix.trimEnd();
    for (let k = Math.min(head.length, out.length); k > 0; k--) {
      if (k < 3 && k < head.length) break;
      if (out.endsWith(head.slice(0, k))) {
        out = out.slice(0, out.length - k);
        break;
      }
    }
  }
  return out;
}
