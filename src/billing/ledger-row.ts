import type { Insertable } from "kysely";
import { tagsColumn } from "../clients/tags.js";
import type { LedgerTable } from "../data/schema.js";
import { type Outcome, outcomeOf } from "../request/outcome.js";
import { countedUsage, type RequestRecord } from "../request/record.js";
import { deploymentId } from "../routing/deployments.js";
import type { Cost } from "./cost.js";

export type LedgerRow = Insertable<LedgerTable>;

/** What a request that never reached a model costs. */
const NOTHING: Cost = { nanos: 0, estimated: false, priced: true };

/**
 * A settled request made with a minted key as its ledger row: the request log's spend projection (its
 * money columns), kept for good. `cost`: what Billing.cost computed (nothing when it was not asked);
 * `outcome`: the admission's row of a request still running says it was cut (aborted). One object literal,
 * every column in it (an object spread into another costs V8 a slow copy, property by property, and rows
 * are built twice per request); the columns it shares with the request-log row are those of
 * `requestColumns` (src/request/row-columns.ts), in the same order.
 */
export function ledgerRowOf(
  rec: RequestRecord,
  cost: Cost = NOTHING,
  now = performance.now(),
  wall = Date.now(),
  outcome: Outcome = outcomeOf(rec),
): LedgerRow {
  // A refused request reached no upstream: it counts as a refusal, never with tokens.
  const u = rec.model !== undefined ? countedUsage(rec, outcome) : undefined;
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
    key_id: rec.keyId!,
    kind: rec.kind ?? null,
    // A single-deployment alias goes straight through without routing: its deployment is provider/model.
    deployment: rec.deployment ?? (rec.provider && rec.model ? deploymentId(rec.provider, rec.model) : null),
    client: rec.client ?? null,
    tool: rec.clientTool ?? null,
    outcome,
    input_tokens: u?.inputTokens ?? 0,
    output_tokens: u?.outputTokens ?? 0,
    cache_read_tokens: u?.cacheReadTokens ?? 0,
    cache_write_tokens: u?.cacheWriteTokens ?? 0,
    reasoning_tokens: u?.reasoningTokens ?? 0,
    cost_nanos: cost.nanos,
    price: cost.price ? JSON.stringify(cost.price) : null,
    estimated: cost.estimated || !cost.priced ? 1 : 0,
    lease_holder: rec.lease?.holder ?? null,
    lease_at: rec.lease?.at ?? null,
    latency_ms: Math.round(now - rec.startedAt),
    ttft_ms: rec.firstByteAt === undefined ? null : Math.round(rec.firstByteAt - rec.startedAt),
  };
}
