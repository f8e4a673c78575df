import type { JsonObject } from "../ir/types.js";
import type { FimAsk } from "./ask.js";

/** What an answer says about itself, whichever shape it is written in. */
export interface FimHead {
  readonly id: string;
  readonly model: string;
  readonly created: number;
}

export interface FimUsage {
  readonly input: number;
  readonly output: number;
}

const usageOf = (u: FimUsage): JsonObject => ({
  prompt_tokens: u.input,
  completion_tokens: u.output,
  total_tokens: u.input + u.output,
});

/** The whole answer: legacy Completions' `text_completion`, or Mistral FIM's `chat.completion`. */
export function wholeAnswer(
  shape: FimAsk["shape"],
  head: FimHead,
  text: string,
  finish: "stop" | "length",
  usage: FimUsage,
): JsonObject {
  if (shape === "fim")
    return {
      id: head.id,
      object: "chat.completion",
      model: head.model,
      created: head.created,
      choices: [{ index: 0, message: { role: "assistant", content: text, tool_calls: null }, finish_reason: finish }],
      usage: usageOf(usage),
    };
  return {
    id: head.id,
    object: "text_completion",
    created: head.created,
    model: head.model,
    choices: [{ text, index: 0, logprobs: null, finish_reason: finish }],
    usage: usageOf(usage),
  };
}

/** One streamed chunk: text, or the last one (its finish and the usage). */
export function chunkOf(
  shape: FimAsk["shape"],
  head: FimHead,
  text: string,
  finish?: "stop" | "length",
  usage?: FimUsage,
): JsonObject {
  const tail: JsonObject = usage ? { usage: usageOf(usage) } : {};
  if (shape === "fim")
    return {
      id: head.id,
      object: "chat.completion.chunk",
      created: head.created,
      model: head.model,
      choices: [{ index: 0, delta: { role: "assistant", content: text }, finish_reason: finish ?? null }],
      ...tail,
    };
  return {
    id: head.id,
    object: "text_completion",
    created: head.created,
    model: head.model,
    choices: [{ text, index: 0, logprobs: null, finish_reason: finish ?? null }],
    ...tail,
  };
}
