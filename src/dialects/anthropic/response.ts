import { nowSeconds, reprefix } from "../../ir/ids.js";
import { expectArray, expectObject, isObject, leftovers } from "../../ir/input-error.js";
import { checkToolInput } from "../../ir/json-depth.js";
import { stopFromAnthropic, stopToAnthropic } from "../../ir/stop-reason.js";
import type { AssistantPart, Json, JsonObject, Response } from "../../ir/types.js";
import { Warnings } from "../../ir/warnings.js";
import { restoreToolCall } from "../tool-identity.js";
import type { DecodeOptions, Encoded, ResponseOptions } from "../types.js";
import { decodeBlock, encodeAssistantPart } from "./content.js";
import { decodeAnthropicUsage, encodeAnthropicUsage } from "./usage.js";

const KNOWN = new Set(["id", "type", "role", "model", "content", "stop_reason", "stop_sequence", "usage"]);

/** Anthropic Messages response body → IR. */
export function decodeAnthropicResponse(value: Json, opts: DecodeOptions = {}): Response {
  const body = expectObject(value, "response");
  const content: AssistantPart[] = [];
  expectArray(body.content ?? [], "response.content").forEach((b, i) => {
    if (isObject(b) && b.type === "tool_use") checkToolInput(b.input ?? {}, typeof b.name === "string" ? b.name : "");
    const part = decodeBlock(b, `response.content[${i}]`);
    if (part.type === "tool_call") content.push(restoreToolCall(part, opts.tools));
    else if (part.type !== "tool_result" && part.type !== "image" && part.type !== "file" && part.type !== "audio") {
      content.push(part);
    }
  });
  const res: Response = {
    id: typeof body.id === "string" ? body.id : "",
    model: typeof body.model === "string" ? body.model : "",
    created: nowSeconds(),
    content,
    stopReason: stopFromAnthropic(typeof body.stop_reason === "string" ? body.stop_reason : undefined),
    stopSequence: typeof body.stop_sequence === "string" ? body.stop_sequence : null,
  };
  if (isObject(body.usage)) res.usage = decodeAnthropicUsage(body.usage);
  const rest = leftovers(body, KNOWN);
  if (rest) res.extras = { dialect: "anthropic", fields: rest };
  return res;
}

/** IR → Anthropic Messages response body. */
export function encodeAnthropicResponse(res: Response, opts: ResponseOptions = {}): Encoded<JsonObject> {
  const warnings = new Warnings();
  const content: JsonObject[] = [];
  res.content.forEach((p, i) => {
    const block = encodeAssistantPart(p, {
      warnings,
      path: `content[${i}]`,
      signatureFor: (r) => opts.wrapReasoning?.(r, "anthropic") ?? "",
    });
    if (block) content.push(block);
    else warnings.add("unsupported_content", `${p.type} output has no Anthropic equivalent and was dropped`);
  });
  const body: JsonObject = {
    id: reprefix(res.id, "msg_"),
    type: "message",
    role: "assistant",
    model: opts.model ?? res.model,
    content,
    // Anthropic marks a refusal by its stop reason; other dialects carry it as a refusal part.
    stop_reason:
      res.stopReason === "end_turn" && res.content.some((p) => p.type === "refusal")
        ? "refusal"
        : stopToAnthropic(res.stopReason),
    stop_sequence: res.stopSequence ?? null,
    usage: encodeAnthropicUsage(res.usage),
  };
  if (res.extras?.dialect === "anthropic") Object.assign(body, res.extras.fields);
  return { value: body, warnings: warnings.list };
}
