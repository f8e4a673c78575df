import { leftovers } from "../../ir/input-error.js";
import type { JsonObject, Usage } from "../../ir/types.js";
import { tokenCount } from "../../ir/usage.js";
import { readUsageDetails, usageDetails } from "../openai-chat/usage.js";

const KNOWN = new Set([
  "input_tokens",
  "output_tokens",
  "total_tokens",
  "input_tokens_details",
  "output_tokens_details",
]);

export function decodeResponsesUsage(u: JsonObject): Usage {
  const out: Usage = { inputTokens: tokenCount(u.input_tokens) ?? 0, outputTokens: tokenCount(u.output_tokens) ?? 0 };
  readUsageDetails(out, u.input_tokens_details, u.output_tokens_details);
  const rest = leftovers(u, KNOWN);
  if (rest) out.extras = { dialect: "openai-responses", fields: rest };
  return out;
}

/** Codex parses every one of these fields: a partial usage object fails there. */
export function encodeResponsesUsage(u: Usage): JsonObject {
  const [input, output] = usageDetails(u);
  const out: JsonObject = {
    input_tokens: u.inputTokens,
    input_tokens_details: input,
    output_tokens: u.outputTokens,
    output_tokens_details: output,
    total_tokens: u.inputTokens + u.outputTokens,
  };
  if (u.extras?.dialect === "openai-responses") Object.assign(out, u.extras.fields);
  return out;
}
