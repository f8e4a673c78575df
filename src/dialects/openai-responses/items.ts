import { derivedId } from "../../ir/ids.js";
import { expectArray, expectObject, expectString, InputError, isObject, leftovers } from "../../ir/input-error.js";
import { fileIdUsable, sourceFromUrl, sourceToUrl } from "../../ir/media.js";
import type {
  AssistantPart,
  Json,
  JsonObject,
  ReasoningPart,
  TextPart,
  ToolCallPart,
  ToolResultContent,
  UserPart,
} from "../../ir/types.js";
import type { Warnings } from "../../ir/warnings.js";
import type { ReasoningWrapper } from "../types.js";

const D = "openai-responses" as const;

// ---------------------------------------------------------------------------------------------------------
// Wire → IR
// ---------------------------------------------------------------------------------------------------------

/** input_text / input_image / input_file / output_text parts of a user or system message. */
export function decodeInputPart(value: Json, path: string): UserPart | TextPart {
  const part = expectObject(value, path);
  switch (part.type) {
    case "input_text":
    case "output_text":
    case "text":
      return { type: "text", text: expectString(part.text, `${path}.text`) };
    case "input_image": {
      const out: UserPart = {
        type: "image",
        source:
          typeof part.image_url === "string"
            ? sourceFromUrl(part.image_url)
            : { kind: "file_id", fileId: expectString(part.file_id, `${path}.file_id`) },
      };
      if (typeof part.detail === "string") out.detail = part.detail;
      return out;
    }
    case "input_file": {
      let source: UserPart & { type: "file" };
      if (typeof part.file_data === "string") {
        const src = part.file_data.startsWith("data:")
          ? sourceFromUrl(part.file_data)
          : { kind: "base64" as const, mediaType: "application/pdf", data: part.file_data };
        source = { type: "file", source: src };
      } else if (typeof part.file_url === "string")
        source = { type: "file", source: { kind: "url", url: part.file_url } };
      else
        source = { type: "file", source: { kind: "file_id", fileId: expectString(part.file_id, `${path}.file_id`) } };
      if (typeof part.filename === "string") source.filename = part.filename;
      return source;
    }
    default:
      throw new InputError(
        `${path}.type`,
        `${path}.type must be one of 'input_text', 'input_image', 'input_file', got ${JSON.stringify(part.type ?? null)}`,
      );
  }
}

export function decodeInputContent(value: Json | undefined, path: string): (UserPart | TextPart)[] {
  if (typeof value === "string") return [{ type: "text", text: value }];
  return expectArray(value, path).map((p, i) => decodeInputPart(p, `${path}[${i}]`));
}

/** Assistant message content (output_text / refusal parts); item fields ride on the first part. */
export function decodeAssistantMessage(item: JsonObject, path: string): AssistantPart[] {
  const itemFields = leftovers(item, new Set(["type", "role", "content"]));
  const parts: AssistantPart[] = [];
  const content = item.content;
  if (typeof content === "string") parts.push({ type: "text", text: content });
  else {
    expectArray(content, `${path}.content`).forEach((p, i) => {
      const pp = `${path}.content[${i}]`;
      const part = expectObject(p, pp);
      if (part.type === "refusal") parts.push({ type: "refusal", text: expectString(part.refusal, `${pp}.refusal`) });
      else if (part.type === "output_text" || part.type === "input_text" || part.type === "text") {
        const t: TextPart = { type: "text", text: expectString(part.text, `${pp}.text`) };
        if (Array.isArray(part.annotations) && part.annotations.length > 0) t.annotations = part.annotations;
        const rest = leftovers(part, new Set(["type", "text", "annotations", "logprobs"]));
        if (rest) t.extras = { dialect: D, fields: { part: rest } };
        parts.push(t);
      } else throw new InputError(`${pp}.type`, `${pp}.type must be 'output_text' or 'refusal'`);
    });
  }
  const first = parts[0];
  if (itemFields && first && first.type === "text") {
    first.extras = { dialect: D, fields: { ...(first.extras?.fields ?? {}), item: itemFields } };
  }
  if (parts.length === 0 && itemFields)
    parts.push({ type: "text", text: "", extras: { dialect: D, fields: { item: itemFields } } });
  return parts;
}

export function decodeReasoningItem(item: JsonObject): ReasoningPart {
  const summary: string[] = [];
  if (Array.isArray(item.summary)) {
    for (const s of item.summary) if (isObject(s) && typeof s.text === "string") summary.push(s.text);
  }
  let rawText = "";
  if (Array.isArray(item.content)) {
    for (const c of item.content) if (isObject(c) && typeof c.text === "string") rawText += c.text;
  }
  const part: ReasoningPart = { type: "reasoning", text: summary.length > 0 ? summary.join("\n\n") : rawText };
  if (summary.length > 0) part.summary = summary;
  if (summary.length === 0 && rawText) part.raw = true;
  if (typeof item.id === "string" && item.id) part.id = item.id;
  if (typeof item.encrypted_content === "string" && item.encrypted_content) part.encrypted = item.encrypted_content;
  const rest = leftovers(item, new Set(["type", "id", "summary", "content", "encrypted_content", "status"]));
  if (rest) part.extras = { dialect: D, fields: rest };
  return part;
}

