import type { Json, Message, Part, Request } from "../ir/types.js";

/** A piece of text that leaves llmux for an upstream, and where it is, in words a person reads. */
export interface Block {
  readonly text: string;
  readonly location: string;
}

function jsonStrings(v: Json | undefined, out: string[]): void {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) for (const x of v) jsonStrings(x, out);
  else if (v !== null && typeof v === "object") for (const x of Object.values(v)) jsonStrings(x, out);
}

function roleWords(m: Message, n: number): string {
  if (m.role === "system" || m.role === "developer") return `system message ${n}`;
  return m.role === "assistant" ? `message ${n} (assistant)` : `message ${n}`;
}

/**
 * The texts of a request that are scanned, each with its place: the system prompt, message text, tool results
 * (named by the tool that made them), tool-call arguments in the history, documents sent as text, and what a
 * dialect-only part carries. Reasoning and its opaque state are the model's own and go back only where they were
 * made; images and files sent as data are not text.
 */
export function requestBlocks(ir: Request): Block[] {
  const blocks: Block[] = [];
  for (const p of ir.instructions ?? []) blocks.push({ text: p.text, location: "system prompt" });
  const toolNames = new Map<string, string>();
  ir.messages.forEach((m, i) => {
    const n = i + 1;
    const where = roleWords(m, n);
    for (const part of m.content) partBlocks(part, n, where, toolNames, blocks);
  });
  return blocks.filter((b) => b.text.length > 0);
}

function partBlocks(part: Part, n: number, where: string, toolNames: Map<string, string>, out: Block[]): void {
  switch (part.type) {
    case "text":
    case "refusal":
      out.push({ text: part.text, location: where });
      return;
    case "tool_call":
      toolNames.set(part.id, part.name);
      out.push({ text: part.arguments, location: `arguments of tool call ${part.name} (message ${n})` });
      return;
    case "tool_result": {
      const name = toolNames.get(part.callId);
      const location = name ? `tool result of ${name} (message ${n})` : `tool result (message ${n})`;
      for (const c of part.content) {
        if (c.type === "text") out.push({ text: c.text, location });
        else if (c.source.kind === "text") out.push({ text: c.source.data, location: `document in ${location}` });
      }
      return;
    }
    case "file":
    case "image":
      if (part.source.kind === "text") out.push({ text: part.source.data, location: `document in ${where}` });
      return;
    case "raw": {
      const strings: string[] = [];
      jsonStrings(part.value, strings);
      for (const s of strings) out.push({ text: s, location: where });
      return;
    }
    default:
      return;
  }
}
