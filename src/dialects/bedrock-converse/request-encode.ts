import type { JsonObject, Request } from "../../ir/types.js";
import { Warnings } from "../../ir/warnings.js";
import { type AnthropicRequestOptions, encodeAnthropicRequest } from "../anthropic/request-encode.js";
import type { Encoded, ToolMapping } from "../types.js";
import { anthropicToConverse } from "./from-anthropic.js";

/**
 * IR → Bedrock Converse request body. The request is first written as Claude would take it (thinking
 * budgets and forms, prefill, sampling limits, tool ids and names made valid: the same rules as on
 * Anthropic's own API), then mapped block for block to Converse (see from-anthropic.ts).
 */
export function encodeConverseRequest(
  req: Request,
  opts: AnthropicRequestOptions = {},
): Encoded<{ body: JsonObject; tools: ToolMapping }> {
  const anthropic = encodeAnthropicRequest(req, opts);
  const warnings = new Warnings();
  for (const w of anthropic.warnings) warnings.add(w.code, w.message, w.param);
  const body = anthropicToConverse(anthropic.value.body, req.model, warnings);
  return { value: { body, tools: anthropic.value.tools }, warnings: warnings.list };
}
