import { z } from "zod";

/** The largest context window and output a configuration may declare (far above any model's; a bound on input). */
export const MAX_CONTEXT_WINDOW = 100_000_000;

/**
 * An alias's (or a deployment's) token limits, for the tools: `/v1/models` carries them and the launchers pass
 * them to each tool's own setting, so that a tool compacts its conversation at the right size. Unset: the
 * capability table's values for known upstream models (src/models/limits.ts).
 */
export const LimitFields = {
  context_window: z
    .number()
    .int()
    .min(1024)
    .max(MAX_CONTEXT_WINDOW)
    .optional()
    .describe(
      "The model's context window in tokens (input and output together), as tools are told (/v1/models, the launchers). Default: the capability table's for known models.",
    ),
  max_output_tokens: z
    .number()
    .int()
    .min(1)
    .max(MAX_CONTEXT_WINDOW)
    .optional()
    .describe(
      "The most output tokens the model produces in one answer, as tools are told. Default: the capability table's for known models.",
    ),
};
