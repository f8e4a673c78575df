import { isObject } from "../../ir/input-error.js";
import type { AssistantPart, Json, JsonObject, ReasoningPart, ToolCallPart } from "../../ir/types.js";
import type { ReasoningWrapper } from "../types.js";
import { D } from "./parts.js";

/** The args object of a function call (arguments that are not a JSON object travel as {"_raw": text}). */
export function callArgs(p: ToolCallPart): JsonObject {
  if (p.kind === "custom") return { input: p.arguments };
  if (!p.arguments.trim()) return {};
  try {
    const v = JSON.parse(p.arguments) as Json;
    return isObject(v) ? v : { value: v };
  } catch {
    return { _raw: p.arguments };
  }
}

export function functionCallPart(p: ToolCallPart): JsonObject {
  return { functionCall: { id: p.id, name: p.name, args: callArgs(p) } };
}

/**
 * The thought signature a Gemini client will echo for a reasoning part: Gemini's own, or the part sealed
 * by llmux (reasoning from another provider), undefined when there is nothing to carry.
 */
export function signatureOf(p: ReasoningPart, wrap: ReasoningWrapper | undefined): string | undefined {
  return p.thoughtSignature ?? wrap?.(p, D);
}

/**
 * Assistant parts → the parts of a Gemini model Content, as Gemini itself writes them: thought summaries
 * as `thought: true` text, a signature on the part that follows the thinking (the function call), text,
 * function calls with their args object.
 */
export function outputParts(content: readonly AssistantPart[], wrap: ReasoningWrapper | undefined): JsonObject[] {
  const out: JsonObject[] = [];
  let pending: string | undefined;
  const put = (part: JsonObject) => {
    if (pending !== undefined) part.thoughtSignature = pending;
    pending = undefined;
    out.push(part);
  };
  for (const p of content) {
    switch (p.type) {
      case "reasoning": {
        if (p.text) out.push({ text: p.text, thought: true });
        const sig = signatureOf(p, wrap);
        if (sig === undefined) break;
        if (p.text && p.thoughtSignature !== undefined) out[out.length - 1]!.thoughtSignature = sig;
        else pending = sig;
        break;
      }
      case "text":
      case "refusal":
        if (p.text) put({ text: p.text });
        break;
      case "tool_call":
        put(functionCallPart(p));
        break;
      case "raw":
        if (p.dialect === D) put({ ...p.value });
        break;
    }
  }
  if (pending !== undefined) out.push({ text: "", thoughtSignature: pending });
  return out;
}
