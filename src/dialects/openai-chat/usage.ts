import { isObject, leftovers } from "../../ir/input-error.js";
import type { JsonObject, Usage } from "../../ir/types.js";
import { tokenCount } from "../../ir/usage.js";

const KNOWN = new Set([
  "prompt_tokens",
  "completion_tokens",
  "total_tokens",
  "prompt_tokens_details",
  "completion_tokens_details",
]);

/** Chat Completions usage → IR (prompt_tokens already includes cached tokens). */
export function decodeChatUsage(u: JsonObject): Usage {
  const out: Usage = {
    inputTokens: tokenCount(u.prompt_tokens) ?? 0,
    outputTokens: tokenCount(u.completion_tokens) ?? 0,
  };
  const pd = isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : undefined;
  const cd = isObject(u.completion_tokens_details) ? u.completion_tokens_details : undefined;
  const cached = tokenCount(pd?.cached_tokens) ?? tokenCount(u.prompt_cache_hit_tokens);
  if (cached !== undefined) out.cacheReadTokens = cached;
  const write = tokenCount(pd?.cache_write_tokens);
  if (write !== undefined) out.cacheWriteTokens = write;
  const reasoning = tokenCount(cd?.reasoning_tokens);
  if (reasoning !== undefined) out.reasoningTokens = reasoning;
  const rest = leftovers(u, KNOWN);
  if (rest) out.extras = { dialect: "openai-chat", fields: rest };
  return out;
}

export function encodeChatUsage(u: Usage): JsonObject {
  const prompt: JsonObject = { cached_tokens: u.cacheReadTokens ?? 0 };
  if (u.cacheWriteTokens !== undefined) prompt.cache_write_tokens = u.cacheWriteTokens;
  const out: JsonObject = {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.inputTokens + u.outputTokens,
    prompt_tokens_details: prompt,
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
  };
  if (u.extras?.dialect === "openai-chat") Object.assign(out, u.extras.fields);
  return out;
}
