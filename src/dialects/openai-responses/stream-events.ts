import type { ErrorInfo, JsonObject } from "../../ir/types.js";
import { errorCode } from "./response.js";

/**
 * Progress events of built-in tools that Responses clients know. Others (newer tool types) are not
 * forwarded: strict clients reject unknown event types, and the item's `output_item.done` carries the
 * final state anyway.
 */
const FORWARDED_PROGRESS =
  /^response\.(web_search_call|file_search_call|code_interpreter_call|code_interpreter_call_code|image_generation_call|mcp_call|mcp_call_arguments|mcp_list_tools|shell_call_command|shell_call_output_content|audio|audio\.transcript|compaction)\.[a-z_]+$/;

/** A built-in tool's progress event re-addressed to the item it belongs to, if clients know its type. */
export function forwardedProgress(
  value: JsonObject,
  outputIndex: number,
  itemId: string,
): { type: string; body: JsonObject } | undefined {
  const { type, sequence_number: _s, ...rest } = value;
  if (typeof type !== "string" || !FORWARDED_PROGRESS.test(type)) return undefined;
  const body: JsonObject = { ...rest };
  if ("output_index" in body) body.output_index = outputIndex;
  if ("item_id" in body) body.item_id = itemId;
  return { type, body };
}

/** The `error` stream event: both shapes clients parse, flat fields and a nested `error` object. */
export function streamErrorBody(error: ErrorInfo): JsonObject {
  const code = error.code ?? errorCode(error);
  return {
    code,
    message: error.message,
    param: error.param ?? null,
    error: { type: error.kind, code, message: error.message, param: error.param ?? null },
  };
}
