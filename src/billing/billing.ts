import type { Usage } from "../ir/types.js";
import type { RequestRecord } from "../request/record.js";
import { usageOf } from "../request/record.js";
import { type Cost, costOf } from "./cost.js";
import type { Price, PriceTable } from "./prices.js";

/**
 * Usage → cost, for the settle stage: the one place a request's cost is computed, and kept on its record
 * so that the budget settlement, the ledger row and the request-log row agree (those rows are written by
 * the request log's writer: src/requestlog/request-log.ts).
 */
export class Billing {
  constructor(
    readonly prices: PriceTable,
    /**
     * Providers priced by their own configuration whatever the model (llmux's built-in mock: `price`), never
     * by the table, and never reported as unpriced.
     */
    private readonly own: ReadonlyMap<string, Price> = new Map(),
  ) {}

  /** The price a provider's model is costed at: the provider's own, else the table's row (undefined: none). */
  priceOf(provider: string | undefined, model: string): (Price & { source?: string }) | undefined {
    const own = provider === undefined ? undefined : this.own.get(provider);
    return own ? { ...own, source: "mock" } : this.prices.find(model);
  }

  /** The request's cost (computed once). Requests that never reached a model cost nothing. */
  cost(rec: RequestRecord): Cost {
    if (rec.cost) return rec.cost;
    // Nothing reached a model, or the upstream refused before answering anything: nothing to pay.
    const nothing = rec.model === undefined || (!rec.usage && rec.outputChars === 0 && (rec.status ?? 0) >= 400);
    const cost = nothing
      ? { nanos: 0, estimated: false, priced: true }
      : costOf(usageOf(rec), this.priceOf(rec.provider, rec.model!), Date.now() - (performance.now() - rec.startedAt));
    // The searches and fetches llmux ran for the answer (its emulated web tools), at their providers' prices.
    const web = rec.web?.nanos ?? 0;
    rec.cost = web > 0 ? { ...cost, nanos: cost.nanos + web } : cost;
    return rec.cost;
  }

  /** What a usage costs on a provider's model now (an answer's cost header, before its record is settled). */
  costOfUsage(provider: string, model: string, usage: Usage | undefined): Cost {
    if (!usage) return { nanos: 0, estimated: false, priced: true };
    return costOf(usage, this.priceOf(provider, model), Date.now());
  }
}
