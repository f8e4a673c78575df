import { sanitizeAnthropicToolId } from "../../ir/ids.js";
import {
  expectArray,
  expectObject,
  expectString,
  InputError,
  isObject,
  leftovers,
  optBoolean,
} from "../../ir/input-error.js";
import { fileIdUsable } from "../../ir/media.js";
import type {
  AssistantPart,
  Extras,
  FilePart,
  ImagePart,
  Json,
  JsonObject,
  MediaSource,
  Part,
  ReasoningPart,
  TextPart,
  ToolCallPart,
  ToolResultContent,
  ToolResultPart,
} from "../../ir/types.js";
import type { Warnings } from "../../ir/warnings.js";

const D = "anthropic" as const;

function extras(obj: JsonObject, known: ReadonlySet<string>): Extras | undefined {
  const fields = leftovers(obj, known);
  return fields ? { dialect: D, fields } : undefined;
}

function withExtras<T extends { extras?: Extras }>(part: T, ex: Extras | undefined): T {
  if (ex) part.extras = ex;
  return part;
}

const TEXT_KEYS = new Set(["type", "text", "cache_control", "citations"]);
const MEDIA_KEYS = new Set(["type", "source", "cache_control"]);
const TOOL_USE_KEYS = new Set(["type", "id", "name", "input"]);
const TOOL_RESULT_KEYS = new Set(["type", "tool_use_id", "content", "is_error", "cache_control"]);
const THINKING_KEYS = new Set(["type", "thinking", "signature"]);

function decodeSource(value: unknown, path: string): MediaSource {
  const src = expectObject(value, path);
  switch (src.type) {
    case "base64":
      return {
        kind: "base64",
        mediaType: expectString(src.media_type, `${path}.media_type`),
        data: expectString(src.data, `${path}.data`),
      };
    case "url":
      return { kind: "url", url: expectString(src.url, `${path}.url`) };
    case "file":
      return { kind: "file_id", fileId: expectString(src.file_id, `${path}.file_id`) };
    case "text":
      return {
        kind: "text",
        mediaType: typeof src.media_type === "string" ? src.media_type : "text/plain",
        data: expectString(src.data, `${path}.data`),
      };
    default:
      throw new InputError(`${path}.type`, `${path}.type must be one of 'base64', 'url', 'file', 'text'`);
  }
}

export function decodeText(block: JsonObject, path: string): TextPart {
  const part: TextPart = { type: "text", text: expectString(block.text, `${path}.text`) };
  if (block.cache_control != null) part.cacheControl = block.cache_control;
  if (Array.isArray(block.citations) && block.citations.length > 0) part.annotations = block.citations;
  return withExtras(part, extras(block, TEXT_KEYS));
}

function decodeResultContent(value: Json | undefined, path: string): ToolResultContent[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return value.length > 0 ? [{ type: "text", text: value }] : [];
  return expectArray(value, path).map((item, i) => {
    const p = `${path}[${i}]`;
    const block = expectObject(item, p);
    if (block.type === "text") return decodeText(block, p);
    if (block.type === "image") return decodeMedia(block, p) as ImagePart;
    if (block.type === "document") return decodeMedia(block, p) as FilePart;
    // search_result / tool_reference blocks: keep them as text-less extras of an empty text part
    return { type: "text", text: "", extras: { dialect: D, fields: { block } } } satisfies TextPart;
  });
}

function decodeMedia(block: JsonObject, path: string): ImagePart | FilePart {
  const source = decodeSource(block.source, `${path}.source`);
  const ex = extras(block, MEDIA_KEYS);
  if (block.type === "image") {
    const part: ImagePart = { type: "image", source };
    if (block.cache_control != null) part.cacheControl = block.cache_control;
    return withExtras(part, ex);
  }
  const part: FilePart = { type: "file", source };
  if (typeof block.title === "string") part.filename = block.title;
  if (block.cache_control != null) part.cacheControl = block.cache_control;
  return withExtras(part, ex);
}

/** Decodes one content block of a request message or a response. */
export function decodeBlock(value: Json, path: string): Part {
  const block = expectObject(value, path);
  const type = expectString(block.type, `${path}.type`);
  switch (type) {
    case "text":
      return decodeText(block, path);
    case "image":
    case "document":
      return decodeMedia(block, path);
    case "tool_use": {
      const input = block.input ?? {};
      const part: ToolCallPart = {
        type: "tool_call",
        id: expectString(block.id, `${path}.id`),
        name: expectString(block.name, `${path}.name`),
        arguments: typeof input === "string" ? input : JSON.stringify(input),
        kind: "function",
      };
      return withExtras(part, extras(block, TOOL_USE_KEYS));
    }
    case "tool_result": {
      const part: ToolResultPart = {
        type: "tool_result",
        callId: expectString(block.tool_use_id, `${path}.tool_use_id`),
        content: decodeResultContent(block.content, `${path}.content`),
      };
      const isError = optBoolean(block.is_error, `${path}.is_error`);
      if (isError) part.isError = true;
      if (block.cache_control != null) part.cacheControl = block.cache_control;
      return withExtras(part, extras(block, TOOL_RESULT_KEYS));
    }
    case "thinking": {
      const part: ReasoningPart = {
        type: "reasoning",
        text: typeof block.thinking === "string" ? block.thinking : "",
      };
      if (typeof block.signature === "string" && block.signature.length > 0) part.signature = block.signature;
      return withExtras(part, extras(block, THINKING_KEYS));
    }
    case "redacted_thinking":
      return { type: "reasoning", text: "", redacted: expectString(block.data, `${path}.data`) };
    default:
      // server_tool_use, *_tool_result, search_result, container_upload, compaction…: Anthropic-only.
      return { type: "raw", dialect: D, value: block };
  }
}

