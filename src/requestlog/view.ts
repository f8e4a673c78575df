import type { Selectable } from "kysely";
import { findingsOfColumn, type StoredFinding } from "../data/guardrail-findings.js";
import type { RequestLogTable } from "../data/schema.js";
import { tokensOf } from "../data/usage-totals.js";
import type { WebCallsLog } from "../ir/web-tools.js";
import type { Bodies } from "./bodies.js";
import type { Conversation, ConversationMessage } from "./conversation.js";
import { webCallsOfColumn } from "./web-calls.js";

/** The request-log columns the admin API answers as they are stored (src/data/schema.ts says what each is). */
type AsStored = "id" | "client_request_id" | "key_id" | "key_name" | "team_id" | "method" | "path" | "kind";
type AsStoredToo = "client_dialect" | "client_tool" | "session_id" | "agent_id" | "parent_agent_id";
type RouteAsStored = "requested_model" | "alias" | "provider" | "deployment" | "model" | "attempts" | "route";
type OutcomeAsStored = "status" | "outcome" | "error_class" | "reason" | "latency_ms" | "ttft_ms" | "overhead_ms";
type TokensAsStored =
  | "input_tokens"
  | "output_tokens"
  | "cache_read_tokens"
  | "cache_write_tokens"
  | "reasoning_tokens";

/**
 * A request-log row as the admin API answers it (GET /admin/v1/requests): the stored columns, with the time as
 * ISO text, flags as booleans, the cost in dollars and the warnings parsed.
 */
export interface RequestRow
  extends Pick<RequestLogTable, AsStored | AsStoredToo | RouteAsStored | OutcomeAsStored | TokensAsStored> {
  time: string;
  user: string | null;
  model_call: boolean;
  stream: boolean | null;
  /** Cache-read input ÷ all input (null: no input). */
  cache_hit_rate: number | null;
  estimated: boolean;
  cost_usd: number;
  warnings: { code: string; message: string }[];
  has_bodies: boolean;
  /** An MCP tool call: its server, the tool's own name and the MCP session (absent for other requests). */
  mcp_server?: string;
  mcp_tool?: string;
  mcp_session?: string | null;
  /** What the guardrails found (rule, group, place, action, dry run), never a value; [] when nothing. */
  guardrail_findings?: StoredFinding[];
  /** The web searches and page fetches llmux ran (its emulated web tools), never a page's text; null when none. */
  web: WebCallsLog | null;
}

/** One request in full (GET /admin/v1/requests/{id}). */
export interface RequestDetail extends RequestRow {
  conversation: Conversation | null;
  answer: ConversationMessage | null;
  bodies: Omit<Bodies, "truncated"> | null;
  /** Which bodies were cut at `logging.body_max_kb`. */
  truncated: string[];
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function rowView(r: Selectable<RequestLogTable>): RequestRow {
  return {
    id: r.id,
    client_request_id: r.client_request_id ?? null,
    time: new Date(Number(r.at)).toISOString(),
    key_id: r.key_id,
    key_name: r.key_name,
    team_id: r.team_id,
    user: r.user_label,
    method: r.method,
    path: r.path,
    kind: r.kind ?? null,
    model_call:
      r.kind === "generate" ||
      r.kind === "embeddings" ||
      r.kind === "completions" ||
      r.kind === "rerank" ||
      ((r.kind ?? null) === null && r.requested_model !== null),
    client_dialect: r.client_dialect,
    client_tool: r.client_tool,
    session_id: r.session_id ?? null,
    agent_id: r.agent_id ?? null,
    parent_agent_id: r.parent_agent_id ?? null,
    requested_model: r.requested_model,
    alias: r.alias,
    provider: r.provider,
    deployment: r.deployment,
    model: r.model,
    stream: r.stream === null ? null : Number(r.stream) === 1,
    status: Number(r.status),
    outcome: r.outcome,
    error_class: r.error_class,
    reason: r.reason,
    latency_ms: Number(r.latency_ms),
    ttft_ms: num(r.ttft_ms),
    overhead_ms: num(r.overhead_ms),
    ...tokensOf(r),
    cache_hit_rate: Number(r.input_tokens) > 0 ? Number(r.cache_read_tokens) / Number(r.input_tokens) : null,
    estimated: Number(r.estimated) === 1,
    cost_usd: Number(r.cost_nanos) / 1e9,
    attempts: Number(r.attempts),
    route: r.route,
    warnings: r.warnings ? (JSON.parse(r.warnings) as { code: string; message: string }[]) : [],
    has_bodies: Number(r.has_bodies) === 1,
    guardrail_findings: findingsOfColumn(r.guardrail_findings),
    web: webCallsOfColumn(r.web_calls),
    ...(r.mcp_server
      ? { mcp_server: r.mcp_server, mcp_tool: r.mcp_tool ?? "", mcp_session: r.mcp_session ?? null }
      : {}),
  };
}
