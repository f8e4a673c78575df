import { isObject } from "../../ir/input-error.js";
import type { Json, JsonObject, Usage } from "../../ir/types.js";
import { tokenCount } from "../../ir/usage.js";

/** A reported token count, clamped to a finite non-negative integer (absent when not a number). */
function num(v: Json | undefined): number | undefined {
  return tokenCount(v);
}

/**
 * Gemini usageMetadata → IR. `promptTokenCount` already counts cached tokens (`cachedContentTokenCount`);
 * `candidatesTokenCount` leaves out the thinking (`thoughtsTokenCount`), which the IR counts in output.
 * Streams repeat the metadata cumulatively: the last one wins.
 */
export function decodeGeminiUsage(u: Json | undefined): Usage | undefined {
  if (!isObject(u)) return undefined;
  const prompt = num(u.promptTokenCount);
  const candidates = num(u.candidatesTokenCount);
  const thoughts = num(u.thoughtsTokenCount);
  if (prompt === undefined && candidates === undefined && thoughts === undefined) return undefined;
  const usage: Usage = {
    inputTokens: (prompt ?? 0) + (num(u.toolUsePromptTokenCount) ?? 0),
    outputTokens: (candidates ?? 0) + (thoughts ?? 0),
  };
  const cached = num(u.cachedContentTokenCount);
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
