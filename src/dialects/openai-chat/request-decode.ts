import { isEffort } from "../../ir/effort.js";
import {
  describe,
  expectArray,
  expectObject,
  expectOneOf,
  expectString,
  InputError,
  isObject,
  leftovers,
  optBoolean,
  optInteger,
  optString,
  optStringList,
} from "../../ir/input-error.js";
import { sourceFromUrl } from "../../ir/media.js";
import type {
  AssistantPart,
  Json,
  JsonObject,
  Message,
  ReasoningPart,
  Request,
  TextPart,
  ToolResultContent,
  UserPart,
} from "../../ir/types.js";
import {
  type FieldReads,
  OPENAI_CALLER,
  readFields,
  readStreamOptions,
  SAMPLING,
  wireKeys,
} from "../request-fields.js";
import { decodeChatResponseFormat, decodeChatTool, decodeChatToolChoice } from "./tools-decode.js";

const D = "openai-chat" as const;

/** The optional fields read by table (request-fields.ts), in their order. */
const SAMPLED = {
  ...SAMPLING,
  stop: ["stop", optStringList],
  seed: ["seed", optInteger],
} as const satisfies FieldReads;
const SERVED = { ...OPENAI_CALLER, store: ["store", optBoolean] } as const satisfies FieldReads;

const KNOWN = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "max_tokens",
  "max_completion_tokens",
  ...wireKeys(SAMPLED),
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "reasoning_effort",
  "verbosity",
  "response_format",
  ...wireKeys(SERVED),
]);

const ROLES = ["system", "developer", "user", "assistant", "tool", "function"] as const;

function textParts(value: Json | undefined, path: string): TextPart[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return [{ type: "text", text: value }];
  return expectArray(value, path).map((p, i) => {
    const pp = `${path}[${i}]`;
    const part = expectObject(p, pp);
    if (part.type !== "text")
      throw new InputError(`${pp}.type`, `${pp}.type must be 'text' here, got ${describe(part.type)}`);
    return { type: "text", text: expectString(part.text, `${pp}.text`) };
  });
}

function userPart(value: Json, path: string): UserPart {
  const part = expectObject(value, path);
  const type = expectString(part.type, `${path}.type`);
  switch (type) {
    case "text": {
      const out: TextPart = { type: "text", text: expectString(part.text, `${path}.text`) };
      const rest = leftovers(part, new Set(["type", "text"]));
      if (rest) out.extras = { dialect: D, fields: rest };
      return out;
    }
    case "image_url": {
      const img = part.image_url;
      const url =
        typeof img === "string"
          ? img
          : expectString(expectObject(img, `${path}.image_url`).url, `${path}.image_url.url`);
      const out: UserPart = { type: "image", source: sourceFromUrl(url) };
      if (isObject(img) && typeof img.detail === "string") out.detail = img.detail;
      return out;
    }
    case "input_audio": {
      const a = expectObject(part.input_audio, `${path}.input_audio`);
      return {
        type: "audio",
        data: expectString(a.data, `${path}.input_audio.data`),
        format: expectString(a.format, `${path}.input_audio.format`),
      };
    }
    case "file": {
      const f = expectObject(part.file, `${path}.file`);
      const fileData = optString(f.file_data, `${path}.file.file_data`);
      const fileId = optString(f.file_id, `${path}.file.file_id`);
      if (fileData === undefined && fileId === undefined) {
        throw new InputError(`${path}.file`, `${path}.file needs file_data or file_id`);
      }
      const out: UserPart = {
        type: "file",
        source:
          fileData !== undefined
            ? fileData.startsWith("data:")
              ? sourceFromUrl(fileData)
              : { kind: "base64", mediaType: "application/pdf", data: fileData }
            : { kind: "file_id", fileId: fileId as string },
      };
      const filename = optString(f.filename, `${path}.file.filename`);
      if (filename !== undefined) out.filename = filename;
      return out;
    }
    default:
      return { type: "raw", dialect: D, value: part };
  }
}

function userContent(value: Json | undefined, path: string): UserPart[] {
  if (typeof value === "string") return [{ type: "text", text: value }];
  return expectArray(value, path).map((p, i) => userPart(p, `${path}[${i}]`));
}

