/**
 * The rows of settled requests, written in batches: each batch's ledger rows, request-log rows and kept
 * bodies in one transaction (off the event loop on SQLite: Data.write). Rows are keyed by request id, so a
 * batch written twice (a journal replayed after a write it raced) counts once. The rows each insert added
 * (only those: a replayed row adds nothing) are summed into the rollups in the same transaction: the ledger's
 * into the spend rollup (spend-rollup.ts), the request log's into the stats' hourly rollup (stats-rollup.ts)
 * and the sessions' (session-rollup.ts): Data.write adds them to every insert of these tables (rollups.ts).
 */
import type { Insertable } from "kysely";
import type { Data } from "./data.js";
import type { LedgerTable, RequestBodiesTable, RequestLogTable } from "./schema.js";

export interface SettledBatch {
  ledger: Insertable<LedgerTable>[];
  requestLog: Insertable<RequestLogTable>[];
  bodies: Insertable<RequestBodiesTable>[];
}

export async function writeSettled(data: Data, batch: SettledBatch): Promise<void> {
  await data.write([
    { insert: "ledger", rows: batch.ledger },
    { insert: "request_log", rows: batch.requestLog },
    { insert: "request_bodies", rows: batch.bodies },
  ]);
}
