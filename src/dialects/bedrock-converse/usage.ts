import { isObject } from "../../ir/input-error.js";
import type { Json, StopReason, Usage } from "../../ir/types.js";
import { tokenCount } from "../../ir/usage.js";

/** A reported token count, clamped to a finite non-negative integer (0 when not a number). */
function num(v: Json | undefined): number {
  return tokenCount(v) ?? 0;
}

/**
 * Converse `usage` → IR. Like Anthropic's, Bedrock's `inputTokens` leaves out what was read from or written
 * to the prompt cache (`cacheReadInputTokens`, `cacheWriteInputTokens`); the IR counts every input token.
 */
export function decodeConverseUsage(u: Json | undefined): Usage | undefined {
  if (!isObject(u)) return undefined;
  const read = num(u.cacheReadInputTokens);
  const write = num(u.cacheWriteInputTokens);
  const usage: Usage = { inputTokens: num(u.inputTokens) + read + write, outputTokens: num(u.outputTokens) };
  if (read > 0) usage.cacheReadTokens = read;
  if (write > 0) usage.cacheWriteTokens = write;
  return usage;
}

/** Converse `stopReason` → IR. */
export function stopFromConverse(reason: string | undefined, hadToolCalls: boolean): StopReason {
  switch (reason) {
    case "end_turn":
      return hadToolCalls ? "tool_use" : "end_turn";
    case "tool_use":
      return "tool_use";
    case "max_tokens":
      return "max_tokens";
    case "stop_sequence":
      return "stop_sequence";
    case "guardrail_intervened":
    case "content_filtered":
      return "content_filter";
    case "model_context_window_exceeded":
      return "context_window_exceeded";
    default:
      return hadToolCalls ? "tool_use" : "end_turn";
  }
}
