import type { Insertable } from "kysely";
import { tagsColumn } from "../clients/tags.js";
import type { RequestLogTable } from "../data/schema.js";
import { errorClassOf } from "../request/error-class.js";
import { outcomeOf } from "../request/outcome.js";
import { countedUsage, type RequestRecord } from "../request/record.js";

export type RequestLogRow = Insertable<RequestLogTable>;

const ms = (v: number) => Math.round(v * 100) / 100;

/** A settled request as its request-log row (pure: everything comes from the record and the clock). */
export function logRowOf(rec: RequestRecord, now = performance.now(), wall = Date.now()): RequestLogRow {
  const outcome = outcomeOf(rec);
  const u = countedUsage(rec, outcome);
  const failed = outcome === "error" || outcome === "refused";
  return {
    id: rec.id,
    client_request_id: rec.clientRequestId ?? null,
    at: wall - Math.round(now - rec.startedAt),
    key_id: rec.keyId ?? null,
    key_name: rec.key ?? null,
    team_id: rec.teamId ?? null,
    user_label: rec.user ?? null,
    method: rec.method,
    path: rec.path,
    kind: rec.kind ?? null,
    client_dialect: rec.client ?? null,
    client_tool: rec.clientTool ?? null,
    session_id: rec.session?.session ?? null,
    agent_id: rec.session?.agent ?? null,
    parent_agent_id: rec.session?.parentAgent ?? null,
    tags: tagsColumn(rec.tags),
    requested_model: rec.requested ?? null,
    alias: rec.alias ?? null,
    provider: rec.provider ?? null,
    deployment: rec.deployment ?? null,
    model: rec.model ?? null,
    stream: rec.stream === undefined ? null : rec.stream ? 1 : 0,
    status: rec.status ?? 0,
    outcome,
    error_class: errorClassOf(rec) ?? null,
    reason: failed || outcome === "aborted" ? (rec.reason ?? null) : null,
    latency_ms: ms(now - rec.startedAt),
    ttft_ms: rec.firstByteAt === undefined ? null : ms(rec.firstByteAt - rec.startedAt),
    overhead_ms: rec.overheadMs === undefined ? null : ms(rec.overheadMs),
    input_tokens: u?.inputTokens ?? 0,
    output_tokens: u?.outputTokens ?? 0,
    cache_read_tokens: u?.cacheReadTokens ?? 0,
    cache_write_tokens: u?.cacheWriteTokens ?? 0,
    reasoning_tokens: u?.reasoningTokens ?? 0,
    estimated: u?.estimated || (rec.cost && (rec.cost.estimated || !rec.cost.priced)) ? 1 : 0,
    cost_nanos: rec.cost?.nanos ?? 0,
    attempts: rec.attempts ?? 0,
    route: rec.route ?? null,
    warnings:
      rec.warnings.length > 0 ? JSON.stringify(rec.warnings.map((w) => ({ code: w.code, message: w.message }))) : null,
    has_bodies: 0,
    mcp_server: rec.toolCall?.server ?? null,
    mcp_tool: rec.toolCall?.tool ?? null,
    mcp_session: rec.toolCall?.session ?? null,
  };
}
