import { tagsColumn } from "../clients/tags.js";
import type { Usage } from "../ir/types.js";
import type { RequestRecord } from "./record.js";

/**
 * The columns the ledger (src/billing/ledger-row.ts) and the request log (src/requestlog/row.ts) both keep of
 * a settled request, said once: who and when, the session, the tags, what was asked and where it went.
 */
export function requestColumns(rec: RequestRecord, now: number, wall: number) {
  return {
    id: rec.id,
    client_request_id: rec.clientRequestId ?? null,
    at: wall - Math.round(now - rec.startedAt),
    team_id: rec.teamId ?? null,
    user_label: rec.user ?? null,
    session_id: rec.session?.session ?? null,
    agent_id: rec.session?.agent ?? null,
    parent_agent_id: rec.session?.parentAgent ?? null,
    tags: tagsColumn(rec.tags),
    requested_model: rec.requested ?? null,
    alias: rec.alias ?? null,
    provider: rec.provider ?? null,
    model: rec.model ?? null,
    status: rec.status ?? 0,
  };
}

/** The token columns of both (none counted: zeros). */
export function tokenColumns(u: Usage | undefined) {
  return {
    input_tokens: u?.inputTokens ?? 0,
    output_tokens: u?.outputTokens ?? 0,
    cache_read_tokens: u?.cacheReadTokens ?? 0,
    cache_write_tokens: u?.cacheWriteTokens ?? 0,
    reasoning_tokens: u?.reasoningTokens ?? 0,
  };
}
