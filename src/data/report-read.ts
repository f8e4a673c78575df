/**
 * How the reports read the rollups: on PostgreSQL in one transaction at one snapshot (a report of two
 * statements, as the sessions list is, sees one state of the tables), without parallel workers. A report reads
 * a few thousand rollup rows and two hours of rows at most: PostgreSQL's planner still picks a parallel plan
 * for the union of them, whose workers cost more to start than the query takes (measured at 1M rows: 24–57 ms
 * with workers, 10–18 ms without, on a busy two-core machine).
 */

import type { Data } from "./data.js";
import { type Kysely, sql } from "./kysely.js";
import type { Database } from "./schema.js";

export async function reportRead<T>(data: Data, read: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  const db = await data.db();
  if (data.engine !== "postgres") return read(db);
  return db
    .transaction()
    .setIsolationLevel("repeatable read")
    .execute(async (trx) => {
      await sql`set local max_parallel_workers_per_gather = 0`.execute(trx);
      return read(trx);
    });
}
