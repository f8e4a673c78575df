import type { Billing } from "../billing/billing.js";
import type { Logger } from "../observe/logger.js";
import type { Observe } from "../observe/observe.js";
import { finalise, type RequestRecord } from "../request/record.js";
import type { RequestLog } from "../requestlog/request-log.js";

/** What the settle stage writes to: metrics and traces, the log line, the spend ledger, the request log. */
export interface SettleParts {
  readonly logger: Logger;
  readonly billing: Billing;
  readonly requestLog: RequestLog | undefined;
  /** Metrics, traces, the overhead (set on the record before its log line and row are written), recordings. */
  readonly observe: Observe;
}

/**
 * The settle stage, once per request however it ended (the first call counts): its cost, its metrics and
 * trace (and overhead), its log line, its request log row and ledger row. The gateway calls it as the answer
 * ends, before its last bytes leave. Nothing here waits on a database: the rows are journalled (one line),
 * queued, and written in batches.
 */
export function settle(parts: SettleParts, rec: RequestRecord): void {
  if (rec.done) return;
  if (rec.model !== undefined) parts.billing.cost(rec);
  parts.observe.settle(rec);
  finalise(parts.logger, rec);
  // The request-log row (and its bodies when kept) and, for a minted key, the ledger row: one journalled write.
  parts.requestLog?.record(rec);
  // Whoever reads the captured bodies holds them from here (the request log's batch, the recorder's queue).
  rec.capture = undefined;
}
