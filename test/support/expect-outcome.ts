import type { AssistantPart, Dialect, ErrorInfo, Response, StopReason } from "../../src/ir/types.js";
import { parseSseText } from "../../src/sse/parser.js";
import type { Outcome } from "./sdk.js";

export function normalStop(reason: StopReason): string {
  switch (reason) {
    case "tool_use":
      return "tool_calls";
    case "max_tokens":
    case "context_window_exceeded":
      return "length";
    case "content_filter":
    case "refusal":
      return "content_filter";
    default:
      return "stop";
  }
}

function parseArgs(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** A Gemini client gets an args object: `{input}` for a free-form tool, `{_raw}` for arguments that are not JSON. */
function geminiArgs(p: Extract<AssistantPart, { type: "tool_call" }>): unknown {
  if (p.kind === "custom") return { input: p.arguments };
  if (!p.arguments.trim()) return {};
  const v = parseArgs(p.arguments);
  if (typeof v === "string") return { _raw: v };
  return v && typeof v === "object" && !Array.isArray(v) ? v : { value: v };
}

/** What a client should end up with, computed from the IR of the upstream response alone. */
export function expectedOutcome(
  res: Response,
  client: Dialect,
): Omit<Outcome, "usage" | "reasoning"> & { reasoning: string } {
  const parts = res.content;
  const text = parts
    .filter((p): p is Extract<AssistantPart, { type: "text" }> => p.type === "text")
    .map((p) => p.text)
    .join("");
  const reasoningParts = parts.filter(
    (p): p is Extract<AssistantPart, { type: "reasoning" }> => p.type === "reasoning",
  );
  const reasoning =
    client === "openai-responses"
      ? reasoningParts.map((p) => (p.summary ? p.summary.join("") : p.text)).join("")
      : reasoningParts.map((p) => p.text).join("");
  const toolCalls = parts
    .filter((p): p is Extract<AssistantPart, { type: "tool_call" }> => p.type === "tool_call")
    .map((p) => ({
      id: p.id,
      name: p.name,
      arguments:
        client === "gemini"
          ? geminiArgs(p)
          : client === "anthropic"
            ? p.kind === "custom"
              ? { input: p.arguments }
              : parseArgs(p.arguments || "{}")
            : p.kind === "custom"
              ? p.arguments
              : parseArgs(p.arguments),
    }));
  return { text, reasoning, toolCalls, stop: normalStop(res.stopReason) };
}

/** Reasoning text of a Chat stream, summed from its deltas (the SDK keeps only the last reasoning_content). */
export function chatStreamReasoning(sse: string): string {
  let out = "";
  for (const ev of parseSseText(sse)) {
    if (ev.data === "[DONE]") continue;
    const chunk = JSON.parse(ev.data) as { choices?: { delta?: { reasoning_content?: string } }[] };
    out += chunk.choices?.[0]?.delta?.reasoning_content ?? "";
  }
  return out;
}

export function isError(v: Response | ErrorInfo): v is ErrorInfo {
  return "kind" in v;
}
