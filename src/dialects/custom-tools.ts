import type { JsonObject, Tool } from "../ir/types.js";
import type { Warnings } from "../ir/warnings.js";

type Custom = Extract<Tool, { kind: "custom" }>;

/** The one parameter a free-form (custom) tool gets where only function tools exist. */
export const CUSTOM_INPUT_SCHEMA: JsonObject = {
  type: "object",
  properties: { input: { type: "string", description: "The raw input for this tool." } },
  required: ["input"],
};

/**
 * A custom tool emulated as a function with one string `input`: its description carries the grammar the
 * upstream cannot enforce, and the loss is reported.
 */
export function emulateCustomTool(
  t: Custom,
  where: string,
  warnings: Warnings,
  path: string,
): { description: string; parameters: JsonObject } {
  const grammar = t.format?.type === "grammar" ? t.format : undefined;
  if (grammar) {
    warnings.add(
      "grammar_dropped",
      `custom tool '${t.name}': its ${grammar.syntax} grammar cannot be enforced by ${where}; the input is free text`,
      path,
    );
  }
  const description = [
    t.description,
    grammar ? `The input must follow this ${grammar.syntax} grammar:\n${grammar.definition}` : "",
  ]
    .filter(Boolean)
    .join("\n\n");
  return { description, parameters: CUSTOM_INPUT_SCHEMA };
}
