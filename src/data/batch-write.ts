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

/** ES2024's String.prototype.isWellFormed (Node 20 has it; the project's lib is ES2023). */
const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * A value JSON carries as itself, read by PostgreSQL's input function of its column as a parameter's text is. A
 * string with a lone surrogate is not one: JSON escapes it and PostgreSQL refuses the escape, where the driver
 * writes it as U+FFFD.
 */
const jsonScalar = (v: unknown): boolean =>
  v === null ||
  (typeof v === "string" ? wellFormed(v) : typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v)));

/**
 * The columns of rows that can go to PostgreSQL as one JSON parameter: the same columns in every row, every value
 * null, a string, a boolean or a finite number. Otherwise undefined (bytes, a missing column: Kysely's INSERT).
 */
export function jsonColumns(rows: readonly Record<string, unknown>[]): string[] | undefined {
  const first = rows[0] ?? {};
  const columns = Object.keys(first);
  if (columns.length === 0) return undefined;
  for (const row of rows) {
    let n = 0;
    for (const c in row) {
      if (!Object.hasOwn(first, c) || !jsonScalar(row[c])) return undefined;
      n++;
    }
    if (n !== columns.length) return undefined;
  }
  return columns;
}

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * PostgreSQL's INSERT of rows given as one JSON array (`json_populate_recordset` over the table's own row type):
 * one parameter where a multi-row INSERT has one per value, each built into the query by Kysely, then written
 * to the connection by the driver one at a time (a request log row has 45): a settled batch's write costs the
 * gateway about a third less CPU. Each value reaches its column through the same input function as a parameter's
 * text.
 */
export function jsonInsertSql(table: BatchTable, columns: readonly string[]): string {
  const list = columns.map(quoted).join(", ");
  return `insert into ${quoted(table)} (${list}) select ${list} from json_populate_recordset(null::${quoted(table)}, $1::json) on conflict (id) do nothing returning id`;
}

/**
 * A batch in one transaction through Kysely (PostgreSQL, and an in-memory SQLite database): multi-row
 * INSERTs (with `rowsAsJson`, PostgreSQL only: as one JSON parameter when the rows allow, jsonInsertSql), then
 * the statements; the rows or changes each step affected.
 */
export async function writeThrough(
  db: Kysely<Database>,
  ops: readonly CompiledOp[],
  rowsAsJson = false,
): Promise<number[]> {
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
        const rows = op.rows.slice(i, i + ROWS_PER_INSERT);
        const columns = rowsAsJson ? jsonColumns(rows) : undefined;
        if (columns) {
          const sql = jsonInsertSql(op.insert, columns);
          const added = await trx.executeQuery<{ id: unknown }>(CompiledQuery.raw(sql, [JSON.stringify(rows)]));
          for (const r of added.rows) ids.push(r.id);
          continue;
        }
        const added = await trx
          .insertInto(op.insert)
          // biome-ignore lint/suspicious/noExplicitAny: rows of the table named by op.insert
          .values(rows as any)
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
