/**
 * A request as the Cursor helper takes it. The SDK holds each conversation itself, so what llmux sends
 * depends on what the helper already has: the results of the tool calls a run waits for (resume), the
 * messages added since the last answer (continue), or the whole history as one message (a fresh start).
 * All three are prepared here; the provider tries them in that order.
 */
import { InputError } from "../ir/input-error.js";
import type { ImagePart, Message, Part, Request, ToolResultPart } from "../ir/types.js";
import { fingerprint } from "./conversations.js";
import type { ImageIn, ToolResultIn, ToolSpec } from "./protocol.js";

/** The largest image Cursor accepts, in bytes (decoded). */
export const MAX_IMAGE_BYTES = 1024 * 1024;
const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

export interface Turn {
  tools: ToolSpec[];
  /** Results of tool calls: the trailing messages answer a run that waits for them. */
  results?: ToolResultIn[];
  /** The fingerprint of the history up to the last answer, and what came after it. */
  followUp?: { prefix: string; text: string; images: ImageIn[] };
  /** The whole conversation as the first message of a new one. */
  fresh: { text: string; images: ImageIn[]; systemPrompt?: string };
  /** The fingerprint of this request's messages, remembered once answered. */
  whole: string;
}

function imageOf(p: ImagePart, path: string): ImageIn {
  if (p.source.kind !== "base64")
    throw new InputError(path, `${path}: the cursor provider takes images inline (base64), not by ${p.source.kind}`);
  const mediaType = p.source.mediaType.toLowerCase();
  if (!IMAGE_TYPES.has(mediaType))
    throw new InputError(path, `${path}: ${mediaType} images are not supported (PNG, JPEG, GIF, WebP)`);
  const bytes = Buffer.byteLength(p.source.data, "base64");
  if (bytes > MAX_IMAGE_BYTES)
    throw new InputError(
      path,
      `${path}: the image is ${(bytes / 1048576).toFixed(2)} MB; Cursor takes images of at most 1 MB each`,
    );
  return { data: p.source.data, mimeType: mediaType };
}

const textOf = (parts: Part[]) =>
  parts
    .map((p) => (p.type === "text" ? p.text : p.type === "image" ? "[image]" : p.type === "file" ? "[file]" : ""))
    .filter((s) => s.length > 0)
    .join("\n");

function resultIn(r: ToolResultPart, path: string): ToolResultIn {
  const content: ToolResultIn["content"] = [];
  r.content.forEach((c, i) => {
    if (c.type === "text") content.push({ type: "text", text: c.text });
    else if (c.type === "image") content.push({ type: "image", ...imageOf(c, `${path}.content[${i}]`) });
    else content.push({ type: "text", text: `[file${c.filename ? ` ${c.filename}` : ""}]` });
  });
  return { callId: r.callId, content, ...(r.isError ? { isError: true } : {}) };
}

/** One message of the history, as transcript lines. */
function transcriptLines(m: Message): string[] {
  const out: string[] = [];
  if (m.role === "user") out.push(`User: ${textOf(m.content)}`);
  else if (m.role === "assistant") {
    const text = textOf(m.content);
    if (text) out.push(`Assistant: ${text}`);
    for (const p of m.content)
      if (p.type === "tool_call") out.push(`Assistant called the tool ${p.name} (call ${p.id}) with: ${p.arguments}`);
  } else if (m.role === "tool")
    for (const p of m.content)
      if (p.type === "tool_result")
        out.push(`Result of call ${p.callId}${p.isError ? " (an error)" : ""}: ${textOf(p.content)}`);
  return out;
}

function imagesOf(messages: Message[], base: number): ImageIn[] {
  const out: ImageIn[] = [];
  messages.forEach((m, i) => {
    if (m.role !== "user") return;
    m.content.forEach((p, j) => {
      if (p.type === "image") out.push(imageOf(p, `messages[${base + i}].content[${j}]`));
    });
  });
  return out;
}

/** `scope` ties the conversation to one caller's key and one client session. */
export function planTurn(req: Request, scope: string, systemMode: "prepend" | "replace"): Turn {
  const system = [
    ...(req.instructions ?? []).map((p) => p.text),
    ...req.messages.filter((m) => m.role === "system" || m.role === "developer").map((m) => textOf(m.content)),
  ]
    .filter((s) => s.length > 0)
    .join("\n\n");
  const messages = req.messages.filter((m) => m.role !== "system" && m.role !== "developer");
  const offset = (m: Message) => req.messages.indexOf(m);
  const lastAnswer = messages.map((m) => m.role).lastIndexOf("assistant");
  const trailing = messages.slice(lastAnswer + 1);
  const tools: ToolSpec[] = (req.tools ?? []).flatMap((t) =>
    t.kind === "function"
      ? [
          {
            name: t.name,
            ...(t.description ? { description: t.description } : {}),
            ...(t.parameters && typeof t.parameters === "object"
              ? { inputSchema: t.parameters as Record<string, unknown> }
              : {}),
          },
        ]
      : [],
  );
  const turn: Turn = { tools, fresh: { text: "", images: [] }, whole: fingerprint(scope, req, messages) };

  const results = trailing.filter((m) => m.role === "tool");
  if (results.length > 0 && lastAnswer >= 0) {
    turn.results = results.flatMap((m) =>
      m.content.flatMap((p, j) =>
        p.type === "tool_result" ? [resultIn(p, `messages[${offset(m)}].content[${j}]`)] : [],
      ),
    );
    const said = textOf(trailing.filter((m) => m.role === "user").flatMap((m) => m.content));
    const last = turn.results.at(-1);
    if (said && last) last.content.push({ type: "text", text: `\n\nThe user adds: ${said}` });
  } else if (lastAnswer >= 0) {
    turn.followUp = {
      prefix: fingerprint(scope, req, messages.slice(0, lastAnswer + 1)),
      text: textOf(trailing.flatMap((m) => m.content)),
      images: trailing.flatMap((m) => imagesOf([m], offset(m))),
    };
  }

  // The fresh start: earlier turns as a transcript, the last user turn (or tool results) as the message.
  const history = messages.slice(0, lastAnswer + 1).flatMap(transcriptLines);
  const now = trailing.every((m) => m.role === "user")
    ? textOf(trailing.flatMap((m) => m.content))
    : trailing.flatMap(transcriptLines).join("\n\n");
  let text =
    history.length > 0 ? `<conversation_so_far>\n${history.join("\n\n")}\n</conversation_so_far>\n\n${now}` : now;
  if (system && systemMode === "prepend") text = `<system_instructions>\n${system}\n</system_instructions>\n\n${text}`;
  turn.fresh = {
    text,
    images: messages.flatMap((m) => imagesOf([m], offset(m))),
    ...(system && systemMode === "replace" ? { systemPrompt: system } : {}),
  };
  return turn;
}
