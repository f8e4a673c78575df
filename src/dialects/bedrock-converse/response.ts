import { isErrorInfo, ResponseCollector } from "../../ir/collect.js";
import { expectObject, isObject } from "../../ir/input-error.js";
import { toolInputText } from "../../ir/json-depth.js";
import type { Json, JsonObject, Response } from "../../ir/types.js";
import type { DecodeOptions } from "../types.js";
import { ConverseStreamDecoder } from "./stream-decode.js";

/** A tool call's input as JSON text; one nested too deeply to be relayed is named as such. */
function inputText(t: JsonObject): string {
  return toolInputText(t.input ?? {}, typeof t.name === "string" ? t.name : "");
}

/**
 * A whole Converse response (`{output: {message}, stopReason, usage}`) → IR, read as the stream that says
 * the same, so both paths agree.
 */
export function decodeConverseResponse(value: Json, opts: DecodeOptions = {}): Response {
  const body = expectObject(value, "response");
  const collector = new ResponseCollector();
  const decoder = new ConverseStreamDecoder(opts);
  const sink = collector.sink;
  decoder.handle("messageStart", { role: "assistant" }, sink);
  const message = isObject(body.output) && isObject(body.output.message) ? body.output.message : {};
  const content = Array.isArray(message.content) ? message.content : [];
  content.forEach((block, i) => {
    if (!isObject(block)) return;
    if (isObject(block.toolUse)) {
      const t = block.toolUse;
      decoder.handle("contentBlockStart", { contentBlockIndex: i, start: { toolUse: t } }, sink);
      const input = inputText(t);
      decoder.handle("contentBlockDelta", { contentBlockIndex: i, delta: { toolUse: { input } } }, sink);
    } else if (typeof block.text === "string") {
      decoder.handle("contentBlockDelta", { contentBlockIndex: i, delta: { text: block.text } }, sink);
    } else if (isObject(block.reasoningContent)) {
      const r = block.reasoningContent;
      const text = isObject(r.reasoningText) ? r.reasoningText : undefined;
      const delta: JsonObject = text ? { text: text.text ?? "" } : { redactedContent: r.redactedContent ?? "" };
      if (text && typeof text.signature === "string") delta.signature = text.signature;
      decoder.handle("contentBlockDelta", { contentBlockIndex: i, delta: { reasoningContent: delta } }, sink);
    } else return;
    decoder.handle("contentBlockStop", { contentBlockIndex: i }, sink);
  });
  const stop: Record<string, Json> = { stopReason: typeof body.stopReason === "string" ? body.stopReason : "end_turn" };
  if (isObject(body.additionalModelResponseFields))
    stop.additionalModelResponseFields = body.additionalModelResponseFields;
  decoder.handle("messageStop", stop, sink);
  decoder.handle("metadata", { usage: body.usage ?? null }, sink);
  decoder.end(sink);
  const result = collector.result();
  if (isErrorInfo(result)) throw new Error(result.message);
  return result;
}
