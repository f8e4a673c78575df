import { isObject, leftovers } from "../../ir/input-error.js";
import type { Json, JsonObject, Usage } from "../../ir/types.js";
import { tokenCount } from "../../ir/usage.js";

const KNOWN = new Set([
  "prompt_tokens",
  "completion_tokens",
  "total_tokens",
  "prompt_tokens_details",
  "completion_tokens_details",
]);

/**
 * The cache and reasoning counts of OpenAI's usage details (Chat's prompt_/completion_tokens_details, Responses'
 * input_/output_tokens_details); `cachedElse`: the cache hits when the details do not count them.
 */
export function readUsageDetails(
  out: Usage,
  input: Json | undefined,
  output: Json | undefined,
  cachedElse?: Json,
): void {
  const i = isObject(input) ? input : undefined;
  const o = isObject(output) ? output : undefined;
  const cached = tokenCount(i?.cached_tokens) ?? tokenCount(cachedElse);
  if (cached !== undefined) out.cacheReadTokens = cached;
  const write = tokenCount(i?.cache_write_tokens);
  if (write !== undefined) out.cacheWriteTokens = write;
  const reasoning = tokenCount(o?.reasoning_tokens);
  if (reasoning !== undefined) out.reasoningTokens = reasoning;
}

/** The same details written back: the input side's, then the output side's. */
export function usageDetails(u: Usage): [input: JsonObject, output: JsonObject] {
  const input: JsonObject = { cached_tokens: u.cacheReadTokens ?? 0 };
  if (u.cacheWriteTokens !== undefined) input.cache_write_tokens = u.cacheWriteTokens;
  return [input, { reasoning_tokens: u.reasoningTokens ?? 0 }];
}

/** Chat Completions usage → IR (prompt_tokens already includes cached tokens). */
export function decodeChatUsage(u: JsonObject): Usage {
  const out: Usage = {
    inputTokens: tokenCount(u.prompt_tokens) ?? 0,
    outputTokens: tokenCount(u.completion_tokens) ?? 0,
  };
  // DeepSeek counts its cache hits in prompt_cache_hit_tokens.
  readUsageDetails(out, u.prompt_tokens_details, u.completion_tokens_details, u.prompt_cache_hit_tokens);
  const rest = leftovers(u, KNOWN);
  if (rest) out.extras = { dialect: "openai-chat", fields: rest };
  return out;
}

export function encodeChatUsage(u: Usage): JsonObject {
  const [prompt, completion] = usageDetails(u);
  const out: JsonObject = {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.inputTokens + u.outputTokens,
    prompt_tokens_details: prompt,
    completion_tokens_details: completion,
  };
  if (u.extras?.dialect === "openai-chat") Object.assign(out, u.extras.fields);
  return out;
}
