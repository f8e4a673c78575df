/**
 * A logged request's conversation as the model saw it, and the answer the client got, decoded from the kept
 * bodies with llmux's own dialect codecs. Pure: the admin API (`conversation`, `answer`) and the terminal
 * view (`llmux logs`, `logging.conversations`) both read these shapes.
 */
import { isResponsesShaped } from "../clients/detect.js";
import type { AssistantPart, Dialect, Message as IrMessage, Json, Part, StreamEvent, Tool } from "../ir/types.js";
import { DIALECTS } from "../ir/types.js";
import { parseSseText } from "../sse/parser.js";
import { codecs } from "../translate/codecs.js";

export type ConversationPart =
  | { type: "text"; text: string }
  | { type: "image"; media_type: string | null; url: string | null }
  | { type: "tool_call"; id: string; name: string; arguments: string }
  | { type: "tool_result"; tool_call_id: string; content: string; is_error: boolean }
  | { type: "reasoning"; text: string; redacted: boolean };

export interface ConversationMessage {
  role: "user" | "assistant" | "tool" | "developer" | "system";
  parts: ConversationPart[];
}

export interface Conversation {
  system: string | null;
  tools: { name: string; description: string | null }[];
  messages: ConversationMessage[];
}

const THINK = /<think>([\s\S]*?)(<\/think>|$)\s*/g;

/** Text a client was shown reasoning in (`<think>…</think>`, Cursor): reasoning parts again, then the text. */
function splitThink(text: string): ConversationPart[] {
  if (!text.includes("<think>")) return [{ type: "text", text }];
  const out: ConversationPart[] = [];
  let rest = text;
  for (const m of text.matchAll(THINK)) {
    const thought = m[1]!.trim();
    if (thought) out.push({ type: "reasoning", text: thought, redacted: false });
    rest = rest.replace(m[0], "");
  }
  if (rest.trim()) out.push({ type: "text", text: rest });
  return out;
}

function rawLabel(value: Record<string, Json>): string {
  const type = typeof value.type === "string" ? value.type : "item";
  const json = JSON.stringify(value);
  return `[${type}] ${json.length > 400 ? `${json.slice(0, 400)}…` : json}`;
}

function partsOf(p: Part | AssistantPart, role: ConversationMessage["role"]): ConversationPart[] {
  switch (p.type) {
    case "text":
      return role === "assistant" ? splitThink(p.text) : [{ type: "text", text: p.text }];
    case "refusal":
      return [{ type: "text", text: p.text }];
    case "image": {
      const s = p.source;
      if (s.kind === "url") return [{ type: "image", media_type: null, url: s.url }];
      if (s.kind === "base64")
        return [{ type: "image", media_type: s.mediaType, url: `data:${s.mediaType};base64,${s.data}` }];
      return [{ type: "image", media_type: s.kind === "text" ? s.mediaType : null, url: null }];
    }
    case "file":
      return [{ type: "text", text: `[file${p.filename ? ` ${p.filename}` : ""}]` }];
    case "audio":
      return [{ type: "text", text: `[audio ${p.format}]` }];
    case "reasoning": {
      const text = p.text || (p.summary ?? []).join("\n\n");
      return [{ type: "reasoning", text, redacted: p.redacted !== undefined || (!text && p.encrypted !== undefined) }];
    }
    case "tool_call":
      return [
        {
          type: "tool_call",
          id: p.id,
          name: p.namespace ? `${p.namespace}.${p.name}` : p.name,
          arguments: p.arguments,
        },
      ];
    case "tool_result":
      return [
        {
          type: "tool_result",
          tool_call_id: p.callId,
          content: p.content
            .map((c) => (c.type === "text" ? c.text : c.type === "image" ? "[image]" : "[file]"))
            .join("\n"),
          is_error: p.isError === true,
        },
      ];
    case "raw":
      return [{ type: "text", text: rawLabel(p.value) }];
  }
}

function messageOf(m: IrMessage): ConversationMessage {
  return { role: m.role, parts: m.content.flatMap((p) => partsOf(p, m.role)) };
}