export function decodeCallItem(item: JsonObject, path: string): ToolCallPart {
  const custom = item.type === "custom_tool_call";
  const args = custom ? item.input : item.arguments;
  const part: ToolCallPart = {
    type: "tool_call",
    id: expectString(item.call_id, `${path}.call_id`),
    name: expectString(item.name, `${path}.name`),
    arguments: typeof args === "string" ? args : args === undefined || args === null ? "" : JSON.stringify(args),
    kind: custom ? "custom" : "function",
  };
  if (typeof item.id === "string" && item.id) part.itemId = item.id;
  if (typeof item.namespace === "string" && item.namespace) part.namespace = item.namespace;
  const rest = leftovers(item, new Set(["type", "id", "call_id", "name", "arguments", "input", "namespace", "status"]));
  if (rest) part.extras = { dialect: D, fields: rest };
  return part;
}

/** One output item of a response → IR parts. */
export function decodeOutputItem(item: JsonObject, path: string): AssistantPart[] {
  switch (item.type) {
    case "reasoning":
      return [decodeReasoningItem(item)];
    case "message":
      return decodeAssistantMessage(item, path);
    case "function_call":
    case "custom_tool_call":
      return [decodeCallItem(item, path)];
    default:
      return [{ type: "raw", dialect: D, value: item }];
  }
}

export function decodeToolOutput(value: Json | undefined, path: string): ToolResultContent[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return value.length > 0 ? [{ type: "text", text: value }] : [];
  return expectArray(value, path).map((p, i) => {
    const part = decodeInputPart(p, `${path}[${i}]`);
    if (part.type === "audio" || part.type === "raw")
      throw new InputError(`${path}[${i}]`, "unsupported tool output part");
    return part;
  });
}

// ---------------------------------------------------------------------------------------------------------
// IR → wire
// ---------------------------------------------------------------------------------------------------------

export function encodeInputPart(
  p: UserPart,
  warnings: Warnings,
  path: string,
  source: string = D,
): JsonObject | undefined {
  if ((p.type === "image" || p.type === "file") && p.source.kind === "file_id" && !fileIdUsable(source, D)) {
    warnings.add(
      "unsupported_content",
      "a file id from another provider cannot be used here; the content was dropped",
      path,
    );
    return undefined;
  }
  switch (p.type) {
    case "text":
      return { type: "input_text", text: p.text };
    case "image": {
      if (p.source.kind === "file_id")
        return { type: "input_image", file_id: p.source.fileId, detail: p.detail ?? "auto" };
      return { type: "input_image", image_url: sourceToUrl(p.source) ?? "", detail: p.detail ?? "auto" };
    }
    case "file": {
      const out: JsonObject = { type: "input_file" };
      if (p.source.kind === "file_id") out.file_id = p.source.fileId;
      else if (p.source.kind === "url") out.file_url = p.source.url;
      else out.file_data = sourceToUrl(p.source) ?? "";
      if (p.filename) out.filename = p.filename;
      else if (p.source.kind === "base64" || p.source.kind === "text") out.filename = "document";
      return out;
    }
    case "audio":
      warnings.add("unsupported_content", "audio input has no Responses equivalent and was dropped", path);
      return undefined;
    case "raw":
      if (p.dialect === D) return p.value;
      warnings.add("unsupported_content", "content with no Responses equivalent was dropped", path);
      return undefined;
  }
}

export function outputText(part: TextPart): JsonObject {
  const out: JsonObject = { type: "output_text", text: part.text, annotations: [] };
  if (part.extras?.dialect === D) {
    if (part.annotations) out.annotations = part.annotations;
    const extra = part.extras.fields.part;
    if (isObject(extra)) Object.assign(out, extra);
  }
  return out;
}

/** The `item` fields (id, phase, status…) a text part carries from a Responses message. */
export function itemFieldsOf(part: TextPart): JsonObject | undefined {
  const item = part.extras?.dialect === D ? part.extras.fields.item : undefined;
  return isObject(item) ? item : undefined;
}

export function reasoningItem(part: ReasoningPart, id: string | undefined, wrap?: ReasoningWrapper): JsonObject {
  const item: JsonObject = { type: "reasoning" };
  if (id) item.id = id;
  const summary = part.summary ?? (part.text && !part.raw ? [part.text] : []);
  item.summary = summary.map((text) => ({ type: "summary_text", text }));
  if (part.raw && part.text) item.content = [{ type: "reasoning_text", text: part.text }];
  const encrypted = part.encrypted ?? wrap?.(part, D);
  if (encrypted !== undefined) item.encrypted_content = encrypted;
  if (part.extras?.dialect === D) Object.assign(item, part.extras.fields);
  return item;
}

export function callItem(part: ToolCallPart, id: string | undefined, status?: string): JsonObject {
  const item: JsonObject =
    part.kind === "custom"
      ? { type: "custom_tool_call", call_id: part.id, name: part.name, input: part.arguments }
      : { type: "function_call", call_id: part.id, name: part.name, arguments: part.arguments };
  if (id) item.id = id;
  if (part.namespace) item.namespace = part.namespace;
  if (status) item.status = status;
  if (part.extras?.dialect === D) Object.assign(item, part.extras.fields);
  return item;
}

/** A call item announced before its arguments are known (or closed without a final part). */
export function callSkeleton(
  head: { id: string; name: string; kind: string; namespace?: string },
  itemId: string,
  status: string,
  args: string,
): JsonObject {
  const custom = head.kind === "custom";
  const item: JsonObject = {
    id: itemId,
    type: custom ? "custom_tool_call" : "function_call",
    status,
    call_id: head.id,
    name: head.name,
    [custom ? "input" : "arguments"]: args,
  };
  if (head.namespace) item.namespace = head.namespace;
  return item;
}

/** An output item id, derived from the response id and the item's output index. */
export function newItemId(kind: "msg" | "rs" | "fc" | "ctc", responseId: string, outputIndex: number): string {
  return derivedId(`${kind}_`, responseId, outputIndex, 32);
}
