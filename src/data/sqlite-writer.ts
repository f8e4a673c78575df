import { createRequire } from "node:module";
import { setImmediate as nextTurn } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import { JobThread } from "../thread/job-thread.js";
import type { CompiledOp } from "./batch-write.js";
import { libcFamily, withLibcAnswer } from "./libsql-load.js";

/**
 * The program of the writer thread (plain JavaScript: it runs as a script of its own, in Node and under
 * test runners alike; `withLibcAnswer` is copied in as its source, which names nothing outside itself). It
 * owns a connection of its own to the SQLite file and writes each batch it is sent in one transaction:
 * INSERTs through prepared statements kept per table and columns (a row already there is left as it is; an
 * insert's `took` statements then run over the ids of the rows it added, see WriteOp), then the statements
 * (prepared once per text, too); it answers with the changes of each step, or the error.
 */
const PROGRAM = `
const { parentPort, workerData } = require("node:worker_threads");
// libsql loaded without its diagnostic report, told the family of libc found by the main thread.
const withLibcAnswer = ${withLibcAnswer.toString()};
const Database = withLibcAnswer(workerData.libc, () => require(workerData.libsql));
const db = new Database(workerData.path);
db.exec("pragma busy_timeout = 5000");
db.exec("pragma synchronous = normal");
const inserts = new Map();
const quote = (name) => '"' + String(name).replace(/"/g, '""') + '"';
const insert = (table, cols) => {
  const key = table + "(" + cols.join(",") + ")";
  let s = inserts.get(key);
  if (!s) {
    s = db.prepare("insert into " + quote(table) + " (" + cols.map(quote).join(", ") + ") values (" +
      cols.map(() => "?").join(", ") + ") on conflict (id) do nothing");
    inserts.set(key, s);
  }
  return s;
};
// The statements of a batch (its rollups, a retention delete) are the same few texts every time: prepared once
// (preparing them was a fifth of the thread's time). Bounded: a text never seen again is not kept for good.
const statements = new Map();
const statement = (sql) => {
  let s = statements.get(sql);
  if (!s) {
    if (statements.size >= 256) statements.clear();
    s = db.prepare(sql);
    statements.set(sql, s);
  }
  return s;
};
const value = (v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v === undefined ? null : v);
const write = db.transaction((ops) => ops.map((op) => {
  if (op.sql !== undefined) return statement(op.sql).run(op.parameters.map(value)).changes;
  const ids = [];
  for (const row of op.rows) {
    const cols = Object.keys(row);
    if (insert(op.insert, cols).run(cols.map((c) => value(row[c]))).changes > 0) ids.push(row.id);
  }
  if (ids.length > 0)
    for (const t of op.took || [])
      statement(t.sql).run([...t.parameters.slice(0, -1).map(value), JSON.stringify(ids)]);
  return ids.length;
}));
const parts = new Map();
parentPort.on("message", (m) => {
  if (m.close) {
    db.close();
    parentPort.close();
    return;
  }
  // A large batch comes in parts: it is written, in one transaction, once its last part came.
  if (m.more) {
    const got = parts.get(m.id);
    if (got) got.push(...m.ops);
    else parts.set(m.id, [...m.ops]);
    return;
  }
  const earlier = parts.get(m.id);
  parts.delete(m.id);
  try {
    parentPort.postMessage({ id: m.id, changes: write(earlier ? [...earlier, ...m.ops] : m.ops) });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String((err && err.message) || err) });
  }
});
`;

/** Steps of a batch per message to the thread (a step writes at most a few hundred rows). */
export const OPS_PER_MESSAGE = 4;

/** A writer thread with nothing to write for this long stops (a new batch starts another). */
const IDLE_MS = 30_000;

/** What the thread answers a batch with: the changes of each step, or the error. */
interface Written {
  readonly id: number;
  readonly changes?: number[];
  readonly error?: string;
}

/**
 * The batched writes of one SQLite file (the spend ledger, the request log, its retention), off the main
 * thread: libsql is synchronous, so a batch written on the main thread holds every request for as long as
 * it takes (tens of milliseconds on a busy disk). The thread (about 8 MB of memory) starts with the first
 * batch and stops after a while without any; it holds the process open only while a batch is on its way,
 * and is started again if it ever dies (the batches it had fail, and their writers spool them: nothing is
 * lost): a `JobThread` (src/thread/job-thread.ts).
 */
export class SqliteWriter {
  private readonly thread: JobThread<Written>;
  private readonly settling = new Set<Promise<void>>();
  private closed = false;

  constructor(path: string, idleMs = IDLE_MS) {
    this.thread = new JobThread<Written>(
      () => {
        const libsql = createRequire(import.meta.url).resolve("libsql");
        return new Worker(PROGRAM, { eval: true, workerData: { path, libsql, libc: libcFamily() } });
      },
      "the SQLite writer thread",
      idleMs,
    );
  }

  /** Whether the thread is there now. */
  get running(): boolean {
    return this.thread.running;
  }

  /** Writes one batch in one transaction; resolves with the changes of each step once it is committed. */
  write(ops: readonly CompiledOp[]): Promise<number[]> {
    if (this.closed) return Promise.reject(new Error("the database is closed"));
    const done = this.thread
      .run((worker, id) => void this.post(worker, id, ops))
      .then((m) => {
        if (m instanceof Error) throw m;
        if (m.error !== undefined) throw new Error(m.error);
        return m.changes ?? [];
      });
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    this.settling.add(settled);
    void settled.then(() => this.settling.delete(settled));
    return done;
  }

  /**
   * Sends a batch to the thread, `OPS_PER_MESSAGE` steps per message with a turn of the event loop between: a
   * message is copied on the main thread, and one of 30 MB (a Response of 60,000 items) held it for 0.6 s.
   */
  private async post(worker: Worker, id: number, ops: readonly CompiledOp[]): Promise<void> {
    for (let at = 0; at === 0 || at < ops.length; at += OPS_PER_MESSAGE) {
      if (at > 0) await nextTurn();
      // The thread died meanwhile: the batch was failed with it.
      if (!this.thread.waits(worker, id)) return;
      const more = at + OPS_PER_MESSAGE < ops.length;
      worker.postMessage({ id, ops: ops.slice(at, at + OPS_PER_MESSAGE), more });
    }
  }

  /** Lets the batches on their way finish, then closes the thread's connection. */
  async close(): Promise<void> {
    this.closed = true;
    await this.thread.close(() => Promise.all(this.settling));
  }
}
