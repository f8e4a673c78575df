/** One input to embed: a text, or an array of token ids (OpenAI's `input` takes both). */
export type EmbedInput = string | readonly number[];

/** An embeddings request as llmux reads it, whatever route it came by. */
export interface EmbedAsk {
  /** The model (alias) asked for. */
  readonly model: string;
  readonly inputs: readonly EmbedInput[];
  /** The vector size asked for (OpenAI `dimensions`, Gemini `outputDimensionality`). */
  readonly dimensions?: number | undefined;
  /** How the client wants vectors: numbers, base64 float32 (OpenAI), or Gemini's `values`. */
  readonly format: "float" | "base64" | "gemini";
  /** Gemini's `:batchEmbedContents` (answered `embeddings`) rather than `:embedContent` (`embedding`). */
  readonly batch?: boolean | undefined;
  /** Gemini's task type and title (sent to Gemini and Vertex upstreams; no OpenAI field holds them). */
  readonly taskType?: string | undefined;
  readonly title?: string | undefined;
  /** The OpenAI `user` field, passed on to OpenAI-shaped upstreams. */
  readonly user?: string | undefined;
}

/** Bounds of one embeddings request (docs/embeddings.md): beyond them it is refused 400, naming the field. */
export const EMBED_BOUNDS = {
  /** Inputs in one request (OpenAI's own limit). */
  inputs: 2048,
  /** Token ids in one token-array input. */
  tokens: 32_768,
  /** The largest `dimensions` asked. */
  dimensions: 65_536,
} as const;

export function inputBytes(input: EmbedInput): number {
  return typeof input === "string" ? Buffer.byteLength(input) : input.length * 4;
}
