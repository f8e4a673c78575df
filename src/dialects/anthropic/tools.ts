import type { Json, JsonObject, Request, Tool } from "../../ir/types.js";
import type { Warnings } from "../../ir/warnings.js";
import { emulateCustomTool } from "../custom-tools.js";
import { flatToolName } from "../tool-identity.js";
import type { ToolMapping } from "../types.js";

const D = "anthropic" as const;

/**
 * Tool definitions for Anthropic: namespaced tools get flat names, free-form (custom) tools become a
 * function with one string `input` (recorded in `mapping` so calls are unwrapped on the way back), and
 * tools outside an allowed_tools choice are left out.
 */
export function encodeAnthropicTools(
  req: Request,
  tools: Tool[],
  warnings: Warnings,
  mapping: ToolMapping,
): JsonObject[] {
  const out: JsonObject[] = [];
  const tc = req.toolChoice;
  const allowed = tc?.type === "allowed" ? new Set(tc.names) : undefined;
  tools.forEach((t, i) => {
    if (allowed && t.kind !== "raw" && !allowed.has(t.name)) return;
    if (t.kind === "raw") {
      if (t.dialect === D) out.push(t.value);
      else
        warnings.add(
          "tool_dropped",
          `built-in tool '${String(t.value.type ?? Object.keys(t.value)[0])}' has no Anthropic equivalent and was dropped`,
          `tools[${i}]`,
        );
      return;
    }
    const name = flatToolName(t.namespace, t.name);
    if (t.kind === "custom") {
      mapping.set(name, {
        name: t.name,
        kind: "custom",
        wrapped: true,
        ...(t.namespace ? { namespace: t.namespace } : {}),
      });
      const { description, parameters } = emulateCustomTool(t, "Anthropic", warnings, `tools[${i}]`);
      out.push({ name, description, input_schema: parameters });
      return;
    }
    if (t.namespace) mapping.set(name, { name: t.name, kind: "function", namespace: t.namespace });
    const def: JsonObject = { name, input_schema: (t.parameters as Json) ?? { type: "object", properties: {} } };
    if (t.description !== undefined) def.description = t.description;
    if (t.strict === true) def.strict = true;
    if (t.cacheControl != null) def.cache_control = t.cacheControl;
    if (t.extras?.dialect === D) Object.assign(def, t.extras.fields);
    else if (t.extras) warnings.dropped(t.extras.fields, "Anthropic tools", `tools[${i}].`);
    out.push(def);
  });
  return out;
}

/** tool_choice for Anthropic; a forced choice cannot be combined with thinking. */
export function encodeAnthropicToolChoice(
  req: Request,
  thinkingOn: boolean,
  warnings: Warnings,
): JsonObject | undefined {
  const tc = req.toolChoice;
  let out: JsonObject | undefined;
  if (tc) {
    switch (tc.type) {
      case "auto":
        out = { type: "auto" };
        break;
      case "none":
        out = { type: "none" };
        break;
      case "required":
        out = { type: "any" };
        break;
      case "tool":
        out = { type: "tool", name: tc.name };
        break;
      case "allowed": {
        warnings.add(
          "allowed_tools",
          "allowed_tools has no Anthropic equivalent; tools outside the list were removed instead",
          "tool_choice",
        );
        out = { type: tc.mode === "required" ? "any" : "auto" };
        break;
      }
      case "raw":
        if (tc.dialect === D) out = tc.value as JsonObject;
        else
          warnings.add("dropped_field", "this tool_choice has no Anthropic equivalent and was dropped", "tool_choice");
        break;
    }
  }
  if (thinkingOn && out && (out.type === "any" || out.type === "tool")) {
    warnings.add(
      "tool_choice_relaxed",
      "a forced tool_choice cannot be combined with thinking; it became 'auto'",
      "tool_choice",
    );
    out = { type: "auto" };
  }
  if (req.parallelToolCalls === false && out?.type !== "none") {
    out = { ...(out ?? { type: "auto" }), disable_parallel_tool_use: true };
  }
  return out;
}
