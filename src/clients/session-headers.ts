import type { IncomingHttpHeaders } from "node:http";

/**
 * What a coding tool says of its session in headers: Codex CLI sends `session-id` (0.169), `session_id` and
 * `conversation_id` (earlier releases), `originator` (codex_cli_rs, codex_exec, …) and
 * `x-codex-turn-metadata` (a JSON object; on a WebSocket it comes in the frame's `client_metadata`).
 */
export interface ClientSession {
  readonly sessionId?: string | undefined;
  readonly conversationId?: string | undefined;
  readonly originator?: string | undefined;
  readonly turnMetadata?: string | undefined;
}

/** Header values are bounded: what is kept of each. */
const MAX = 512;

function one(h: IncomingHttpHeaders, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = h[n];
    const s = Array.isArray(v) ? v[0] : v;
    if (s) return s.length > MAX ? s.slice(0, MAX) : s;
  }
  return undefined;
}

/** The session a request's headers name, or undefined when they name none. */
export function clientSessionOf(h: IncomingHttpHeaders): ClientSession | undefined {
  const s: ClientSession = {
    sessionId: one(h, "session-id", "session_id", "x-codex-session-id", "x-session-id"),
    conversationId: one(h, "conversation_id", "conversation-id"),
    originator: one(h, "originator"),
    turnMetadata: one(h, "x-codex-turn-metadata"),
  };
  return s.sessionId || s.conversationId || s.originator || s.turnMetadata ? s : undefined;
}
