import type { Json, RawPart, ToolCallPart } from "../ir/types.js";
import type { ToolIdentity, ToolMapping } from "./types.js";

/** The client-side identity of an upstream tool name, if the request encoder renamed or re-shaped it. */
export function identityOf(tools: ToolMapping | undefined, upstreamName: string): ToolIdentity | undefined {
  return tools?.get(upstreamName);
}

/** Unwraps `{"input": "..."}` arguments of a custom tool that was emulated as a function. */
export function unwrapCustomInput(args: string): string {
  try {
    const parsed = JSON.parse(args) as Json;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed) && typeof parsed.input === "string") {
      return parsed.input;
    }
  } catch {
    // not JSON: the model answered with the raw text already
  }
  return args;
}

/** Maps a complete upstream tool call back to what the client declared. */
export function restoreToolCall(part: ToolCallPart, tools: ToolMapping | undefined): ToolCallPart {
  const id = identityOf(tools, part.name);
  if (!id) return part;
  const out: ToolCallPart = { ...part, name: id.name, kind: id.kind };
  if (id.namespace) out.namespace = id.namespace;
  if (id.wrapped) out.arguments = unwrapCustomInput(part.arguments);
  return out;
}

/** Name for a namespaced tool on an upstream without namespaces. */
export function flatToolName(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}__${name}` : name;
}

/**
 * Responses items whose meaning was lifted into the IR when decoding (additional_tools → tools,
 * configuration_update → reasoning effort): other dialects need not carry them, and nothing is lost.
 */
export function isAccountedFor(part: RawPart): boolean {
  return (
    part.dialect === "openai-responses" &&
    (part.value.type === "additional_tools" || part.value.type === "configuration_update")
  );
}
