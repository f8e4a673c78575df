import type { RequestRecord } from "../request/record.js";
import { usageOf } from "../request/record.js";
import { deploymentId } from "../routing/deployments.js";
import { type Cost, costOf } from "./cost.js";
import type { Ledger, LedgerRow } from "./ledger.js";
import type { PriceTable } from "./prices.js";

/**
 * Usage → cost → ledger, for the settle stage: the one place a request's cost is computed (and kept on its
 * record, so the budget settlement and the ledger row agree) and the one writer of spend.
 */
export class Billing {
  constructor(
    readonly prices: PriceTable,
    private readonly ledger: Ledger | undefined,
    /** Providers whose answers cost nothing (llmux's own mock): priced at 0, not reported as unpriced. */
    private readonly free: ReadonlySet<string> = new Set(),
  ) {}

  /** The request's cost (computed once). Requests that never reached a model cost nothing. */
  cost(rec: RequestRecord): Cost {
    if (rec.cost) return rec.cost;
    // Nothing reached a model, or the upstream refused before answering anything: nothing to pay.
    const nothing =
      rec.model === undefined ||
      (rec.provider !== undefined && this.free.has(rec.provider)) ||
      (!rec.usage && rec.outputChars === 0 && (rec.status ?? 0) >= 400);
    const cost = nothing
      ? { nanos: 0, estimated: false, priced: true }
      : costOf(usageOf(rec), this.prices.find(rec.model!), Date.now() - (performance.now() - rec.startedAt));
    rec.cost = cost;
    return cost;
  }

  /** Writes the ledger row of a request made with a minted key (once; never waits on the database). */
  settle(rec: RequestRecord): void {
    if (!this.ledger || rec.keyId === undefined) return;
    this.ledger.add(rowOf(rec, this.cost(rec)));
  }

  close(): Promise<void> {
    return this.ledger?.close() ?? Promise.resolve();
  }
}

export function rowOf(rec: RequestRecord, cost: Cost): LedgerRow {
  const reached = rec.model !== undefined;
  const u = reached ? usageOf(rec) : undefined;
  const now = performance.now();
  return {
    id: rec.id,
    at: Date.now() - Math.round(now - rec.startedAt),
    key_id: rec.keyId!,
    team_id: rec.teamId ?? null,
    user_label: rec.user ?? null,
    alias: rec.alias ?? null,
    provider: rec.provider ?? null,
    // A single-deployment alias goes straight through without routing: its deployment is provider/model.
    deployment: rec.deployment ?? (rec.provider && rec.model ? deploymentId(rec.provider, rec.model) : null),
    model: rec.model ?? null,
    client: rec.client ?? null,
    status: rec.status ?? 0,
    outcome: rec.outcome ?? (rec.status !== undefined && rec.status >= 400 ? "error" : "ok"),
    input_tokens: u?.inputTokens ?? 0,
    output_tokens: u?.outputTokens ?? 0,
    cache_read_tokens: u?.cacheReadTokens ?? 0,
    cache_write_tokens: u?.cacheWriteTokens ?? 0,
    reasoning_tokens: u?.reasoningTokens ?? 0,
    cost_nanos: cost.nanos,
    estimated: cost.estimated || !cost.priced ? 1 : 0,
    latency_ms: Math.round(now - rec.startedAt),
    ttft_ms: rec.firstByteAt === undefined ? null : Math.round(rec.firstByteAt - rec.startedAt),
  };
}
