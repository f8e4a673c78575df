import type { Insertable } from "kysely";
import { findingsColumn } from "../data/guardrail-findings.js";
import type { RequestLogTable } from "../data/schema.js";
import { errorClassOf } from "../request/error-class.js";
import { outcomeOf } from "../request/outcome.js";
import { countedUsage, type RequestRecord } from "../request/record.js";
import { requestColumns, tokenColumns } from "../request/row-columns.js";

export type RequestLogRow = Insertable<RequestLogTable>;

const ms = (v: number) => Math.round(v * 100) / 100;

/** A settled request as its request-log row (pure: everything comes from the record and the clock). */
export function logRowOf(rec: RequestRecord, now = performance.now(), wall = Date.now()): RequestLogRow {
  const outcome = outcomeOf(rec);
  const u = countedUsage(rec, outcome);
  const failed = outcome === "error" || outcome === "refused";
  return {
    ...requestColumns(rec, now, wall),
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
    error_class: errorClassOf(rec) ?? null,
    reason: failed || outcome === "aborted" ? (rec.reason ?? null) : null,
    latency_ms: ms(now - rec.startedAt),
    ttft_ms: rec.firstByteAt === undefined ? null : ms(rec.firstByteAt - rec.startedAt),
    overhead_ms: rec.overheadMs === undefined ? null : ms(rec.overheadMs),
    ...tokenColumns(u),
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
    guardrail_findings: rec.guardrails?.length ? findingsColumn(rec.guardrails) : null,
  };
}
