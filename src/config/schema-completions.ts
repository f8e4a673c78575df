import { z } from "zod";

/** How llmux serves a fill-in-the-middle (`kind: completion`) or rerank (`kind: rerank`) alias. */
export const CompletionFields = {
  completions: z
    .object({
      mode: z
        .enum(["native", "chat"])
        .optional()
        .describe(
          "native: the upstream does fill-in-the-middle itself (default for openai-compatible providers, and for Codestral on a vertex provider: Mistral's body through streamRawPredict); chat: fill-in-the-middle over chat, a compact instruction with the prefix and suffix sent as a chat request (default for every other provider), marked in llmux-warnings.",
        ),
      api: z
        .enum(["openai", "mistral"])
        .optional()
        .describe(
          "A native upstream's call: openai (POST {base_url}/completions with suffix: vLLM, Ollama, llama.cpp, DeepSeek beta, Fireworks, Together) or mistral (POST {base_url}/fim/completions: Codestral). Default: mistral when the base URL is Mistral's, else openai.",
        ),
    })
    .strict()
    .optional()
    .describe("Fill-in-the-middle models: native or over chat, and the native call's shape."),
  rerank: z
    .object({
      api: z
        .enum(["cohere", "jina", "voyage"])
        .optional()
        .describe(
          "The upstream's rerank call: cohere (POST {base_url}/v2/rerank), jina or voyage (POST {base_url}/rerank). Default: from the base URL's host (cohere.com, voyageai.com), else jina.",
        ),
    })
    .strict()
    .optional()
    .describe("Rerank models: the upstream's rerank call."),
};
