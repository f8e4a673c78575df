/**
 * Which coding session gave a tool_use: Claude Code's MCP calls carry no session header, but name the
 * tool_use they run in `params._meta["claudecode/toolUseId"]`, the id of a tool_use block llmux relayed on
 * `/v1/messages` under the session. Each such id is kept (per caller, an hour, in the hot state: any instance
 * may take the MCP call) as the answer gives it; the MCP endpoint reads it back for the call's log row.
 */
import type { SessionIds } from "../clients/session.js";
import type { HotState } from "../state/hot-state.js";
import { hotKeys } from "../state/keys.js";

const TTL_MS = 3_600_000;
/** A tool_use id as Claude Code sends it back: bounded, printable ASCII. */
const ID = /^[\x21-\x7e]{1,128}$/;

/** Keeps the session of a tool_use the answer gives the client (fire and forget: never holds the answer up). */
export function rememberToolUse(hot: HotState, owner: string, id: string, session: SessionIds): void {
  if (!session.session || !ID.test(id)) return;
  const value = JSON.stringify({ session: session.session, agent: session.agent, parentAgent: session.parentAgent });
  void hot.set(hotKeys.toolUse(owner, id), value, TTL_MS).catch(() => undefined);
}

/** The session a tool_use id was given under, for this caller (undefined: unknown, expired, or another's). */
export async function toolUseSession(hot: HotState, owner: string, id: unknown): Promise<SessionIds | undefined> {
  if (typeof id !== "string" || !ID.test(id)) return undefined;
  const raw = await hot.get(hotKeys.toolUse(owner, id)).catch(() => undefined);
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as { session?: unknown; agent?: unknown; parentAgent?: unknown };
    if (typeof v.session !== "string") return undefined;
    return {
      session: v.session,
      agent: typeof v.agent === "string" ? v.agent : undefined,
      parentAgent: typeof v.parentAgent === "string" ? v.parentAgent : undefined,
    };
  } catch {
    return undefined;
  }
}
