import { newId, nowSeconds, reprefix } from "../../ir/ids.js";
import { expectArray, expectObject, isObject, leftovers } from "../../ir/input-error.js";
import { checkToolInput } from "../../ir/json-depth.js";
import { stopFromChat, stopToChat } from "../../ir/stop-reason.js";
import type { AssistantPart, Json, JsonObject, Response } from "../../ir/types.js";
import { Warnings } from "../../ir/warnings.js";
import { restoreToolCall } from "../tool-identity.js";
import type { DecodeOptions, Encoded, ResponseOptions } from "../types.js";
import { assistantParts } from "./request-decode.js";
import { decodeChatUsage, encodeChatUsage } from "./usage.js";

const D = "openai-chat" as const;
const KNOWN = new Set(["id", "object", "created", "model", "choices", "usage"]);

/** Chat Completions response body → IR (first choice). */
export function decodeChatResponse(value: Json, opts: DecodeOptions = {}): Response {
  const body = expectObject(value, "response");
  const choices = expectArray(body.choices ?? [], "response.choices");
  const choice = isObject(choices[0]) ? choices[0] : {};
  const message = isObject(choice.message) ? choice.message : {};
  // Each call's arguments (text, or a value some upstreams send) are bounded before anything parses or
  // serialises them (json-bounds.ts): a 502 naming the call past a bound.
  if (Array.isArray(message.tool_calls))
    for (const c of message.tool_calls) {
      const fn = isObject(c) && isObject(c.function) ? c.function : undefined;
      if (fn) checkToolInput(fn.arguments ?? "", typeof fn.name === "string" ? fn.name : "");
    }
  if (isObject(message.function_call))
    checkToolInput(message.function_call.arguments ?? "", String(message.function_call.name ?? ""));
  const parts: AssistantPart[] = assistantParts(message, "response.choices[0].message").map((p) =>
    p.type === "tool_call" ? restoreToolCall(p, opts.tools) : p,
  );
  const hadCalls = parts.some((p) => p.type === "tool_call");
  const res: Response = {
    id: typeof body.id === "string" && body.id ? body.id : newId("chatcmpl-"),
    model: typeof body.model === "string" ? body.model : "",
    created: typeof body.created === "number" ? body.created : nowSeconds(),
    content: parts,
    stopReason: stopFromChat(typeof choice.finish_reason === "string" ? choice.finish_reason : undefined, hadCalls),
  };
  if (isObject(body.usage)) res.usage = decodeChatUsage(body.usage);
  const rest = leftovers(body, KNOWN) ?? {};
  const choiceRest = leftovers(choice, new Set(["index", "message", "finish_reason", "logprobs"]));
  if (choiceRest) rest.choice = choiceRest;
  if (Object.keys(rest).length > 0) res.extras = { dialect: D, fields: rest };
  return res;
}

/** IR → Chat Completions response body. Reasoning shows per `reasoningMode`. */
export function encodeChatResponse(res: Response, opts: ResponseOptions = {}): Encoded<JsonObject> {
  const warnings = new Warnings();
  const mode = opts.reasoningMode ?? "reasoning_content";
  let text = "";
  let reasoning = "";
  let refusal: string | null = null;
  const calls: JsonObject[] = [];
  for (const p of res.content) {
    if (p.type === "text") text += p.text;
    else if (p.type === "reasoning") reasoning += reasoning && p.text ? `\n\n${p.text}` : p.text;
    else if (p.type === "refusal") refusal = (refusal ?? "") + p.text;
    else if (p.type === "tool_call") {
      if (p.kind === "custom" && opts.customToolCalls !== "function") {
        calls.push({ id: p.id, type: "custom", custom: { name: p.name, input: p.arguments } });
      } else calls.push({ id: p.id, type: "function", function: { name: p.name, arguments: p.arguments } });
    } else if (p.type === "raw" && p.dialect !== D) {
      warnings.add("unsupported_content", "output with no Chat Completions equivalent was dropped");
    }
  }
  if (mode === "think-tags" && reasoning) text = `<think>\n\n${reasoning}\n\n</think>\n\n${text}`;
  const message: JsonObject = {
    role: "assistant",
    content: text.length > 0 || calls.length === 0 ? text : null,
    refusal,
  };
  if (mode === "reasoning_content" && reasoning) message.reasoning_content = reasoning;
  if (calls.length > 0) message.tool_calls = calls;
  const choice: JsonObject = { index: 0, message, logprobs: null, finish_reason: stopToChat(res.stopReason) };
  const body: JsonObject = {
    id: reprefix(res.id, "chatcmpl-"),
    object: "chat.completion",
    created: res.created,
    model: opts.model ?? res.model,
    choices: [choice],
  };
  if (res.usage) body.usage = encodeChatUsage(res.usage);
  if (res.extras?.dialect === D) {
    const { choice: choiceExtras, ...top } = res.extras.fields;
    Object.assign(body, top);
    if (isObject(choiceExtras)) Object.assign(choice, choiceExtras);
  }
  return { value: body, warnings: warnings.list };
}
