import type { CompiledOp } from "./batch-write.js";
import type { Kysely } from "./kysely.js";
import type { Database } from "./schema.js";
import { sqliteBatchWriter } from "./sqlite-batch.js";

/** How long a statement of this thread's connection waits for a write lock another connection holds. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Rows a batch may hold to be written on the event loop rather than by the writer thread (sqlite-writer.ts):
 * 16 requests settled within the request log's 100 ms (a ledger and a request-log row each), far more than
 * a team's coding tools send. Measured on a 2-core machine, loop time per batch: 2 rows 0.4 ms, 32 rows
 * 0.75 ms (handing a batch to the thread: 0.1–0.15 ms).
 */
export const HERE_MAX_ROWS = 32;

/** Whether a batch is small enough to write here: a few rows and no statement of its own (a delete of any size). */
export function fitsHere(ops: readonly CompiledOp[]): boolean {
  let rows = 0;
  for (const op of ops) {
    if (!("insert" in op)) return false;
    rows += op.rows.length;
  }
  return rows <= HERE_MAX_ROWS;
}

/** The error of a write lock another connection held (the writer thread, another process). */
export function isBusy(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  return e?.code === "SQLITE_BUSY" || /database is locked/.test(String(e?.message ?? ""));
}

/** The main thread's libsql connection, as the batch writer and the busy timeout use it. */
type RawSqlite = Parameters<typeof sqliteBatchWriter>[0] & { exec(sql: string): unknown };

/**
 * Writes a small batch in one transaction on this thread's own connection (`raw`, the one Kysely's `db`
 * drives), only if the write lock is free at once: the connection is held from Kysely meanwhile (no other
 * statement runs with it, and no transaction of Kysely's is open on it), and its busy timeout is 0 for the
 * transaction, so the event loop never waits for a lock. A lock held elsewhere throws SQLITE_BUSY (`isBusy`)
 * and nothing was written. A commit here may run SQLite's automatic checkpoint (each 1,000 pages of log, some
 * thousands of rows at light traffic's pace), as the admin API's writes on this connection already could.
 */
export function hereWriter(db: Kysely<Database>, raw: RawSqlite): (ops: readonly CompiledOp[]) => Promise<number[]> {
  const write = sqliteBatchWriter(raw);
  return (ops) =>
    db.connection().execute(async () => {
      raw.exec("pragma busy_timeout = 0");
      try {
        return write(ops);
      } finally {
        raw.exec(`pragma busy_timeout = ${BUSY_TIMEOUT_MS}`);
      }
    });
}
