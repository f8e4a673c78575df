import type { Insertable } from "kysely";
import type { LedgerTable } from "../data/schema.js";
import { outcomeOf } from "../request/outcome.js";
import { countedUsage, type RequestRecord } from "../request/record.js";
import { requestColumns, tokenColumns } from "../request/row-columns.js";
import { deploymentId } from "../routing/deployments.js";
import type { Cost } from "./cost.js";

export type LedgerRow = Insertable<LedgerTable>;

/** What a request that never reached a model costs. */
const NOTHING: Cost = { nanos: 0, estimated: false, priced: true };

/**
 * A settled request made with a minted key as its ledger row: the request log's spend projection (its
 * money columns), kept for good. `cost`: what Billing.cost computed (nothing when it was not asked).
 */
export function ledgerRowOf(
  rec: RequestRecord,
  cost: Cost = NOTHING,
  now = performance.now(),
  wall = Date.now(),
): LedgerRow {
  const outcome = outcomeOf(rec);
  // A refused request reached no upstream: it counts as a refusal, never with tokens.
  const u = rec.model !== undefined ? countedUsage(rec, outcome) : undefined;
  return {
    ...requestColumns(rec, now, wall),
    key_id: rec.keyId!,
    kind: rec.kind ?? null,
    // A single-deployment alias goes straight through without routing: its deployment is provider/model.
    deployment: rec.deployment ?? (rec.provider && rec.model ? deploymentId(rec.provider, rec.model) : null),
    client: rec.client ?? null,
    tool: rec.clientTool ?? null,
    outcome,
    ...tokenColumns(u),
    cost_nanos: cost.nanos,
    price: cost.price ? JSON.stringify(cost.price) : null,
    estimated: cost.estimated || !cost.priced ? 1 : 0,
    lease_holder: rec.lease?.holder ?? null,
    lease_at: rec.lease?.at ?? null,
    latency_ms: Math.round(now - rec.startedAt),
    ttft_ms: rec.firstByteAt === undefined ? null : Math.round(rec.firstByteAt - rec.startedAt),
  };
}
