/**
 * The rows of settled requests, written in batches: each batch's ledger rows, request-log rows and kept
 * bodies in one transaction (off the event loop on SQLite: Data.write). Rows are keyed by request id, so a
 * batch written twice (a journal replayed after a write it raced) counts once. The request-log rows the
 * insert added (only those: a replayed row adds nothing) are summed into the hourly rollup in the same
 * transaction (src/data/stats-rollup.ts).
 */
import type { Insertable } from "kysely";
import type { Data } from "./data.js";
import type { LedgerTable, RequestBodiesTable, RequestLogTable } from "./schema.js";
import { rollupOfAdded } from "./stats-rollup.js";

export interface SettledBatch {
  ledger: Insertable<LedgerTable>[];
  requestLog: Insertable<RequestLogTable>[];
  bodies: Insertable<RequestBodiesTable>[];
}

export async function writeSettled(data: Data, batch: SettledBatch): Promise<void> {
  const db = await data.db();
  await data.write([
    { insert: "ledger", rows: batch.ledger },
    { insert: "request_log", rows: batch.requestLog, took: rollupOfAdded(db, data.engine) },
    { insert: "request_bodies", rows: batch.bodies },
  ]);
}
