import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { isObject } from "../ir/input-error.js";
import type { Json, JsonObject } from "../ir/types.js";

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.length > 0 ? s : undefined;
}

/** Claude Code's session, inside `metadata.user_id` (a JSON string, or `user_…_session_<uuid>` in older ones). */
function claudeSession(body: JsonObject): string | undefined {
  const meta = body.metadata;
  if (!isObject(meta) || typeof meta.user_id !== "string") return undefined;
  const uid = meta.user_id;
  const m = /"session_id"\s*:\s*"([^"]+)"/.exec(uid) ?? /session_([0-9a-f-]{8,})/i.exec(uid);
  return m?.[1];
}

function cursorConversation(body: JsonObject): string | undefined {
  const meta = body.metadata;
  return isObject(meta) && typeof meta.cursorConversationId === "string" && meta.cursorConversationId
    ? meta.cursorConversationId
    : undefined;
}

/** A chained hash of the conversation's first messages: the same conversation keeps the same prefix. */
function prefixFingerprint(body: JsonObject): string | undefined {
  const messages = Array.isArray(body.messages) ? body.messages : Array.isArray(body.input) ? body.input : undefined;
  const parts: Json[] = [];
  if (body.system !== undefined) parts.push(body.system);
  if (typeof body.instructions === "string") parts.push(body.instructions);
  if (messages) parts.push(...messages.slice(0, 2));
  else if (typeof body.input === "string") parts.push(body.input);
  if (parts.length === 0) return undefined;
  let h = "";
  for (const p of parts) h = createHash("sha256").update(h).update(JSON.stringify(p)).digest("hex");
  return `fp:${h.slice(0, 32)}`;
}

/** Headers that name a conversation, in the order they are trusted. */
const SESSION_HEADERS = [
  // Anyone who wants to choose; OpenCode sends it (and x-session-id).
  "x-session-affinity",
  // Codex CLI: `session-id` today, `session_id` and `conversation_id` in earlier releases.
  "session-id",
  "session_id",
  "conversation_id",
  "conversation-id",
  "x-codex-session-id",
  "x-codex-conversation-id",
  "x-session-id",
  // Claude Code (it also puts the session in metadata.user_id).
  "x-claude-code-session-id",
];

/**
 * Which conversation a request belongs to, from what each tool already sends: a session header (see
 * SESSION_HEADERS: OpenCode, Codex, Claude Code, `x-session-affinity`), Claude Code's session in
 * `metadata.user_id`, Cursor's conversation id, `prompt_cache_key`; otherwise a fingerprint of the
 * conversation's start.
 */
export function affinityKey(headers: IncomingHttpHeaders, body: Json): string | undefined {
  for (const name of SESSION_HEADERS) {
    const v = header(headers, name);
    if (v) return `s:${v}`;
  }
  if (!isObject(body)) return undefined;
  const session = claudeSession(body) ?? cursorConversation(body);
  if (session) return `s:${session}`;
  if (typeof body.prompt_cache_key === "string" && body.prompt_cache_key) return `k:${body.prompt_cache_key}`;
  return prefixFingerprint(body);
}
