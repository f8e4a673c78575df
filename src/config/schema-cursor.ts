import { z } from "zod";
import { secret } from "./secret-fields.js";

/** Defaults of the `type: cursor` provider, shared with its code and its docs. */
export const CURSOR_DEFAULTS = {
  runtime_dir: ".llmux/cursor-runtime",
  tool_result_timeout_ms: 600_000,
  conversation_ttl_ms: 3_600_000,
  max_conversations: 500,
} as const;

/**
 * Cursor's own models (Composer) through Cursor's TypeScript SDK, which runs in a helper process under
 * Node 22 (installed on first use when llmux itself runs on an older Node). The caller's own Cursor API key
 * (pass-through), a minted key's stored credential, or `api_key` authenticates the calls.
 */
export const CursorProviderSchema = z
  .object({
    type: z.literal("cursor").describe("Cursor's Composer models through Cursor's own SDK (@cursor/sdk)."),
    api_key: secret(
      z
        .string()
        .optional()
        .describe(
          `A Cursor API key (Cursor dashboard → Integrations). Omit to use each caller's own key (auth.passthrough or passthrough_providers). Write "\${VARIABLE}" to read it from the environment.`,
        ),
    ),
    base_url: z
      .string()
      .url()
      .optional()
      .describe("Cursor's backend, for the SDK (CURSOR_BACKEND_URL). Default: Cursor's own (https://api2.cursor.sh)."),
    runtime_dir: z
      .string()
      .default(CURSOR_DEFAULTS.runtime_dir)
      .describe(
        "Where the SDK (and, under Node < 22.13, a Node 22 runtime) is installed on first use; relative to the working directory.",
      ),
    node: z
      .string()
      .optional()
      .describe(
        "A Node ≥ 22.13 executable to run the SDK with. Default: the Node running llmux when it is new enough, else a pinned Node 22 installed into runtime_dir.",
      ),
    install: z
      .boolean()
      .default(true)
      .describe("Install what runtime_dir lacks (from the npm registry, with npm) on first use; false: fail instead."),
    system_prompt: z
      .enum(["prepend", "replace"])
      .default("prepend")
      .describe(
        "Where the client's system prompt goes: prepend (into the first message, after Cursor's own system prompt) or replace (Cursor's system prompt is replaced; needs access Cursor grants per account).",
      ),
    tool_result_timeout_ms: z
      .number()
      .int()
      .positive()
      .default(CURSOR_DEFAULTS.tool_result_timeout_ms)
      .describe("How long a run waits for the client to send back the result of a tool call before it is abandoned."),
    conversation_ttl_ms: z
      .number()
      .int()
      .positive()
      .default(CURSOR_DEFAULTS.conversation_ttl_ms)
      .describe("An idle conversation is forgotten after this long (the next turn starts a new one from the history)."),
    max_conversations: z
      .number()
      .int()
      .positive()
      .default(CURSOR_DEFAULTS.max_conversations)
      .describe("Conversations kept at most (least recently used go first)."),
    timeout_ms: z
      .number()
      .int()
      .positive()
      .optional()
      .describe("Milliseconds of silence from a run before it is abandoned."),
  })
  .strict();
