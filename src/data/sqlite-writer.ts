import { createRequire } from "node:module";
import { setImmediate as nextTurn } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import type { CompiledOp } from "./batch-write.js";

/**
 * The program of the writer thread (plain JavaScript: it runs as a script of its own, in Node and under
 * test runners alike). It owns a connection of its own to the SQLite file and writes each batch it is
 * sent in one transaction: INSERTs through prepared statements kept per table and columns (a row already
 * there is left as it is; an insert's `took` statements then run over the ids of the rows it added, see
 * WriteOp), then the statements; it answers with the changes of each step, or the error.
 */
const PROGRAM = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.libsql);
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
const value = (v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v === undefined ? null : v);
const write = db.transaction((ops) => ops.map((op) => {
  if (op.sql !== undefined) return db.prepare(op.sql).run(op.parameters.map(value)).changes;
  const ids = [];
  for (const row of op.rows) {
    const cols = Object.keys(row);
    if (insert(op.insert, cols).run(cols.map((c) => value(row[c]))).changes > 0) ids.push(row.id);
  }
  if (ids.length > 0)
    for (const t of op.took || [])
      db.prepare(t.sql).run([...t.parameters.slice(0, -1).map(value), JSON.stringify(ids)]);
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

interface Pending {
  resolve(changes: number[]): void;
  reject(err: Error): void;
}

/**
 * The batched writes of one SQLite file (the spend ledger, the request log, its retention), off the main
 * thread: libsql is synchronous, so a batch written on the main thread holds every request for as long as
 * it takes (tens of milliseconds on a busy disk). The thread (about 8 MB of memory) starts with the first
 * batch and stops after a while without any; it holds the process open only while a batch is on its way,
 * and is started again if it ever dies (the batches it had fail, and their writers spool them: nothing is
 * lost).
 */
export class SqliteWriter {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly settling = new Set<Promise<void>>();
  private seq = 0;
  private closed = false;
  private idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly path: string,
    private readonly idleMs = IDLE_MS,
  ) {}

  /** Whether the thread is there now. */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Writes one batch in one transaction; resolves with the changes of each step once it is committed. */
  write(ops: readonly CompiledOp[]): Promise<number[]> {
    if (this.closed) return Promise.reject(new Error("the database is closed"));
    clearTimeout(this.idle);
    const worker = this.start();
    const id = ++this.seq;
    const done = new Promise<number[]>((resolve, reject) => {
      if (this.pending.size === 0) worker.ref();
      this.pending.set(id, { resolve, reject });
    });
    void this.post(worker, id, ops);
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
      if (this.worker !== worker || !this.pending.has(id)) return;
      const more = at + OPS_PER_MESSAGE < ops.length;
      worker.postMessage({ id, ops: ops.slice(at, at + OPS_PER_MESSAGE), more });
    }
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const libsql = createRequire(import.meta.url).resolve("libsql");
    const worker = new Worker(PROGRAM, { eval: true, workerData: { path: this.path, libsql } });
    worker.unref();
    worker.on("message", (m: { id: number; changes?: number[]; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) {
        worker.unref();
        this.retireLater();
      }
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.changes ?? []);
    });
    const gone = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on("error", gone);
    worker.on("exit", (code) => gone(new Error(`the SQLite writer thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  private retireLater(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      const worker = this.worker;
      if (!worker || this.pending.size > 0) return;
      this.worker = undefined;
      worker.postMessage({ close: true });
    }, this.idleMs);
    this.idle.unref();
  }

  /** Lets the batches on their way finish, then closes the thread's connection. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idle);
    const worker = this.worker;
    if (!worker) return;
    await Promise.all(this.settling);
    if (this.worker !== worker) return;
    this.worker = undefined;
    const exited = new Promise<void>((done) => worker.once("exit", () => done()));
    worker.ref();
    worker.postMessage({ close: true });
    await exited;
  }
}
