import type { JsonObject } from "../ir/types.js";
import type { EmbedAsk } from "./ask.js";
import { toBase64 } from "./vectors.js";

/** What the client is answered: a vector per input, in its order, and the tokens billed. */
export interface EmbedResult {
  readonly vectors: readonly (readonly number[])[];
  /** Input tokens the upstream was paid for (cached inputs count none). */
  readonly tokens: number;
}

/**
 * The answer in the client's shape: OpenAI's `list` of `embedding` objects (numbers, or base64 float32 when
 * `encoding_format` asked for it, whatever the upstream sent), or Gemini's `embedding` / `embeddings`.
 */
export function encodeAnswer(ask: EmbedAsk, result: EmbedResult): JsonObject {
  if (ask.format === "gemini") {
    const one = (v: readonly number[]) => ({ values: v as number[] });
    return ask.batch ? { embeddings: result.vectors.map(one) } : { embedding: one(result.vectors[0]!) };
  }
  return {
    object: "list",
    data: result.vectors.map((v, index) => ({
      object: "embedding",
      index,
      embedding: ask.format === "base64" ? toBase64(v) : (v as number[]),
    })),
    model: ask.model,
    usage: { prompt_tokens: result.tokens, total_tokens: result.tokens },
  };
}
