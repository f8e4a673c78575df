import type { Selectable } from "kysely";
import type { RequestLogTable } from "../data/schema.js";
import type { Bodies } from "./bodies.js";
import type { Conversation, ConversationMessage } from "./conversation.js";

/** A request-log row as the admin API answers it (GET /admin/v1/requests). */
export interface RequestRow {
  id: string;
  time: string;
  key_id: string | null;
  key_name: string | null;
  team_id: string | null;
  user: string | null;
  method: string;
  path: string;
  client_dialect: string | null;
  client_tool: string | null;
  requested_model: string | null;
  alias: string | null;
  provider: string | null;
  deployment: string | null;
  model: string | null;
  stream: boolean | null;
  status: number;
  outcome: string;
  error_class: string | null;
  reason: string | null;
  latency_ms: number;
  ttft_ms: number | null;
  overhead_ms: number | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  estimated: boolean;
  cost_usd: number;
  attempts: number;
  route: string | null;
  warnings: { code: string; message: string }[];
  has_bodies: boolean;
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
    time: new Date(Number(r.at)).toISOString(),
    key_id: r.key_id,
    key_name: r.key_name,
    team_id: r.team_id,
    user: r.user_label,
    method: r.method,
    path: r.path,
    client_dialect: r.client_dialect,
    client_tool: r.client_tool,
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
    input_tokens: Number(r.input_tokens),
    output_tokens: Number(r.output_tokens),
    cache_read_tokens: Number(r.cache_read_tokens),
    cache_write_tokens: Number(r.cache_write_tokens),
    reasoning_tokens: Number(r.reasoning_tokens),
    estimated: Number(r.estimated) === 1,
    cost_usd: Number(r.cost_nanos) / 1e9,
    attempts: Number(r.attempts),
    route: r.route,
    warnings: r.warnings ? (JSON.parse(r.warnings) as { code: string; message: string }[]) : [],
    has_bodies: Number(r.has_bodies) === 1,
  };
}
