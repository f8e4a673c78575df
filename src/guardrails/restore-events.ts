import type { AssistantPart, StreamEvent } from "../ir/types.js";
import { type Mapping, StreamUnmask, unmask } from "./placeholder.js";

/** The mapping with each value as it reads inside a JSON string (a tool call's arguments are JSON text). */
export function jsonMapping(mapping: Mapping): Mapping {
  return new Map([...mapping].map(([p, v]) => [p, JSON.stringify(v).slice(1, -1)]));
}

function restoredPart(part: AssistantPart, text: Mapping, json: Mapping): AssistantPart {
  if (part.type === "text" || part.type === "refusal") return { ...part, text: unmask(part.text, text) };
  if (part.type === "tool_call")
    return { ...part, arguments: unmask(part.arguments, part.kind === "function" ? json : text) };
  return part;
}

/**
 * Puts the real values back into an answer's events where the model used their placeholders: text, refusals
 * and tool-call arguments, delta by delta (held back only while a placeholder may be arriving) and in each
 * block's final part. Reasoning is left as the model wrote it (its signature covers it).
 */
export class EventUnmask {
  private readonly json: Mapping;
  private readonly open = new Map<number, StreamUnmask>();

  constructor(private readonly mapping: Mapping) {
    this.json = jsonMapping(mapping);
  }

  rewrite(e: StreamEvent, out: (e: StreamEvent) => void): void {
    switch (e.type) {
      case "block_start": {
        const b = e.block;
        if (b.type === "text" || b.type === "refusal") this.open.set(e.index, new StreamUnmask(this.mapping));
        else if (b.type === "tool_call")
          this.open.set(e.index, new StreamUnmask(b.kind === "function" ? this.json : this.mapping));
        out(e);
        return;
      }
      case "delta": {
        const u = e.kind === "reasoning" ? undefined : this.open.get(e.index);
        if (!u) {
          out(e);
          return;
        }
        const text = u.push(e.text);
        if (text.length > 0) out({ ...e, text });
        return;
      }
      case "block_stop": {
        const u = this.open.get(e.index);
        if (u) {
          this.open.delete(e.index);
          const rest = u.flush();
          const kind = e.part.type === "tool_call" ? "arguments" : e.part.type === "refusal" ? "refusal" : "text";
          if (rest.length > 0) out({ type: "delta", index: e.index, kind, text: rest });
        }
        out({ ...e, part: restoredPart(e.part, this.mapping, this.json) });
        return;
      }
      default:
        out(e);
    }
  }
}
