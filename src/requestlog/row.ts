import type { Insertable } from "kysely";
import type { Cost } from "../billing/cost.js";
import { tagsColumn } from "../clients/tags.js";
import { findingsColumn } from "../data/guardrail-findings.js";
import type { RequestLogTable } from "../data/schema.js";
import { errorClassOf } from "../request/error-class.js";
import { type Outcome, outcomeOf } from "../request/outcome.js";
import { countedUsage, type RequestRecord } from "../request/record.js";
import { webCallsColumn } from "./web-calls.js";

export type RequestLogRow = Insertable<RequestLogTable>;

const ms = (v: number) => Math.round(v * 100) / 100;

/**
 * What the admission's row says of a request that is still running, over its record: cut now (outcome
 * aborted, the reason, the cost of its estimate). Given apart rather than as a copy of the record.
 */
export interface CutShort {
  readonly outcome: Outcome;
  readonly reason: string;
  readonly cost: Cost;
}

/**
 * A settled request as its request-log row (pure: everything comes from the record and the clock; `cut`: the
 * admission's row of a request still running). One object literal, every column in it: rows are built twice
 * per request on the hot path, and an object spread into another (`{...columns, ...tokens}`) costs V8 a slow
 * copy, property by property, each time. The columns it shares with the ledger row are those of
 * `requestColumns` (src/request/row-columns.ts), in the same order.
 */
export function logRowOf(
  rec: RequestRecord,
  now = performance.now(),
  wall = Date.now(),
  cut?: CutShort,
): RequestLogRow {
  const outcome = cut ? cut.outcome : outcomeOf(rec);
  const u = countedUsage(rec, outcome);
  const failed = outcome === "error" || outcome === "refused";
  const cost = cut ? cut.cost : rec.cost;
  const reason = cut ? cut.reason : rec.reason;
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
    key_id: rec.keyId ?? null,
    key_name: rec.key ?? null,
    method: rec.method,
    path: rec.path,
    kind: rec.kind ?? null,
    client_dialect: rec.client ?? null,
    client_tool: rec.clientTool ?? null,
    deployment: rec.deployment ?? null,
    stream: rec.stream === undefined ? null : rec.stream ? 1 : 0,
    outcome,
    error_class: errorClassOf(cut ? { outcome, status: rec.status, errorClass: rec.errorClass } : rec) ?? null,
    reason: failed || outcome === "aborted" ? (reason ?? null) : null,
    latency_ms: ms(now - rec.startedAt),
    ttft_ms: rec.firstByteAt === undefined ? null : ms(rec.firstByteAt - rec.startedAt),
    overhead_ms: rec.overheadMs === undefined ? null : ms(rec.overheadMs),
    input_tokens: u?.inputTokens ?? 0,
    output_tokens: u?.outputTokens ?? 0,
    cache_read_tokens: u?.cacheReadTokens ?? 0,
    cache_write_tokens: u?.cacheWriteTokens ?? 0,
    reasoning_tokens: u?.reasoningTokens ?? 0,
    // The admission's row is billed at its estimate: estimated.
    estimated: cut || u?.estimated || (cost && (cost.estimated || !cost.priced)) ? 1 : 0,
    cost_nanos: cost?.nanos ?? 0,
    attempts: rec.attempts ?? 0,
    route: rec.route ?? null,
    warnings:
      rec.warnings.length > 0 ? JSON.stringify(rec.warnings.map((w) => ({ code: w.code, message: w.message }))) : null,
    has_bodies: 0,
    mcp_server: rec.toolCall?.server ?? null,
    mcp_tool: rec.toolCall?.tool ?? null,
    mcp_session: rec.toolCall?.session ?? null,
    guardrail_findings: rec.guardrails?.length ? findingsColumn(rec.guardrails) : null,
    web_calls: webCallsColumn(rec.web),
  };
}
