/**
 * The rows of settled requests, written in batches: each batch's ledger rows, request-log rows and kept
 * bodies in one transaction (off the event loop on SQLite: Data.write). Rows are keyed by request id, so a
 * batch written twice (a journal replayed after a write it raced) counts once. The rows each insert added
 * (only those: a replayed row adds nothing) are summed into the rollups in the same transaction: the ledger's
 * into the spend rollup (spend-rollup.ts), the request log's into the stats' hourly rollup (stats-rollup.ts)
 * and the sessions' (session-rollup.ts): Data.write adds them to every insert of these tables (rollups.ts).
 */
import type { Insertable } from "kysely";
import type { WriteOp } from "./batch-write.js";
import type { Data } from "./data.js";
import type { LedgerTable, RequestBodiesTable, RequestLogTable } from "./schema.js";

export interface SettledBatch {
  ledger: Insertable<LedgerTable>[];
  requestLog: Insertable<RequestLogTable>[];
  bodies: Insertable<RequestBodiesTable>[];
}

/**
 * Only the tables that have rows in this batch are written: an empty insert would still compile its rollup
 * statements and run them in the writer (its thread, on SQLite), for rows nobody keeps (the request log off,
 * say). A batch with no rows at all is no write.
 */
export async function writeSettled(data: Pick<Data, "write">, batch: SettledBatch): Promise<void> {
  const ops: WriteOp[] = [];
  if (batch.ledger.length > 0) ops.push({ insert: "ledger", rows: batch.ledger });
  if (batch.requestLog.length > 0) ops.push({ insert: "request_log", rows: batch.requestLog });
  if (batch.bodies.length > 0) ops.push({ insert: "request_bodies", rows: batch.bodies });
  if (ops.length > 0) await data.write(ops);
}
