import type { Insertable } from "kysely";
import type { Data } from "../data/data.js";
import type { LedgerTable } from "../data/schema.js";
import { type SpoolEvents, SpooledWriter } from "../data/spooled-writer.js";

export type LedgerRow = Insertable<LedgerTable>;

export type LedgerEvents = SpoolEvents;

/**
 * The spend ledger's writer; nothing a client saw complete is lost. Every row is journalled before it is
 * queued, batched to the database, spooled while the database is away and replayed when it returns (see
 * SpooledWriter); rows are keyed by request id, so a row written twice is counted once.
 */
export class Ledger extends SpooledWriter<LedgerRow> {
  constructor(data: Data, dir: string, events: LedgerEvents, flushMs = 100, retryMs = 1000, scanMs = 10_000) {
    super(dir, events, {
      name: "ledger",
      journal: true,
      flushMs,
      retryMs,
      scanMs,
      // One transaction per batch, off the event loop on SQLite (Data.write).
      insert: async (rows) => {
        await data.write([{ insert: "ledger", rows }]);
      },
    });
  }
}
