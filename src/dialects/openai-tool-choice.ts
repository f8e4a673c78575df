import type { Dialect, Json, Request, Tool } from "../ir/types.js";
import type { Warnings } from "../ir/warnings.js";

/** How one OpenAI API writes a choice of one tool and a list of allowed ones. */
export interface ToolChoiceShape {
  /** The dialect whose raw choice passes as it came, and its name in the warning when another's is dropped. */
  readonly dialect: Dialect;
  readonly api: string;
  /** `kind`: the choice's own, else the declared tool's (custom or function); `def`: the declared tool. */
  tool(name: string, kind: "custom" | "function", def: Tool | undefined): Json;
  allowed(mode: "auto" | "required", names: readonly string[]): Json;
}

/** `tool_choice` for Chat Completions or Responses: auto/none/required as they are, the rest by `shape`. */
export function encodeOpenAIToolChoice(req: Request, warnings: Warnings, shape: ToolChoiceShape): Json | undefined {
  const tc = req.toolChoice;
  if (!tc) return undefined;
  switch (tc.type) {
    case "auto":
    case "none":
    case "required":
      return tc.type;
    case "tool": {
      const def = req.tools?.find((t) => t.kind !== "raw" && t.name === tc.name);
      return shape.tool(tc.name, tc.kind ?? (def?.kind === "custom" ? "custom" : "function"), def);
    }
    case "allowed":
      return shape.allowed(tc.mode, tc.names);
    case "raw":
      if (tc.dialect === shape.dialect) return tc.value;
      warnings.add("dropped_field", `this tool_choice has no ${shape.api} equivalent and was dropped`, "tool_choice");
      return undefined;
  }
}
