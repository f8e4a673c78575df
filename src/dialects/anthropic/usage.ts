import { leftovers } from "../../ir/input-error.js";
import type { JsonObject, Usage } from "../../ir/types.js";
import { anthropicInputTokens, tokenCount } from "../../ir/usage.js";

const KNOWN = new Set([
  "input_tokens",
  "output_tokens",
  "cache_creation_input_tokens",
  "cache_read_input_tokens",
  "output_tokens_details",
]);

/**
 * Anthropic usage → IR. Returns only the figures present (message_delta usage is cumulative and partial),
 * with input converted to the cache-inclusive convention when all three input counters are known.
 */
export function decodeAnthropicUsage(u: JsonObject, base?: Usage): Usage {
  const input = tokenCount(u.input_tokens);
  const read = tokenCount(u.cache_read_input_tokens);
  const write = tokenCount(u.cache_creation_input_tokens);
  const out: Usage = {
    inputTokens: base?.inputTokens ?? 0,
    outputTokens: tokenCount(u.output_tokens) ?? base?.outputTokens ?? 0,
  };
  const cacheRead = read ?? base?.cacheReadTokens;
  const cacheWrite = write ?? base?.cacheWriteTokens;
  if (cacheRead !== undefined) out.cacheReadTokens = cacheRead;
  if (cacheWrite !== undefined) out.cacheWriteTokens = cacheWrite;
  if (input !== undefined) out.inputTokens = input + (cacheRead ?? 0) + (cacheWrite ?? 0);
  else if (base && (read !== undefined || write !== undefined)) {
    const baseInput = anthropicInputTokens(base);
    out.inputTokens = baseInput + (cacheRead ?? 0) + (cacheWrite ?? 0);
  }
  const details = u.output_tokens_details;
  const thinking =
    details && typeof details === "object" && !Array.isArray(details) ? tokenCount(details.thinking_tokens) : undefined;
  if (thinking !== undefined) out.reasoningTokens = thinking;
  else if (base?.reasoningTokens !== undefined) out.reasoningTokens = base.reasoningTokens;
  const rest = leftovers(u, KNOWN);
  if (rest) out.extras = { dialect: "anthropic", fields: { ...(base?.extras?.fields ?? {}), ...rest } };
  else if (base?.extras) out.extras = base.extras;
  return out;
}

export function encodeAnthropicUsage(u: Usage | undefined): JsonObject {
  if (!u) return { input_tokens: 0, output_tokens: 0 };
  const out: JsonObject = {
    input_tokens: anthropicInputTokens(u),
    cache_creation_input_tokens: u.cacheWriteTokens ?? 0,
    cache_read_input_tokens: u.cacheReadTokens ?? 0,
    output_tokens: u.outputTokens,
  };
  if (u.reasoningTokens !== undefined) out.output_tokens_details = { thinking_tokens: u.reasoningTokens };
  if (u.extras?.dialect === "anthropic") Object.assign(out, u.extras.fields);
  return out;
}