/** OpenRouter-style reasoning_details → reasoning parts (text, signature, encrypted data). */
export function reasoningFromDetails(details: Json[], plainText: string | undefined): ReasoningPart | undefined {
  let text = "";
  let signature: string | undefined;
  let encrypted: string | undefined;
  for (const d of details) {
    if (!isObject(d)) continue;
    if (d.type === "reasoning.text" && typeof d.text === "string") text += d.text;
    if (d.type === "reasoning.summary" && typeof d.summary === "string") text += d.summary;
    if (typeof d.signature === "string" && d.signature) signature = d.signature;
    if (d.type === "reasoning.encrypted" && typeof d.data === "string") encrypted = d.data;
  }
  const finalText = plainText ?? text;
  if (!finalText && !signature && !encrypted) return undefined;
  const part: ReasoningPart = { type: "reasoning", text: finalText };
  if (signature) part.signature = signature;
  if (encrypted) part.encrypted = encrypted;
  part.extras = { dialect: D, fields: { reasoning_details: details } };
  return part;
}

/** A message's or delta's reasoning as plain text: `reasoning_content` (DeepSeek, Kimi), else `reasoning`. */
export function plainReasoning(o: JsonObject): string | undefined {
  if (typeof o.reasoning_content === "string") return o.reasoning_content;
  return typeof o.reasoning === "string" ? o.reasoning : undefined;
}

export function assistantParts(msg: JsonObject, path: string): AssistantPart[] {
  const parts: AssistantPart[] = [];
  const plain = plainReasoning(msg);
  if (Array.isArray(msg.reasoning_details)) {
    const r = reasoningFromDetails(msg.reasoning_details, plain);
    if (r) parts.push(r);
  } else if (plain !== undefined) {
    parts.push({ type: "reasoning", text: plain, raw: true });
  }
  const content = msg.content;
  if (typeof content === "string") {
    if (content.length > 0) parts.push({ type: "text", text: content });
  } else if (Array.isArray(content)) {
    content.forEach((p, i) => {
      const pp = `${path}.content[${i}]`;
      const part = expectObject(p, pp);
      if (part.type === "text") parts.push({ type: "text", text: expectString(part.text, `${pp}.text`) });
      else if (part.type === "refusal")
        parts.push({ type: "refusal", text: expectString(part.refusal, `${pp}.refusal`) });
      else throw new InputError(`${pp}.type`, `${pp}.type must be 'text' or 'refusal' in an assistant message`);
    });
  } else if (content !== undefined && content !== null) {
    throw new InputError(`${path}.content`, `${path}.content must be a string, an array or null`);
  }
  if (typeof msg.refusal === "string" && msg.refusal.length > 0) parts.push({ type: "refusal", text: msg.refusal });
  if (isObject(msg.function_call) && (msg.tool_calls === undefined || msg.tool_calls === null)) {
    // Legacy function calling: one call, linked to its result by the function name.
    const fc = msg.function_call;
    const name = expectString(fc.name, `${path}.function_call.name`);
    parts.push({
      type: "tool_call",
      id: name,
      name,
      arguments: typeof fc.arguments === "string" ? fc.arguments : "",
      kind: "function",
    });
  }
  if (msg.tool_calls !== undefined && msg.tool_calls !== null) {
    expectArray(msg.tool_calls, `${path}.tool_calls`).forEach((c, i) => {
      const cp = `${path}.tool_calls[${i}]`;
      const call = expectObject(c, cp);
      const id = expectString(call.id, `${cp}.id`);
      if (call.type === "custom" || isObject(call.custom)) {
        const custom = expectObject(call.custom, `${cp}.custom`);
        parts.push({
          type: "tool_call",
          id,
          name: expectString(custom.name, `${cp}.custom.name`),
          arguments: expectString(custom.input, `${cp}.custom.input`),
          kind: "custom",
        });
        return;
      }
      const fn = expectObject(call.function, `${cp}.function`);
      const args = fn.arguments;
      parts.push({
        type: "tool_call",
        id,
        name: expectString(fn.name, `${cp}.function.name`),
        arguments: typeof args === "string" ? args : args === undefined || args === null ? "" : JSON.stringify(args),
        kind: "function",
      });
    });
  }
  return parts;
}

