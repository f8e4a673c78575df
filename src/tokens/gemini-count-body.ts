import type { JsonObject } from "../ir/types.js";

/** What Vertex's countTokens takes beside `contents`. */
const VERTEX_COUNTED = ["systemInstruction", "tools", "generationConfig"] as const;

/**
 * The body of an upstream countTokens, so that what the request carries besides its contents (system
 * instruction, tools) is counted too: the Gemini API takes `contents` alone or the whole request wrapped in
 * `generateContentRequest` (naming its model); Vertex takes those fields beside `contents`.
 */
export function countBody(type: string, model: string, request: JsonObject): JsonObject {
  const { contents = [], ...rest } = request;
  if (type === "vertex") {
    const out: JsonObject = { contents };
    for (const k of VERTEX_COUNTED) if (rest[k] !== undefined) out[k] = rest[k];
    return out;
  }
  if (Object.keys(rest).length === 0) return { contents };
  return { generateContentRequest: { model: `models/${model.replace(/^models\//, "")}`, contents, ...rest } };
}
