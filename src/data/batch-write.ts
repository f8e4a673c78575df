import type { Compilable, Kysely } from "kysely";
import { CompiledQuery } from "./kysely.js";
import type { Database } from "./schema.js";

/** The tables written in batches (keyed by `id`: a row written twice counts once). */
export type BatchTable = "ledger" | "request_log" | "request_bodies" | "audit_log";

/**
 * One step of a batch written in one transaction: rows inserted into a table keyed by `id` (a row already
 * there is left as it is), or a statement (an UPDATE or DELETE built with the query builder). An insert's
 * `took` statements then run over the rows that insert actually added (not the ones already there): their
 * last parameter is replaced by the JSON array of those rows' ids (nothing runs when it added none).
 */
export type WriteOp =
  | { readonly insert: BatchTable; readonly rows: readonly Record<string, unknown>[]; readonly took?: Compilable[] }
  | { readonly query: Compilable };

interface CompiledStatement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/** A step as it is sent to the writer: the statement compiled for the engine. */
export type CompiledOp =
  | {
      readonly insert: BatchTable;
      readonly rows: readonly Record<string, unknown>[];
      readonly took?: readonly CompiledStatement[];
    }
  | CompiledStatement;

const compiled = (q: Compilable): CompiledStatement => {
  const { sql, parameters } = q.compile();
  return { sql, parameters };
};

export function compileOps(ops: readonly WriteOp[]): CompiledOp[] {
  return ops.map((op) => {
    if ("query" in op) return compiled(op.query);
    return op.took
      ? { insert: op.insert, rows: op.rows, took: op.took.map(compiled) }
      : { insert: op.insert, rows: op.rows };
  });
}

/** A `took` statement's parameters, its last one the ids of the rows the insert added. */
export const withIds = (parameters: readonly unknown[], ids: readonly unknown[]): unknown[] => [
  ...parameters.slice(0, -1),
  JSON.stringify(ids),
];

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
      const ids: unknown[] = [];
      for (let i = 0; i < op.rows.length; i += ROWS_PER_INSERT) {
        const added = await trx
          .insertInto(op.insert)
          // biome-ignore lint/suspicious/noExplicitAny: rows of the table named by op.insert
          .values(op.rows.slice(i, i + ROWS_PER_INSERT) as any)
          .onConflict((oc) => oc.column("id").doNothing())
          .returning("id")
          .execute();
        for (const r of added) ids.push(r.id);
      }
      if (ids.length > 0)
        for (const t of op.took ?? []) await trx.executeQuery(CompiledQuery.raw(t.sql, withIds(t.parameters, ids)));
      changes.push(ids.length);
    }
    return changes;
  });
}