function toolOf(t: Tool): { name: string; description: string | null } {
  if (t.kind === "raw") {
    const v = t.value;
    const name = typeof v.name === "string" ? v.name : typeof v.type === "string" ? v.type : "tool";
    return { name, description: typeof v.description === "string" ? v.description : null };
  }
  return { name: t.namespace ? `${t.namespace}.${t.name}` : t.name, description: t.description ?? null };
}

const isDialect = (d: string | null | undefined): d is Dialect => DIALECTS.includes(d as Dialect);

/** The client's request (as it came, redacted) as a conversation; null when it cannot be read (cut, not JSON). */
export function conversationOf(dialect: string | null | undefined, clientRequest: string | null): Conversation | null {
  if (!clientRequest || !isDialect(dialect)) return null;
  let body: Json;
  try {
    body = JSON.parse(clientRequest) as Json;
  } catch {
    return null;
  }
  // A Responses-shaped body on the Chat route (Cursor) is read as Responses, as the gateway does.
  const d: Dialect = dialect === "openai-chat" && isResponsesShaped(body) ? "openai-responses" : dialect;
  let req: ReturnType<(typeof codecs)[Dialect]["decodeRequest"]>;
  try {
    req = codecs[d].decodeRequest(body);
  } catch {
    return null;
  }
  const system = [
    ...(req.instructions ?? []).map((t) => t.text),
    ...req.messages
      .filter((m) => m.role === "system")
      .flatMap((m) => m.content.map((p) => (p.type === "text" ? p.text : ""))),
  ].filter((t) => t.length > 0);
  return {
    system: system.length > 0 ? system.join("\n\n") : null,
    tools: (req.tools ?? []).map(toolOf),
    messages: req.messages.filter((m) => m.role !== "system").map(messageOf),
  };
}

/** Parts of a stream as they were when it ended: complete blocks, and what an unfinished one had so far. */
class PartsCollector {
  readonly parts: AssistantPart[] = [];
  private open = new Map<number, { head: StreamEvent & { type: "block_start" }; text: string }>();

  handle = (e: StreamEvent): void => {
    if (e.type === "block_start") this.open.set(e.index, { head: e, text: "" });
    else if (e.type === "delta") {
      const o = this.open.get(e.index);
      if (o) o.text += e.text;
    } else if (e.type === "block_stop") {
      this.open.delete(e.index);
      this.parts.push(e.part);
    }
  };

  /** Blocks the stream left open (a client that went away, a stream cut short). */
  finish(): AssistantPart[] {
    for (const { head, text } of this.open.values()) {
      const b = head.block;
      if (b.type === "text" || b.type === "refusal") this.parts.push({ type: b.type, text } as AssistantPart);
      else if (b.type === "reasoning") this.parts.push({ type: "reasoning", text });
      else if (b.type === "tool_call")
        this.parts.push({ type: "tool_call", id: b.id, name: b.name, arguments: text, kind: b.kind });
    }
    this.open.clear();
    return this.parts;
  }
}

/**
 * The answer the client got (its assistant parts), read from the client response in the client's dialect:
 * a JSON body or an event stream (complete or cut short). Null for an error answer or an unreadable one.
 */
export function answerOf(
  dialect: string | null | undefined,
  clientResponse: string | null,
): ConversationMessage | null {
  if (!clientResponse || !isDialect(dialect)) return null;
  const codec = codecs[dialect];
  let parts: AssistantPart[];
  const text = clientResponse.trimStart();
  try {
    if (text.startsWith("{") || text.startsWith("[")) {
      const body = JSON.parse(text) as Json;
      if (body && typeof body === "object" && !Array.isArray(body) && "error" in body) return null;
      // Gemini's non-streamed answer may come as a JSON array of chunks.
      parts = codec.decodeResponse(Array.isArray(body) ? (body[0] ?? {}) : body).content;
    } else {
      const collector = new PartsCollector();
      const decoder = codec.createDecoder();
      for (const e of parseSseText(clientResponse)) decoder.event(e, collector.handle);
      decoder.end(collector.handle);
      parts = collector.finish();
    }
  } catch {
    return null;
  }
  const out = parts.flatMap((p) => partsOf(p, "assistant"));
  return out.length > 0 ? { role: "assistant", parts: out } : null;
}
