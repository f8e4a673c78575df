import { isObject } from "../../ir/input-error.js";
import type { Json, JsonObject, Usage } from "../../ir/types.js";
import { tokenCount } from "../../ir/usage.js";

/**
 * Gemini usageMetadata → IR. `promptTokenCount` already counts cached tokens (`cachedContentTokenCount`);
 * `candidatesTokenCount` leaves out the thinking (`thoughtsTokenCount`), which the IR counts in output.
 * Streams repeat the metadata cumulatively: the last one wins.
 */
export function decodeGeminiUsage(u: Json | undefined): Usage | undefined {
  if (!isObject(u)) return undefined;
  const prompt = tokenCount(u.promptTokenCount);
  const candidates = tokenCount(u.candidatesTokenCount);
  const thoughts = tokenCount(u.thoughtsTokenCount);
  if (prompt === undefined && candidates === undefined && thoughts === undefined) return undefined;
  const usage: Usage = {
    inputTokens: (prompt ?? 0) + (tokenCount(u.toolUsePromptTokenCount) ?? 0),
    outputTokens: (candidates ?? 0) + (thoughts ?? 0),
  };
  const cached = tokenCount(u.cachedContentTokenCount);
  if (cached !== undefined) usage.cacheReadTokens = cached;
  if (thoughts !== undefined) usage.reasoningTokens = thoughts;
  return usage;
}

export function encodeGeminiUsage(u: Usage | undefined): JsonObject {
  if (!u) return { promptTokenCount: 0, candidatesTokenCount: 0, totalTokenCount: 0 };
  // Some upstreams (xAI) count reasoning outside their output figure: never report more thinking than output.
  const reasoning = Math.min(u.reasoningTokens ?? 0, u.outputTokens);
  const out: JsonObject = {
    promptTokenCount: u.inputTokens,
    candidatesTokenCount: Math.max(0, u.outputTokens - reasoning),
    totalTokenCount: u.inputTokens + u.outputTokens,
  };
  if (u.cacheReadTokens) out.cachedContentTokenCount = u.cacheReadTokens;
  if (reasoning > 0) out.thoughtsTokenCount = reasoning;
  return out;
}
