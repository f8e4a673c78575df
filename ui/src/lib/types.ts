/** The admin API's shapes, as the page reads them (docs/teams.md, docs/routing.md, the request log's API). */

export type Period = "day" | "week" | "month" | "total";
export interface Budget {
  usd: number;
  period: Period;
}
export interface Limits {
  rpm?: number;
  tpm?: number;
  concurrency?: number;
}

export interface Team {
  id: string;
  name: string;
  models: string[] | null;
  budget: Budget | null;
  limits: Limits | null;
  spend_usd?: number;
  budget_remaining_usd?: number | null;
  created_at: string;
  updated_at: string;
}

export interface Key {
  id: string;
  prefix: string;
  name: string;
  user: string | null;
  team_id: string | null;
  models: string[] | null;
  expires_at: string | null;
  disabled: boolean;
  revoked: boolean;
  budget: Budget | null;
  limits: Limits | null;
  credentials: string[];
  spend_usd: number;
  budget_remaining_usd?: number | null;
  created_at: string;
  updated_at: string;
}

export interface MintedKey extends Key {
  key: string;
}

/** GET /admin/v1/me: the signed-in key holder's own key. */
export interface MyKey {
  id: string;
  name: string;
  prefix: string;
  team_id: string | null;
  user: string | null;
  models: string[] | null;
  budget: Budget | null;
  limits: Limits | null;
  expires_at: string | null;
  spend_usd: number;
  remaining_usd: number | null;
}

export type SpendGroup = "key" | "team" | "model" | "user" | "day";
export interface SpendRow {
  group: string | null;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
}
export interface SpendAnswer {
  rows: SpendRow[];
  no_price?: { model: string; requests: number }[];
}

export interface Deployment {
  id: string;
  name: string;
  provider: string;
  model: string;
  aliases: string[];
  weight: number;
  healthy: boolean;
  cooling_until: string | null;
  half_open: boolean;
  in_flight: number;
  ttft_ms: number | null;
  window_requests: number;
  window_errors: number;
  error_rate: number;
  rpm: number | null;
  tpm: number | null;
  rpm_used: number | null;
  tpm_used: number | null;
}

export type Outcome = "ok" | "error" | "aborted" | "refused";

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
  stream: boolean;
  status: number;
  outcome: Outcome;
  error_class: string | null;
  reason: string | null;
  latency_ms: number | null;
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

export type Part =
  | { type: "text"; text: string }
  | { type: "image"; media_type: string | null; url: string | null }
  | { type: "tool_call"; id: string; name: string; arguments: string }
  | { type: "tool_result"; tool_call_id: string; content: string; is_error: boolean }
  | { type: "reasoning"; text: string; redacted: boolean };

export interface Message {
  role: "user" | "assistant" | "tool" | "developer" | "system";
  parts: Part[];
}

export interface Conversation {
  system: string | null;
  tools: { name: string; description: string | null }[];
  messages: Message[];
}

export interface RequestDetail extends RequestRow {
  conversation: Conversation | null;
  answer: Message | null;
  bodies: {
    client_request: string | null;
    upstream_request: string | null;
    upstream_response: string | null;
    client_response: string | null;
  } | null;
}

export interface RequestPage {
  rows: RequestRow[];
  next_before: string | null;
}

export interface StatsBucket {
  time: string;
  requests: number;
  errors: Record<string, number>;
  p50_latency_ms: number | null;
  p95_latency_ms: number | null;
  p50_ttft_ms: number | null;
  p95_ttft_ms: number | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
}

export interface Stats {
  buckets: StatsBucket[];
  top: {
    keys: { id: string; name: string | null; requests: number; cost_usd: number }[];
    teams: { id: string; name: string | null; requests: number; cost_usd: number }[];
    models: { model: string; requests: number; cost_usd: number }[];
  };
}

export type Role = "admin" | "read_only" | "key";

export interface SessionInfo {
  signed_in: boolean;
  role?: Role;
  via?: "admin_key" | "key" | "oidc";
  name?: string;
  email?: string | null;
  key_id?: string | null;
  sign_in: { key: boolean; oidc: { label: string } | null };
}
