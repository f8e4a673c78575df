import { z } from "zod";

/** An alias's prompt-cache settings (translated requests to upstreams with explicit caching: Anthropic, Bedrock, Vertex). */
export const CacheFields = {
  cache: z
    .enum(["auto", "off"])
    .optional()
    .describe(
      "auto (default): cache breakpoints on translated requests to Anthropic, Bedrock and Vertex Claude (tools, system, the last turns); off: none.",
    ),
  cache_ttl: z
    .enum(["5m", "1h"])
    .optional()
    .describe("How long the upstream keeps the prompt cache llmux's breakpoints write (default 5m)."),
};
