/**
 * The tables llmux keeps, as Kysely sees them. One interface per table; `Database` names them. A later
 * migration that adds tables (the request ledger, spend) adds its interfaces here and its entry to
 * `Database`; nothing else has to change. Times are unix seconds (`bigint` on PostgreSQL, read back as
 * numbers); JSON is kept as text so both engines store it the same way; money is integer nano-dollars
 * (src/data/money.ts).
 */
import type { RollupTables, UsageColumns } from "./schema-rollup.js";

export type * from "./schema-rollup.js";

import type { SigninDevicesTable, SigninSessionsTable } from "./schema-signin.js";

export type { SigninDevicesTable, SigninSessionsTable } from "./schema-signin.js";

export interface MetaTable {
  key: string;
  value: string;
}

export interface ResponsesTable {
  owner: string;
  id: string;
  previous_id: string | null;
  created_at: number;
  input: string;
  response: string;
}

export interface ItemsTable {
  owner: string;
  id: string;
  response_id: string;
  item: string;
}

export interface ReasoningTable {
  key: string;
  value: string;
  expires_at: number;
  used_at: number;
}

/** Budgets and limits: stored now, enforced by the admission that reads them. */
export interface QuotaColumns {
  /** Integer nano-dollars (1 USD = 1,000,000,000); null: no budget (006_budget_nanos). */
  budget_nanos: number | null;
  /**
   * The same budget in micro-dollars, as the release before 006_budget_nanos stores it: still written for
   * it during a rolling deploy, and read where it disagrees with `budget_nanos` (src/data/quota.ts).
   */
  budget_micros: number | null;
  /** `day` | `week` | `month` | `total`. */
  budget_period: string | null;
  /** JSON `{rpm?, tpm?, concurrency?}`. */
  limits: string | null;
  /** JSON `{at, to}`: the budget's soft downgrade (141); null: none. */
  budget_downgrade?: string | null;
}

export interface TeamsTable extends QuotaColumns {
  id: string;
  name: string;
  /** JSON array of alias globs; null: every model. */
  models: string | null;
  /** 1: every key of the team is refused (the team and its keys are kept); 0 or null: enabled. */
  disabled?: number | null;
  /** JSON `{servers?, tools?}` of MCP globs; null: every MCP server and tool. */
  mcp?: string | null;
  /** JSON `{"project": "checkout"}`: tags every request of the team's keys carries (042); null: none. */
  tags?: string | null;
  created_at: number;
  updated_at: number;
}

export interface KeysTable extends QuotaColumns {
  /** Public id (`key_…`), shown in logs and the admin API. */
  id: string;
  /** The first characters of the key, to recognise it in a list (`lx-AbC123`). */
  prefix: string;
  /** Hex SHA-256 of the whole key: the secret itself is never stored. */
  hash: string;
  /** The hash of the key this one replaced, accepted until `previous_until` (rotation grace). */
  previous_hash: string | null;
  previous_until: number | null;
  name: string;
  user_label: string | null;
  team_id: string | null;
  models: string | null;
  /** JSON array of the providers the key may reach (a signup key: the one it brought a key for); null: any. */
  providers?: string | null;
  /** JSON `{servers?, tools?}` of MCP globs; null: every MCP server and tool. */
  mcp?: string | null;
  /** JSON `{"project": "checkout"}`: tags every request of the key carries (042); null: none. */
  tags?: string | null;
  expires_at: number | null;
  disabled: number;
  revoked_at: number | null;
  created_at: number;
  updated_at: number;
}

/** An upstream secret a key carries for one provider, sealed with the master key (see src/secrets). */
export interface CredentialsTable {
  key_id: string;
  provider: string;
  /** base64url(nonce ‖ ciphertext ‖ tag), AES-256-GCM. */
  sealed: string;
  /** Which master key sealed it (a fingerprint, never the key). */
  key_version: string;
  created_at: number;
}

/** Counters every instance polls to learn that something changed elsewhere (`identity`: keys and teams). */
export interface RevisionsTable {
  name: string;
  value: number;
}