// ---------------------------------------------------------------------------------------------------------
// IR → Anthropic blocks
// ---------------------------------------------------------------------------------------------------------

function own(ex: Extras | undefined): JsonObject | undefined {
  return ex && ex.dialect === D ? ex.fields : undefined;
}

function encodeSource(source: MediaSource): JsonObject {
  switch (source.kind) {
    case "base64":
      return { type: "base64", media_type: source.mediaType, data: source.data };
    case "url":
      return { type: "url", url: source.url };
    case "file_id":
      return { type: "file", file_id: source.fileId };
    case "text":
      return { type: "text", media_type: source.mediaType, data: source.data };
  }
}

const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

export function encodeText(part: TextPart): JsonObject {
  const block: JsonObject = { type: "text", text: part.text };
  if (part.cacheControl != null) block.cache_control = part.cacheControl;
  const ex = own(part.extras);
  if (ex) Object.assign(block, ex);
  if (part.annotations && part.extras?.dialect === D) block.citations = part.annotations;
  return block;
}

export function encodeMedia(
  part: ImagePart | FilePart,
  warnings: Warnings,
  path: string,
  source: string = D,
): JsonObject | undefined {
  if (part.source.kind === "file_id" && !fileIdUsable(source, D)) {
    warnings.add(
      "unsupported_content",
      "a file id from another provider cannot be used by Anthropic; the content was dropped",
      path,
    );
    return undefined;
  }
  if (part.type === "image") {
    if (part.detail && part.detail !== "auto") {
      warnings.add(
        "image_detail_dropped",
        `Anthropic images have no detail setting; '${part.detail}' was dropped`,
        path,
      );
    }
    if (part.source.kind === "base64" && !IMAGE_TYPES.has(part.source.mediaType)) {
      warnings.add(
        "unsupported_media",
        `Anthropic accepts jpeg, png, gif and webp images; ${part.source.mediaType} was dropped`,
        path,
      );
      return undefined;
    }
    const block: JsonObject = { type: "image", source: encodeSource(part.source) };
    if (part.cacheControl != null) block.cache_control = part.cacheControl;
    return Object.assign(block, own(part.extras));
  }
  const block: JsonObject = { type: "document", source: encodeSource(part.source) };
  if (part.filename && !own(part.extras)?.title) block.title = part.filename;
  if (part.cacheControl != null) block.cache_control = part.cacheControl;
  return Object.assign(block, own(part.extras));
}

/** Parses tool arguments for `tool_use.input`; text that is not a JSON object is kept under `_raw`. */
export function argumentsToInput(args: string, warnings: Warnings, path: string): JsonObject {
  if (args.trim() === "") return {};
  try {
    const parsed = JSON.parse(args) as Json;
    if (isObject(parsed)) return parsed;
  } catch {
    // fall through
  }
  warnings.add("invalid_tool_arguments", 'tool call arguments are not a JSON object; kept as {"_raw": <text>}', path);
  return { _raw: args };
}

export function encodeToolResultContent(
  content: ToolResultContent[],
  warnings: Warnings,
  path: string,
): string | JsonObject[] {
  const plain = content.every((c) => c.type === "text" && !c.cacheControl && !own(c.extras));
  if (plain) return content.map((c) => (c as TextPart).text).join("");
  const out: JsonObject[] = [];
  content.forEach((c, i) => {
    if (c.type === "text") {
      const block = own(c.extras)?.block;
      if (isObject(block)) out.push(block);
      else if (c.text.trim().length > 0) out.push(encodeText(c));
    } else {
      const m = encodeMedia(c, warnings, `${path}[${i}]`);
      if (m) out.push(m);
    }
  });
  return out;
}

export interface AssistantBlockOptions {
  warnings: Warnings;
  path: string;
  /** Opaque Anthropic signature for reasoning that has none of its own (gateway envelope). */
  signatureFor?: (part: ReasoningPart) => string | undefined;
}

/** One IR assistant part as an Anthropic block, or undefined when it cannot be expressed. */
export function encodeAssistantPart(part: AssistantPart, opts: AssistantBlockOptions): JsonObject | undefined {
  switch (part.type) {
    case "text":
      return encodeText(part);
    case "refusal":
      return { type: "text", text: part.text };
    case "tool_call": {
      const input =
        part.kind === "custom" ? { input: part.arguments } : argumentsToInput(part.arguments, opts.warnings, opts.path);
      const block: JsonObject = { type: "tool_use", id: sanitizeAnthropicToolId(part.id), name: part.name, input };
      return Object.assign(block, own(part.extras));
    }
    case "reasoning": {
      if (part.redacted !== undefined) return { type: "redacted_thinking", data: part.redacted };
      const signature = part.signature ?? opts.signatureFor?.(part);
      if (signature === undefined) return undefined;
      return Object.assign({ type: "thinking", thinking: part.text, signature }, own(part.extras));
    }
    case "raw":
      return part.dialect === D ? part.value : undefined;
  }
}
