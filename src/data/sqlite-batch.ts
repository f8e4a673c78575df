import type { CompiledOp } from "./batch-write.js";

/** The part of a libsql connection a batch is written with (better-sqlite3's API). */
interface SqliteHandle {
  prepare(sql: string): { run(params: unknown[]): { changes: number } };
  transaction<A extends unknown[], R>(fn: (...args: A) => R): { immediate(...args: A): R };
}

/**
 * A batch writer over one libsql connection: each batch in one transaction begun as a writer (`BEGIN
 * IMMEDIATE`), its INSERTs through statements prepared once per table and columns (a row already there is left
 * as it is; an insert's `took` statements then run over the ids of the rows it added, see WriteOp), then its
 * statements, prepared once per text too (preparing them was a fifth of the writer's time; bounded: a text
 * never seen again is not kept for good); it returns the changes of each step, or throws (nothing of the
 * batch written).
 *
 * It names nothing outside itself: the SQLite writer thread runs its source (sqlite-writer.ts), and the main
 * thread calls it on its own connection for a small batch (write-here.ts).
 */
export function sqliteBatchWriter(db: SqliteHandle): (ops: readonly CompiledOp[]) => number[] {
  const inserts = new Map<string, ReturnType<SqliteHandle["prepare"]>>();
  const quote = (name: string) => `"${String(name).replace(/"/g, '""')}"`;
  const insert = (table: string, cols: string[]) => {
    const key = `${table}(${cols.join(",")})`;
    let s = inserts.get(key);
    if (!s) {
      s = db.prepare(
        `insert into ${quote(table)} (${cols.map(quote).join(", ")}) values (${cols.map(() => "?").join(", ")}) on conflict (id) do nothing`,
      );
      inserts.set(key, s);
    }
    return s;
  };
  const statements = new Map<string, ReturnType<SqliteHandle["prepare"]>>();
  const statement = (sql: string) => {
    let s = statements.get(sql);
    if (!s) {
      if (statements.size >= 256) statements.clear();
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
  const sameColumns = (a: readonly string[], b: readonly string[]) => {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  };
  const value = (v: unknown) =>
    v instanceof Uint8Array && !Buffer.isBuffer(v)
      ? Buffer.from(v.buffer, v.byteOffset, v.byteLength)
      : v === undefined
        ? null
        : v;
  const write = db.transaction((ops: readonly CompiledOp[]) =>
    ops.map((op) => {
      if (!("insert" in op)) return statement(op.sql).run(op.parameters.map(value)).changes;
      const ids: unknown[] = [];
      // A batch's rows mostly have the same columns: the statement of the row before serves while they do
      // (joining a row's forty-odd column names into a key to look it up cost more than binding its values).
      let cols: string[] = [];
      let stmt: ReturnType<SqliteHandle["prepare"]> | undefined;
      for (const row of op.rows) {
        const keys = Object.keys(row);
        if (!stmt || !sameColumns(keys, cols)) {
          cols = keys;
          stmt = insert(op.insert, cols);
        }
        if (stmt.run(cols.map((c) => value(row[c]))).changes > 0) ids.push(row.id);
      }
      if (ids.length > 0)
        for (const t of op.took ?? [])
          statement(t.sql).run([...t.parameters.slice(0, -1).map(value), JSON.stringify(ids)]);
      return ids.length;
    }),
  );
  return (ops) => write.immediate(ops);
}
