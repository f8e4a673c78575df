/**
 * Which coding session, and which agent inside it, a request belongs to, from what each tool already sends
 * (recorded from the real programs: the shared real-client fixtures and the tools' own builds):
 *
 * - Claude Code: `x-claude-code-session-id` on every request (also `session_id` inside `metadata.user_id`);
 *   a sub-agent's requests add `x-claude-code-agent-id` and `x-claude-code-parent-agent-id`.
 * - Codex CLI: `session-id` (earlier releases `session_id`, `conversation_id`) and `thread-id`; a sub-agent
 *   runs in a thread of its own and names its parent in `x-codex-parent-thread-id`. The body's
 *   `client_metadata.session_id` and `prompt_cache_key` carry the same session.
 * - OpenCode: `x-session-id` (and `x-session-affinity`), the `ses_…` id of its session.
 * - Cursor: no header (it calls from its own servers); `metadata.cursorConversationId` in the body.
 * - Copilot CLI: no header; its system prompt names its session folder,
 *   `~/.copilot/session-state/<session id>` (the id `copilot --resume=` takes).
 * - Gemini CLI: nothing names its session on the Gemini API (only an installation id): the launchers set
 *   `llmux-session` through `GEMINI_CLI_CUSTOM_HEADERS`.
 * - Anyone: `llmux-session`, `llmux-agent`, `llmux-parent-agent` (what the launchers set).
 *
 * A tool's own header wins over llmux's; a header over the body.
 */
import type { IncomingHttpHeaders } from "node:http";
import { isObject } from "../ir/input-error.js";
import type { Json } from "../ir/types.js";

export interface SessionIds {
  /** The session (conversation) id, as the tool names it. */
  readonly session?: string | undefined;
  /** The agent that sent the request, when the tool runs sub-agents (none: the session's main agent). */
  readonly agent?: string | undefined;
  /** The agent that started this one. */
  readonly parentAgent?: string | undefined;
}

/** Ids are kept as sent, within this length; anything but printable ASCII makes the value unusable. */
const MAX = 128;

function clean(v: unknown): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (typeof s !== "string") return undefined;
  const t = s.trim();
  if (t.length === 0 || !/^[\x21-\x7e]+$/.test(t)) return undefined;
  return t.slice(0, MAX);
}

function first(h: IncomingHttpHeaders, names: readonly string[]): string | undefined {
  for (const n of names) {
    const v = clean(h[n]);
    if (v) return v;
  }
  return undefined;
}

/** Headers that name the session, in the order they are trusted (the tools' own, then llmux's). */
export const SESSION_ID_HEADERS = [
  "x-claude-code-session-id",
  "session-id",
  "session_id",
  "conversation_id",
  "conversation-id",
  "x-codex-session-id",
  "x-session-id",
  "x-session-affinity",
  "llmux-session",
] as const;

/** Copilot CLI's session folder in its system prompt: `…/.copilot/session-state/<uuid>`. */
const COPILOT_SESSION = /\.copilot\/session-state\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/;
/** How much of a system text is searched for it (Copilot's prompt is about 50 KB). */
const SYSTEM_SCAN = 256 * 1024;

/** The system text of a Chat, Messages or Responses body (its first system/developer message, `system`, `instructions`). */
function systemText(body: Record<string, Json>): string {
  if (typeof body.instructions === "string") return body.instructions;
  const sys = body.system;
  if (typeof sys === "string") return sys;
  if (Array.isArray(sys)) return sys.map((b) => (isObject(b) && typeof b.text === "string" ? b.text : "")).join("\n");
  const first = Array.isArray(body.messages) ? body.messages[0] : undefined;
  if (isObject(first) && (first.role === "system" || first.role === "developer")) {
    const c = first.content;
    if (typeof c === "string") return c;
    if (Array.isArray(c)) return c.map((p) => (isObject(p) && typeof p.text === "string" ? p.text : "")).join("\n");
  }
  return "";
}

function copilotSession(body: Record<string, Json>): string | undefined {
  const m = COPILOT_SESSION.exec(systemText(body).slice(0, SYSTEM_SCAN));
  return m ? m[1] : undefined;
}

/** The session as the body names it: Claude Code's metadata, Codex's client metadata, Cursor's conversation. */
function bodySession(body: Json | undefined, copilot = false): string | undefined {
  if (!isObject(body)) return undefined;
  if (copilot) {
    const id = copilotSession(body);
    if (id) return id;
  }
  const meta = body.metadata;
  if (isObject(meta)) {
    if (typeof meta.user_id === "string") {
      const m = /"session_id"\s*:\s*"([^"]+)"/.exec(meta.user_id) ?? /_session_([0-9a-f-]{8,})/i.exec(meta.user_id);
      if (m) return clean(m[1]);
    }
    const cursor = clean(meta.cursorConversationId);
    if (cursor) return cursor;
  }
  if (isObject(body.client_metadata)) {
    const codex = clean(body.client_metadata.session_id);
    if (codex) return codex;
  }
  return clean(body.prompt_cache_key);
}

/** The agent and its parent: Claude Code's sub-agent headers, a Codex sub-agent's thread, or llmux's own. */
function agentOf(h: IncomingHttpHeaders, session: string | undefined): Pick<SessionIds, "agent" | "parentAgent"> {
  const claude = clean(h["x-claude-code-agent-id"]);
  if (claude) return { agent: claude, parentAgent: clean(h["x-claude-code-parent-agent-id"]) };
  const parentThread = clean(h["x-codex-parent-thread-id"]);
  const thread = clean(h["thread-id"]) ?? clean(h.thread_id);
  // A Codex session's main thread is the session itself: only a thread of its own is an agent.
  if (thread && (parentThread || thread !== session)) return { agent: thread, parentAgent: parentThread };
  const own = clean(h["llmux-agent"]);
  if (own) return { agent: own, parentAgent: clean(h["llmux-parent-agent"]) };
  return {};
}

/**
 * The session and agent of a request from its headers and, when read, its body (what only the body says:
 * Cursor's conversation, Claude Code's metadata, Codex's client metadata and `prompt_cache_key`).
 */
export function sessionOf(headers: IncomingHttpHeaders, body?: Json): SessionIds {
  // Copilot CLI's own headers (it sends no session header): its session is read from its system prompt.
  const copilot = headers["x-initiator"] !== undefined && headers["x-interaction-type"] !== undefined;
  const session = first(headers, SESSION_ID_HEADERS) ?? bodySession(body, copilot);
  return { session, ...agentOf(headers, session) };
}
