import { type Beyond, TOOL_INPUT_VALUE_LIMIT, textBeyond, valueBeyond } from "./json-bounds.js";

/**
 * Deepest nesting of a tool call's input llmux relays from an upstream. Deeper inputs are refused (a 502, or
 * the in-stream error, naming the tool call) before anything recursive touches them: encoding a client's
 * answer parses the input and serialises it again, and 5,000 levels overflowed the stack (a 500). A request
 * body may nest 128 levels (http/decode-json.ts), counted from its root, and an input sits a few levels down in
 * a conversation's history: an input deeper than this could never be sent back.
 */
export const TOOL_INPUT_DEPTH_LIMIT = 100;

export { TOOL_INPUT_VALUE_LIMIT };

/** Whether JSON text nests arrays and objects deeper than `limit`: one pass over its characters, no parse. */
export function textDeeperThan(text: string, limit: number): boolean {
  return textBeyond(text, limit, Number.POSITIVE_INFINITY) === "depth";
}

/** The error that names a tool call whose input nests too deeply (or holds too many values) to be relayed. */
export function tooDeepToolInput(name: string, beyond: Beyond = "depth"): Error {
  const what =
    beyond === "values"
      ? `holds more than ${TOOL_INPUT_VALUE_LIMIT.toLocaleString("en-US")} values`
      : `nests deeper than ${TOOL_INPUT_DEPTH_LIMIT} levels`;
  return new Error(`the upstream's input for the tool call '${name || "a tool"}' ${what} and is not relayed`);
}

/**
 * Checks a tool call's input from an upstream, as JSON text or as a parsed value, against the depth and value
 * bounds; throws `tooDeepToolInput` naming the call past either, before anything parses or serialises it.
 */
export function checkToolInput(input: unknown, name: string): void {
  const beyond =
    typeof input === "string"
      ? textBeyond(input, TOOL_INPUT_DEPTH_LIMIT, TOOL_INPUT_VALUE_LIMIT)
      : valueBeyond(input, TOOL_INPUT_DEPTH_LIMIT, TOOL_INPUT_VALUE_LIMIT);
  if (beyond) throw tooDeepToolInput(name, beyond);
}

/** A tool call's input object from an upstream as JSON text; throws `tooDeepToolInput` past the bounds. */
export function toolInputText(input: unknown, name: string): string {
  checkToolInput(input, name);
  return JSON.stringify(input);
}
