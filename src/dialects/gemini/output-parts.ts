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
  const out = new SignedParts();
  for (const p of content) {
    switch (p.type) {
      case "reasoning": {
        if (p.text) out.parts.push({ text: p.text, thought: true });
        const sig = signatureOf(p, wrap);
        if (sig === undefined) break;
        if (p.text && p.thoughtSignature !== undefined) out.parts[out.parts.length - 1]!.thoughtSignature = sig;
        else out.hold(sig);
        break;
      }
      case "text":
      case "refusal":
        if (p.text) out.put({ text: p.text });
        break;
      case "tool_call":
        out.put(functionCallPart(p));
        break;
      case "raw":
        if (p.dialect === D) out.put({ ...p.value });
        break;
    }
  }
  return out.done();
}

/**
 * A model turn's parts in the order they are written: a thought signature held goes on the next part put
 * (the function call that follows the thinking), or, when none follows, on an empty text part at the end.
 */
export class SignedParts {
  readonly parts: JsonObject[] = [];
  private pending: string | undefined;

  hold(signature: string): void {
    this.pending = signature;
  }

  put(part: JsonObject): void {
    if (this.pending !== undefined) part.thoughtSignature = this.pending;
    this.pending = undefined;
    this.parts.push(part);
  }

  done(): JsonObject[] {
    if (this.pending !== undefined) this.parts.push({ text: "", thoughtSignature: this.pending });
    this.pending = undefined;
    return this.parts;
  }
}