function toolResultContent(value: Json | undefined, path: string): ToolResultContent[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") return value.length > 0 ? [{ type: "text", text: value }] : [];
  return expectArray(value, path).map((p, i) => {
    const part = userPart(p, `${path}[${i}]`);
    if (part.type === "text" || part.type === "image" || part.type === "file") return part;
    throw new InputError(`${path}[${i}].type`, `${path}[${i}] must be a text part`);
  });
}

function decodeMessage(value: Json, path: string): Message {
  const msg = expectObject(value, path);
  const role = expectOneOf(msg.role, ROLES, `${path}.role`);
  let out: Message;
  switch (role) {
    case "system":
    case "developer":
      out = { role, content: textParts(msg.content, `${path}.content`) };
      break;
    case "user":
      out = { role, content: userContent(msg.content, `${path}.content`) };
      break;
    case "assistant":
      out = { role, content: assistantParts(msg, path) };
      break;
    case "tool":
      out = {
        role: "tool",
        content: [
          {
            type: "tool_result",
            callId: expectString(msg.tool_call_id, `${path}.tool_call_id`),
            content: toolResultContent(msg.content, `${path}.content`),
          },
        ],
      };
      break;
    case "function":
      // Legacy function-calling result: the function name is the only link to its call.
      out = {
        role: "tool",
        content: [
          {
            type: "tool_result",
            callId: expectString(msg.name, `${path}.name`),
            content: toolResultContent(msg.content, `${path}.content`),
          },
        ],
      };
      break;
  }
  if (typeof msg.name === "string" && role !== "function") out.name = msg.name;
  const known = new Set([
    "role",
    "content",
    "name",
    "tool_calls",
    "tool_call_id",
    "refusal",
    "reasoning_content",
    "reasoning",
    "reasoning_details",
  ]);
  const rest = leftovers(msg, known);
  if (rest) out.extras = { dialect: D, fields: rest };
  return out;
}

/** OpenAI Chat Completions request body → IR. Throws InputError naming the field on malformed input. */
export function decodeChatRequest(value: Json): Request {
  const body = expectObject(value, "body");
  const model = expectString(body.model, "model");
  const rawMessages = expectArray(body.messages, "messages");
  if (rawMessages.length === 0) throw new InputError("messages", "messages must contain at least one message");
  const messages: Message[] = rawMessages.map((m, i) => decodeMessage(m, `messages[${i}]`));

  const req: Request = { source: D, model, messages, stream: optBoolean(body.stream, "stream") ?? false };
  const fields: JsonObject = leftovers(body, KNOWN) ?? {};

  readStreamOptions(req, body, fields);
  const maxTokens =
    optInteger(body.max_completion_tokens, "max_completion_tokens") ?? optInteger(body.max_tokens, "max_tokens");
  if (maxTokens !== undefined) req.maxOutputTokens = maxTokens;
  readFields(req, body, SAMPLED);

  if (body.tools !== undefined && body.tools !== null) {
    req.tools = expectArray(body.tools, "tools").map((t, i) => decodeChatTool(t, `tools[${i}]`));
  }
  const choice = decodeChatToolChoice(body.tool_choice, "tool_choice");
  if (choice) req.toolChoice = choice;
  const parallel = optBoolean(body.parallel_tool_calls, "parallel_tool_calls");
  if (parallel !== undefined) req.parallelToolCalls = parallel;

  const effort = body.reasoning_effort ?? (isObject(body.reasoning) ? body.reasoning.effort : undefined);
  if (effort !== undefined && effort !== null) {
    const param = body.reasoning_effort !== undefined ? "reasoning_effort" : "reasoning.effort";
    if (!isEffort(effort)) {
      throw new InputError(param, `${param} must be one of none, minimal, low, medium, high, xhigh, max`);
    }
    req.reasoning = { effort };
  }
  if (isObject(body.reasoning)) {
    if (body.reasoning.summary !== undefined)
      req.reasoning = { ...req.reasoning, summary: optString(body.reasoning.summary, "reasoning.summary") ?? null };
    const rest = leftovers(body.reasoning, new Set(["effort", "summary"]));
    if (rest) fields.reasoning = rest;
    else delete fields.reasoning;
  }
  readFields(req, body, { verbosity: ["verbosity", optString] });
  const rf = decodeChatResponseFormat(body.response_format, "response_format");
  if (rf) req.responseFormat = rf;
  readFields(req, body, SERVED);

  if (Object.keys(fields).length > 0) req.extras = { dialect: D, fields };
  return req;
}