/** One row per request made with a minted key (the spend ledger), written by the settle stage. */
export interface LedgerTable extends UsageColumns {
  /** llmux's request id (also the idempotency key: a replayed spool row is not counted twice). */
  id: string;
  /** The client's own `x-request-id`, if it sent one (any value, repeats included). */
  client_request_id: string | null;
  /** Unix milliseconds. */
  at: number;
  key_id: string;
  team_id: string | null;
  user_label: string | null;
  /** The model the caller asked for (050_call_kind; null on rows written before). */
  requested_model: string | null;
  /** What kind of call it was: the request log's `kind` (111_ledger_kind; null on rows written before). */
  kind?: string | null;
  alias: string | null;
  provider: string | null;
  deployment: string | null;
  model: string | null;
  client: string | null;
  status: number;
  /** ok | error | aborted | refused */
  outcome: string;
  /** 1 when the usage was estimated by llmux. */
  estimated: number;
  latency_ms: number;
  ttft_ms: number | null;
  /** The coding tool that sent it (src/clients/tool.ts); null for rows written before it was kept. */
  tool: string | null;
  /** The coding session and agent (src/clients/session.ts); null when the request named none. */
  session_id: string | null;
  agent_id: string | null;
  parent_agent_id: string | null;
  /** The request's tags as `,key=value,…,` (sorted), null when none. */
  tags: string | null;
  /** The prices it was costed at (JSON, USD per million tokens, with their source and date; 046). */
  price?: string | null;
  /** The instance whose budget lease admitted it, and when (090): its insert takes its cost off that lease. */
  lease_holder?: string | null;
  lease_at?: number | null;
}

export type { BudgetLeasesTable, BudgetWindowsTable } from "./schema-budget.js";

/**
 * One row per request, whatever its key and however it ended (the request log), written by the settle stage in
 * batches. Times are unix milliseconds; durations are milliseconds (fractions kept); money integer nano-dollars.
 */
export interface RequestLogTable extends UsageColumns {
  /** llmux's request id (the `x-request-id` llmux answers with). */
  id: string;
  /** The client's own `x-request-id`, if it sent one (any value, repeats included). */
  client_request_id: string | null;
  /** When the request arrived, unix milliseconds. */
  at: number;
  key_id: string | null;
  /** The key's name (a minted key's name, `config:…` for a service key); never the key. */
  key_name: string | null;
  team_id: string | null;
  user_label: string | null;
  method: string;
  path: string;
  /**
   * The kind of call (`generate`, `count_tokens`, `models`, `model`, `response_get`, …; 050_call_kind). Null
   * on rows written before: a row that names a requested model was a model call.
   */
  kind: string | null;
  client_dialect: string | null;
  client_tool: string | null;
  /** The coding session and agent (src/clients/session.ts); null when the request named none. */
  session_id: string | null;
  agent_id: string | null;
  parent_agent_id: string | null;
  /** The request's tags as `,key=value,…,` (sorted), null when none. */
  tags: string | null;
  requested_model: string | null;
  alias: string | null;
  provider: string | null;
  deployment: string | null;
  model: string | null;
  /** 1 streamed, 0 not, null unknown (refused before the body was read). */
  stream: number | null;
  /** 0 when no status was written (a client that left first). */
  status: number;
  /** ok | error | aborted | refused */
  outcome: string;
  error_class: string | null;
  reason: string | null;
  latency_ms: number;
  ttft_ms: number | null;
  overhead_ms: number | null;
  estimated: number;
  attempts: number;
  /** The llmux-route header value: what served, and what failed before. */
  route: string | null;
  /** JSON array of {code, message}; null when none. */
  warnings: string | null;
  /** 1 when request_bodies holds this request's bodies. */
  has_bodies: number;
  /** An MCP tool call: its server, the tool's own name, and the MCP session; null for other requests. */
  mcp_server?: string | null;
  mcp_tool?: string | null;
  mcp_session?: string | null;
  /** The guardrails' findings: JSON array of {rule, group, location, action, dry_run}, never a value (131). */
  guardrail_findings?: string | null;
  /**
   * The web searches and page fetches llmux ran for the request (JSON: src/ir/web-tools.ts WebCallsLog), never a
   * fetched page's text; null when none (093).
   */
  web_calls?: string | null;
}

/** The bodies of a logged request (opt-in: logging.bodies), redacted, one compressed JSON document. */
export interface RequestBodiesTable {
  id: string;
  /** Unix milliseconds (for the bodies' own, shorter retention). */
  at: number;
  /** Brotli-compressed JSON: {client_request, upstream_request, upstream_response, client_response, truncated}. */
  data: Uint8Array;
}

/** The caller that made a response or output item an upstream keeps (a passed-through Responses answer). */
export interface UpstreamOwnersTable {
  id: string;
  owner: string;
  /** Unix seconds. */
  created_at: number;
}

