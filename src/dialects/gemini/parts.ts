import { describe, expectObject, InputError, isObject, leftovers } from "../../ir/input-error.js";
import type { Json, JsonObject, MediaSource, Part, ToolResultContent } from "../../ir/types.js";

export const D = "gemini" as const;

/**
 * A field by its REST (lowerCamel) name or its proto (snake_case) name: Gemini accepts both, and clients
 * use both (`systemInstruction` from the SDKs, `system_instruction` in Google's curl examples).
 */
export function field(obj: JsonObject, camel: string): Json | undefined {
  const v = obj[camel];
  if (v !== undefined) return v;
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return snake === camel ? undefined : obj[snake];
}

/** Both spellings of the keys a decoder maps, for `leftovers`. */
export function knownKeys(camel: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const k of camel) {
    out.add(k);
    out.add(k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
  }
  return out;
}

const PART_KEYS = knownKeys([
  "text",
  "thought",
  "thoughtSignature",
  "inlineData",
  "fileData",
  "functionCall",
  "functionResponse",
]);

function media(part: JsonObject, path: string): { source: MediaSource; isImage: boolean } | undefined {
  const inline = field(part, "inlineData");
  if (isObject(inline)) {
    const mediaType = String(field(inline, "mimeType") ?? "application/octet-stream");
    const data = inline.data;
    if (typeof data !== "string")
      throw new InputError(`${path}.inlineData.data`, `${path}.inlineData.data must be a string`);
    return { source: { kind: "base64", mediaType, data }, isImage: mediaType.startsWith("image/") };
  }
  const file = field(part, "fileData");
  if (isObject(file)) {
    const uri = field(file, "fileUri");
    if (typeof uri !== "string")
      throw new InputError(`${path}.fileData.fileUri`, `${path}.fileData.fileUri must be a string`);
    const mediaType = String(field(file, "mimeType") ?? "");
    return { source: { kind: "url", url: uri }, isImage: mediaType.startsWith("image/") };
  }
  return undefined;
}

/** The text of a functionResponse.response: `output`/`result`/`content` when it is a string, else the JSON. */
export function responseText(response: Json | undefined): string {
  if (typeof response === "string") return response;
  if (isObject(response)) {
    const keys = Object.keys(response);
    if (keys.length === 1) {
      const v = response[keys[0]!];
      if (typeof v === "string" && ["output", "result", "content", "error"].includes(keys[0]!)) return v;
    }
  }
  return JSON.stringify(response ?? {});
}

/** The function name of each decoded result (by its content list): it pairs a result with its call when ids are absent. */
export const names = new WeakMap<object, string>();

/** One user-side or model-side part of a Gemini request → IR parts (a signed part adds reasoning). */
export function decodePart(value: Json, path: string, role: "user" | "model"): Part[] {
  const part = expectObject(value, path);
  const signature = field(part, "thoughtSignature");
  const sig = typeof signature === "string" && signature.length > 0 ? signature : undefined;
  const rest = leftovers(part, PART_KEYS);
  const text = part.text;
  if (typeof text === "string") {
    if (field(part, "thought") === true) {
      const r: Part = { type: "reasoning", text };
      if (sig) r.thoughtSignature = sig;
      return [r];
    }
    const out: Part[] = [{ type: "text", text, ...(rest ? { extras: { dialect: D, fields: rest } } : {}) }];
    // A signature on a text part belongs after it (see the stream decoder).
    if (sig && role === "model") out.push({ type: "reasoning", text: "", thoughtSignature: sig });
    return out;
  }
  const call = field(part, "functionCall");
  if (isObject(call)) {
    if (typeof call.name !== "string")
      throw new InputError(`${path}.functionCall.name`, `${path}.functionCall.name must be a string`);
    const out: Part[] = [];
    if (sig) out.push({ type: "reasoning", text: "", thoughtSignature: sig });
    out.push({
      type: "tool_call",
      id: typeof call.id === "string" ? call.id : "",
      name: call.name,
      arguments: JSON.stringify(call.args ?? {}),
      kind: "function",
    });
    return out;
  }
  const response = field(part, "functionResponse");
  if (isObject(response)) {
    if (typeof response.name !== "string")
      throw new InputError(`${path}.functionResponse.name`, `${path}.functionResponse.name must be a string`);
    const body = response.response;
    const isError = isObject(body) && Object.keys(body).length === 1 && body.error !== undefined;
    const content: ToolResultContent[] = [{ type: "text", text: responseText(body) }];
    for (const [i, p] of (Array.isArray(response.parts) ? response.parts : []).entries()) {
      const m = isObject(p) ? media(p, `${path}.functionResponse.parts[${i}]`) : undefined;
      if (m) content.push(m.isImage ? { type: "image", source: m.source } : { type: "file", source: m.source });
    }
    names.set(content, response.name);
    return [
      {
        type: "tool_result",
        callId: typeof response.id === "string" ? response.id : "",
        content,
        ...(isError ? { isError: true } : {}),
      },
    ];
  }
  const m = media(part, path);
  if (m) return [m.isImage ? { type: "image", source: m.source } : { type: "file", source: m.source }];
  if (Object.keys(part).length === 0) return [];
  if (sig && Object.keys(part).length === 1)
    return role === "model" ? [{ type: "reasoning", text: "", thoughtSignature: sig }] : [];
  // executableCode, codeExecutionResult, videoMetadata…: Gemini's own.
  if (Object.keys(part).some((k) => !PART_KEYS.has(k))) return [{ type: "raw", dialect: D, value: part }];
  throw new InputError(
    path,
    `${path} must hold text, inlineData, fileData, functionCall or functionResponse, got ${describe(value)}`,
  );
}
