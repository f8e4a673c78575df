import type { IncomingHttpHeaders } from "node:http";
import { isObject } from "../ir/input-error.js";
import type { Dialect, Json } from "../ir/types.js";

export type ClientName = "cursor" | "generic";

/**
 * A Chat Completions body that is really a Responses request (`input`, no `messages` array): what Cursor's
 * 2026 builds POST to /chat/completions while still expecting Chat chunks back.
 */
export function isResponsesShaped(body: Json): boolean {
  return isObject(body) && body.input !== undefined && body.input !== null && !Array.isArray(body.messages);
}

const CURSOR_TOOLS = new Set([
  "ApplyPatch",
  "codebase_search",
  "run_terminal_cmd",
  "grep_search",
  "edit_file",
  "read_file",
  "list_dir",
  "file_search",
  "delete_file",
  "fetch_rules",
]);

function cursorTools(body: Record<string, Json>): boolean {
  if (!Array.isArray(body.tools)) return false;
  let hits = 0;
  for (const t of body.tools) {
    if (!isObject(t)) continue;
    const name = isObject(t.function) ? t.function.name : isObject(t.custom) ? t.custom.name : t.name;
    if (typeof name === "string" && CURSOR_TOOLS.has(name)) {
      if (name === "ApplyPatch" || ++hits >= 3) return true;
    }
  }
  return false;
}

function echoesThinkTags(body: Record<string, Json>): boolean {
  const list = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : [];
  for (const m of list) {
    if (!isObject(m) || m.role !== "assistant") continue;
    const c = m.content;
    if (typeof c === "string" ? c.includes("<think>") : JSON.stringify(c ?? "").includes("<think>")) return true;
  }
  return false;
}

/**
 * Recognises Cursor, which calls from its own servers with generic user agents: by the body (its metadata,
 * Responses-shaped bodies on the chat route, its tool set, think tags it echoes) or by the /cursor path.
 */
export function detectClient(
  route: Dialect,
  path: string,
  headers: IncomingHttpHeaders,
  body: Json,
  always: boolean,
): ClientName {
  if (route !== "openai-chat" || !isObject(body)) return "generic";
  if (always || path.startsWith("/cursor/") || path.startsWith("/v1/cursor/")) return "cursor";
  const meta = body.metadata;
  if (isObject(meta) && (meta.cursorConversationId !== undefined || meta.cursorRequestId !== undefined))
    return "cursor";
  if (String(headers["user-agent"] ?? "").startsWith("Cursor/")) return "cursor";
  if (isResponsesShaped(body) || cursorTools(body) || echoesThinkTags(body)) return "cursor";
  return "generic";
}
