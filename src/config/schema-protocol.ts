import { z } from "zod";

/** How llmux keeps Anthropic-format streams alive and bridges Claude Code's capabilities to the clouds. */

export const STREAM_DEFAULTS = { ping_interval_ms: 15_000 };

export const StreamsSchema = z
  .object({
    ping_interval_ms: z
      .number()
      .int()
      .min(0)
      .default(STREAM_DEFAULTS.ping_interval_ms)
      .describe(
        "On a translated Anthropic-format stream (Messages, Bedrock, Vertex clients) whose upstream sends no keep-alive of its own: milliseconds of silence after which llmux sends a `ping` event (Claude Code aborts a stream silent for 300 s). 0 turns it off.",
      ),
  })
  .strict()
  .default(STREAM_DEFAULTS)
  .describe("Keep-alive on translated streams.");

export const CloudBetas = z
  .array(z.string().min(1))
  .optional()
  .describe(
    "anthropic-beta values this cloud's Claude endpoint accepts (default: the list llmux knows for the cloud). A client's other values are dropped, each with the body fields it pairs with, and reported.",
  );
