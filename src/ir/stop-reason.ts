import type { StopReason } from "./types.js";

export type ChatFinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call";

const TO_CHAT: Record<StopReason, ChatFinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  tool_use: "tool_calls",
  content_filter: "content_filter",
  refusal: "content_filter",
  pause_turn: "stop",
  context_window_exceeded: "length",
};

export function stopToChat(reason: StopReason): ChatFinishReason {
  return TO_CHAT[reason];
}

export function stopFromChat(reason: string | null | undefined, hadToolCalls: boolean): StopReason {
  // Some providers say "stop" after tool calls: the calls decide.
  if (hadToolCalls && (reason === "stop" || reason === "tool_calls" || reason === "function_call" || !reason)) {
    return "tool_use";
  }
  switch (reason) {
    case "length":
      return "max_tokens";
    case "tool_calls":
    case "function_call":
      return "tool_use";
    case "content_filter":
      return "content_filter";
    default:
      return "end_turn";
  }
}

const ANTHROPIC_REASONS = new Set<string>([
  "end_turn",
  "max_tokens",
  "stop_sequence",
  "tool_use",
  "pause_turn",
  "refusal",
  "model_context_window_exceeded",
]);

export function stopFromAnthropic(reason: string | null | undefined): StopReason {
  if (!reason || !ANTHROPIC_REASONS.has(reason)) return "end_turn";
  return reason === "model_context_window_exceeded" ? "context_window_exceeded" : (reason as StopReason);
}

export function stopToAnthropic(reason: StopReason): string {
  switch (reason) {
    case "content_filter":
      return "refusal";
    case "context_window_exceeded":
      return "model_context_window_exceeded";
    default:
      return reason;
  }
}

/** Responses status + incomplete reason for a stop reason. */
export function stopToResponses(reason: StopReason): {
  status: "completed" | "incomplete";
  incompleteReason?: "max_output_tokens" | "content_filter";
} {
  switch (reason) {
    case "max_tokens":
    case "context_window_exceeded":
      return { status: "incomplete", incompleteReason: "max_output_tokens" };
    case "content_filter":
    case "refusal":
      return { status: "incomplete", incompleteReason: "content_filter" };
    default:
      return { status: "completed" };
  }
}

export function stopFromResponses(
  status: string | undefined,
  incompleteReason: string | undefined,
  hadToolCalls: boolean,
): StopReason {
  if (status === "incomplete") return incompleteReason === "content_filter" ? "content_filter" : "max_tokens";
  return hadToolCalls ? "tool_use" : "end_turn";
}
