/**
 * The request log's retention: the oldest rows (or bodies) past a time deleted a bounded batch per
 * transaction, so no statement holds a long lock and nothing large is held in memory. The ledger is never
 * pruned: budgets over `total` and the spend report read all of it. Request-log rows go by whole hours,
 * with the hourly rollups of those hours (the stats', src/data/stats-rollup.ts, and the sessions',
 * src/data/session-rollup.ts), so the stats and the sessions list still equal the rows.
 */
import type { Data } from "./data.js";
import { pruneWholeHours } from "./stats-rollup.js";

/**
 * Deletes up to `limit` of the oldest rows of `table` before `beforeMs` (by time, then id) in one
 * transaction; returns how many went. Request-log rows go only when their whole hour is before `beforeMs`.
 * Bodies that go are unmarked on their rows (`has_bodies`).
 */
export async function pruneOldest(
  data: Data,
  table: "request_log" | "request_bodies",
  beforeMs: number,
  limit: number,
): Promise<number> {
  const db = await data.db();
  if (table === "request_log") return pruneWholeHours(db, (ops) => data.write(ops), beforeMs, limit);
  // The same rows for every statement of the batch.
  const oldest = () =>
    db.selectFrom(table).select("id").where("at", "<", beforeMs).orderBy("at").orderBy("id").limit(limit);
  const changes = await data.write([
    { query: db.updateTable("request_log").set({ has_bodies: 0 }).where("id", "in", oldest()) },
    { query: db.deleteFrom("request_bodies").where("id", "in", oldest()) },
  ]);
  return changes[changes.length - 1] ?? 0;
}
