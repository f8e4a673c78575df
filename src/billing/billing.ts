import type { Usage } from "../ir/types.js";
import type { RequestRecord } from "../request/record.js";
import { usageOf } from "../request/record.js";
import { type Cost, costOf } from "./cost.js";
import type { PriceTable } from "./prices.js";

/**
 * Usage → cost, for the settle stage: the one place a request's cost is computed, and kept on its record
 * so that the budget settlement, the ledger row and the request-log row agree (those rows are written by
 * the request log's writer: src/requestlog/request-log.ts).
 */
export class Billing {
  constructor(
    readonly prices: PriceTable,
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

  /** What a usage costs on a provider's model now (an answer's cost header, before its record is settled). */
  costOfUsage(provider: string, model: string, usage: Usage | undefined): Cost {
    if (!usage || this.free.has(provider)) return { nanos: 0, estimated: false, priced: true };
    return costOf(usage, this.prices.find(model), Date.now());
  }
}
