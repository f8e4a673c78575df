import { isObject } from "../../ir/input-error.js";
import type { Extras, JsonObject, StopReason } from "../../ir/types.js";

/** finishReason values that mean the answer was withheld by a safety or policy filter. */
const FILTERED = new Set([
  "SAFETY",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
  "LANGUAGE",
]);

/** Gemini finishReason (or a prompt blockReason) → IR stop reason; function calls decide a plain STOP. */
export function stopFromGemini(reason: string | undefined, hadToolCalls: boolean): StopReason {
  if (reason === "MAX_TOKENS") return "max_tokens";
  if (reason && FILTERED.has(reason)) return "content_filter";
  return hadToolCalls ? "tool_use" : "end_turn";
}

export function stopToGemini(reason: StopReason): string {
  switch (reason) {
    case "max_tokens":
    case "context_window_exceeded":
      return "MAX_TOKENS";
    case "content_filter":
    case "refusal":
      return "SAFETY";
    default:
      return "STOP";
  }
}

/** The promptFeedback of a blocked prompt, kept by the Gemini decoder for a Gemini client. */
export function blockedPrompt(extras: Extras | undefined): JsonObject | undefined {
  const feedback = extras?.dialect === "gemini" ? extras.fields.promptFeedback : undefined;
  return isObject(feedback) ? feedback : undefined;
}

/** The candidate's groundingMetadata (a search llmux ran for a googleSearch tool: src/pipeline/web-tools-rounds.ts). */
export function groundingOf(extras: Extras | undefined): JsonObject | undefined {
  const grounding = extras?.dialect === "gemini" ? extras.fields.groundingMetadata : undefined;
  return isObject(grounding) ? grounding : undefined;
}
