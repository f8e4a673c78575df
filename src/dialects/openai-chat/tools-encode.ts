import type { Json, JsonObject, Message, Request, Tool } from "../../ir/types.js";
import type { Warnings } from "../../ir/warnings.js";
import { emulateCustomTool } from "../custom-tools.js";
import { encodeOpenAIToolChoice } from "../openai-tool-choice.js";
import { flatToolName } from "../tool-identity.js";
import type { ToolMapping } from "../types.js";

const D = "openai-chat" as const;

type ToolCallPart = Extract<Message["content"][number], { type: "tool_call" }>;

/**
 * Which flat names need mapping back: namespaced tools, and custom tools wrapped as functions when the
 * upstream has no `custom` tool type.
 */
export function chatToolMapping(tools: Tool[], customTools: boolean, mapping: ToolMapping): void {
  for (const t of tools) {
    if (t.kind === "raw") continue;
    const name = flatToolName(t.namespace, t.name);
    const wrapped = t.kind === "custom" && !customTools;
    if (wrapped || t.namespace) {
      mapping.set(name, {
        name: t.name,
        kind: t.kind,
        ...(t.namespace ? { namespace: t.namespace } : {}),
        ...(wrapped ? { wrapped: true } : {}),
      });
    }
  }
}

/** An assistant tool call in Chat Completions form. */
export function encodeChatToolCall(p: ToolCallPart, customTools: boolean): JsonObject {
  const name = flatToolName(p.namespace, p.name);
  if (p.kind === "custom") {
    if (customTools) return { id: p.id, type: "custom", custom: { name, input: p.arguments } };
    return { id: p.id, type: "function", function: { name, arguments: JSON.stringify({ input: p.arguments }) } };
  }
  return { id: p.id, type: "function", function: { name, arguments: p.arguments } };
}

/** Tool definitions for Chat Completions; built-ins of other dialects are dropped with a warning. */
export function encodeChatTools(tools: Tool[], customTools: boolean, warnings: Warnings): JsonObject[] {
  const out: JsonObject[] = [];
  tools.forEach((t, i) => {
    if (t.kind === "raw") {
      if (t.dialect === D) out.push(t.value);
      else warnings.toolDropped(t.value, "Chat Completions", `tools[${i}]`);
      return;
    }
    const name = flatToolName(t.namespace, t.name);
    if (t.kind === "custom") {
      if (customTools) {
        const custom: JsonObject = { name };
        if (t.description !== undefined) custom.description = t.description;
        if (t.format) {
          custom.format =
            t.format.type === "grammar"
              ? { type: "grammar", grammar: { syntax: t.format.syntax, definition: t.format.definition } }
              : { type: "text" };
        }
        out.push({ type: "custom", custom });
        return;
      }
      const { description, parameters } = emulateCustomTool(t, "this upstream", warnings, `tools[${i}]`);
      out.push({ type: "function", function: { name, description, parameters } });
      return;
    }
    const fn: JsonObject = { name };
    if (t.description !== undefined) fn.description = t.description;
    fn.parameters = t.parameters ?? { type: "object", properties: {} };
    if (t.strict !== undefined && t.strict !== null) fn.strict = t.strict;
    out.push({ type: "function", function: fn });
  });
  return out;
}

/** tool_choice for Chat Completions. */
export function encodeChatToolChoice(req: Request, customTools: boolean, warnings: Warnings): Json | undefined {
  return encodeOpenAIToolChoice(req, warnings, {
    dialect: D,
    api: "Chat Completions",
    tool(chosen, kind, def): Json {
      const name = def && def.kind !== "raw" ? flatToolName(def.namespace, def.name) : chosen;
      if (kind === "custom" && customTools) return { type: "custom", custom: { name } };
      return { type: "function", function: { name } };
    },
    allowed: (mode, names) => ({
      type: "allowed_tools",
      allowed_tools: { mode, tools: names.map((name) => ({ type: "function", function: { name } })) },
    }),
  });
}
