import type { Compilable, Kysely } from "kysely";
import { CompiledQuery } from "kysely";
import type { Database } from "./schema.js";

/** The tables written in batches (keyed by `id`: a row written twice counts once). */
export type BatchTable = "ledger" | "request_log" | "request_bodies" | "audit_log";

/**
 * One step of a batch written in one transaction: rows inserted into a table keyed by `id` (a row already
 * there is left as it is), or a statement (an UPDATE or DELETE built with the query builder).
 */
export type WriteOp =
  | { readonly insert: BatchTable; readonly rows: readonly Record<string, unknown>[] }
  | { readonly query: Compilable };

/** A step as it is sent to the writer: the statement compiled for the engine. */
export type CompiledOp =
  | { readonly insert: BatchTable; readonly rows: readonly Record<string, unknown>[] }
  | { readonly sql: string; readonly parameters: readonly unknown[] };

export function compileOps(ops: readonly WriteOp[]): CompiledOp[] {
  return ops.map((op) => {
    if ("insert" in op) return op;
    const { sql, parameters } = op.query.compile();
    return { sql, parameters };
  });
}

/** Rows per INSERT statement (PostgreSQL takes at most 65,535 parameters in one; a row has up to ~40). */
const ROWS_PER_INSERT = 500;

/**
 * A batch in one transaction through Kysely (PostgreSQL, and an in-memory SQLite database): multi-row
 * INSERTs, then the statements; the rows or changes each step affected.
 */
export async function writeThrough(db: Kysely<Database>, ops: readonly CompiledOp[]): Promise<number[]> {
  return db.transaction().execute(async (trx) => {
    const changes: number[] = [];
    for (const op of ops) {
      if ("sql" in op) {
        const r = await trx.executeQuery(CompiledQuery.raw(op.sql, [...op.parameters]));
        changes.push(Number(r.numAffectedRows ?? 0));
        continue;
      }
      let n = 0;
      for (let i = 0; i < op.rows.length; i += ROWS_PER_INSERT) {
        const r = await trx
          .insertInto(op.insert)
          // biome-ignore lint/suspicious/noExplicitAny: rows of the table named by op.insert
          .values(op.rows.slice(i, i + ROWS_PER_INSERT) as any)
          .onConflict((oc) => oc.column("id").doNothing())
          .executeTakeFirst();
        n += Number(r.numInsertedOrUpdatedRows ?? 0);
      }
      changes.push(n);
    }
    return changes;
  });
}
