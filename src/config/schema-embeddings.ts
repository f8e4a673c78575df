import { z } from "zod";

/** An alias's kind and, for an embedding model, how llmux serves it. */
export const EmbeddingFields = {
  kind: z
    .enum(["chat", "embedding", "completion", "rerank"])
    .optional()
    .describe(
      "What the alias serves: chat (default: the chat, Responses, Messages and Gemini generate routes) embedding (POST /v1/embeddings and Gemini's embedContent / batchEmbedContents), completion (fill-in-the-middle: POST /v1/completions and /v1/fim/completions) or rerank (POST /v1/rerank). Asking the other route for it is a 400 naming the right one.",
    ),
  embeddings: z
    .object({
      max_batch: z
        .number()
        .int()
        .min(1)
        .max(2048)
        .optional()
        .describe(
          "Inputs sent upstream in one call (default: the upstream's documented limit: OpenAI 2048, Gemini 100, Vertex 250, Vertex gemini-embedding 1). More inputs are split into calls.",
        ),
      concurrency: z
        .number()
        .int()
        .min(1)
        .max(16)
        .default(4)
        .describe("Calls of one request in flight at once when its inputs are split (default 4)."),
      token_arrays: z
        .boolean()
        .optional()
        .describe(
          "Whether the upstream takes inputs as arrays of token ids (default: OpenAI and Azure yes; OpenAI-compatible servers, Gemini and Vertex no: set true for vLLM).",
        ),
      cache: z
        .object({
          store: z
            .enum(["hot", "data"])
            .default("data")
            .describe(
              "data: the database (SQLite or PostgreSQL; the hot state when llmux has none); hot: the hot state (memory or Redis).",
            ),
          ttl_hours: z
            .number()
            .positive()
            .max(24 * 365)
            .default(24 * 30)
            .describe("How long a cached vector is kept (default 30 days)."),
          max_entries: z
            .number()
            .int()
            .min(1)
            .max(10_000_000)
            .default(200_000)
            .describe("The most vectors kept for the alias (the oldest are dropped past it)."),
        })
        .strict()
        .optional()
        .describe(
          "Opt-in: identical inputs (same upstream model, dimensions and text) are answered from the cache without an upstream call, and cost nothing.",
        ),
    })
    .strict()
    .optional()
    .describe("Embedding models: batching, concurrency, token arrays, and the embeddings cache."),
};