/** One change made through the admin API, the CLI or the web UI (051_audit_log); rows are only added. */
export interface AuditLogTable {
  id: string;
  /** Unix milliseconds. */
  at: number;
  /** Who: an admin key (`admin key abcd…`), an OIDC subject's email, a key holder, the CLI's user. */
  actor: string;
  /** How they were known: admin_key | oidc | key | cli. */
  via: string;
  /** Where the change came through: api | ui | cli. */
  source: string;
  /** The client's address (the first X-Forwarded-For hop behind a proxy); null for the CLI on the store. */
  address: string | null;
  /** key.create | key.update | key.revoke | key.rotate | team.create | team.update | team.delete | sign_in | … */
  action: string;
  target_type: string | null;
  target_id: string | null;
  target_name: string | null;
  /** The team the target belongs to (a team admin reads their team's entries). */
  team_id: string | null;
  /** ok | refused */
  outcome: string;
  /** JSON of the target before and after the change (never a secret); null when there was none. */
  before: string | null;
  after: string | null;
  /** Why it was refused (106_audit_reason; never a secret); null when it was not. */
  reason: string | null;
}

/** The price list `llmux prices update` stored (046_prices): one row, `current`. */
/** The routing rules the admin API stored (140_routing_rules): one row, `current`. */
export interface RoutingRulesTable {
  id: string;
  version: number;
  /** JSON array of rules (src/config/schema-rules.ts RuleSchema). */
  rules: string;
  /** Unix milliseconds. */
  updated_at: number;
}

export interface PriceListsTable {
  id: string;
  version: number;
  source: string;
  models: number;
  /** JSON array of price rows (src/billing/prices.ts PriceRow). */
  rows: string;
  /** Unix milliseconds. */
  updated_at: number;
}

/** An alert llmux pushed (043_alerts); never a destination's URL or secret. */
export interface AlertsTable {
  id: string;
  /** Unix milliseconds. */
  at: number;
  rule: string;
  scope: string;
  subject: string;
  window_start: string;
  message: string;
  /** JSON of its figures. */
  fields: string | null;
  /** JSON `[{destination, state, attempts, status?}]`. */
  deliveries: string;
  /** sending | sent | failed | partial */
  state: string;
}

export interface MigrationsTable {
  id: string;
  applied_at: number;
}

/** Web UI sign-ins ended by signing out: a digest of the cookie, until when it is refused (unix seconds). */
/** A vector of the embeddings cache (src/data/embedding-cache.ts): base64 float32, by a digest of what made it. */
export interface EmbeddingCacheTable {
  alias: string;
  digest: string;
  vector: string;
  /** Unix milliseconds. */
  created_at: number;
}

export interface UiSignOutsTable {
  digest: string;
  until: number;
}

/** An MCP server added through the admin API: its settings (JSON, no secrets), its secrets sealed. */
export interface McpServersTable {
  name: string;
  settings: string;
  /** JSON `{env: names[], headers: names[]}`: which secrets are set (their values are in `sealed`). */
  secret_names: string;
  sealed: string | null;
  key_version: string | null;
  created_at: number;
  updated_at: number;
}

/** A key's (`key:<id>`) or team's (`team:<id>`) own credential for an MCP server: env and headers, sealed. */
export interface McpCredentialsTable {
  subject: string;
  server: string;
  secret_names: string;
  sealed: string;
  key_version: string;
  created_at: number;
  updated_at: number;
}

import type { BudgetLeasesTable, BudgetWindowsTable } from "./schema-budget.js";
import type { ConfigEntriesTable, ConfigVersionsTable } from "./schema-config.js";
import type { GuardrailPoliciesTable, GuardrailPolicyVersionTable } from "./schema-guardrails.js";
import type { MemberCapsTable, MemberKeysTable } from "./schema-members.js";

export interface Database extends RollupTables {
  meta: MetaTable;
  responses: ResponsesTable;
  items: ItemsTable;
  reasoning: ReasoningTable;
  teams: TeamsTable;
  api_keys: KeysTable;
  credentials: CredentialsTable;
  revisions: RevisionsTable;
  ledger: LedgerTable;
  budget_windows: BudgetWindowsTable;
  budget_leases: BudgetLeasesTable;
  guardrail_policies: GuardrailPoliciesTable;
  guardrail_policy_version: GuardrailPolicyVersionTable;
  request_log: RequestLogTable;
  request_bodies: RequestBodiesTable;
  upstream_owners: UpstreamOwnersTable;
  ui_signouts: UiSignOutsTable;
  embedding_cache: EmbeddingCacheTable;
  audit_log: AuditLogTable;
  mcp_servers: McpServersTable;
  mcp_credentials: McpCredentialsTable;
  price_lists: PriceListsTable;
  routing_rules: RoutingRulesTable;
  member_caps: MemberCapsTable;
  member_keys: MemberKeysTable;
  config_versions: ConfigVersionsTable;
  config_entries: ConfigEntriesTable;
  alerts: AlertsTable;
  signin_devices: SigninDevicesTable;
  signin_sessions: SigninSessionsTable;
  llmux_migrations: MigrationsTable;
}
