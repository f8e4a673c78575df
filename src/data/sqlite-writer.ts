import { createRequire } from "node:module";
import { setImmediate as nextTurn } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import { JobThread } from "../thread/job-thread.js";
import type { CompiledOp } from "./batch-write.js";
import { libcFamily, withLibcAnswer } from "./libsql-load.js";
import { sqliteBatchWriter } from "./sqlite-batch.js";
import { BUSY_TIMEOUT_MS, fitsHere, isBusy } from "./write-here.js";

/**
 * The program of the writer thread (plain JavaScript: it runs as a script of its own, in Node and under
 * test runners alike; `withLibcAnswer` and `sqliteBatchWriter` are copied in as their source, which names
 * nothing outside itself). It owns a connection of its own to the SQLite file and writes each batch it is
 * sent in one transaction (sqlite-batch.ts); it answers with the changes of each step, or the error.
 */
const PROGRAM = `
const { parentPort, workerData } = require("node:worker_threads");
// libsql loaded without its diagnostic report, told the family of libc found by the main thread.
const withLibcAnswer = ${withLibcAnswer.toString()};
const Database = withLibcAnswer(workerData.libc, () => require(workerData.libsql));
const db = new Database(workerData.path);
db.exec("pragma busy_timeout = " + workerData.busyTimeoutMs);
db.exec("pragma synchronous = normal");
const write = (${sqliteBatchWriter.toString()})(db);
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

/** Writes a small batch on the main thread's connection (write-here.ts); rejects with SQLITE_BUSY if locked. */
export type WriteHere = (ops: readonly CompiledOp[]) => Promise<number[]>;

/**
 * The batched writes of one SQLite file (the spend ledger, the request log, its retention), off the main
 * thread: libsql is synchronous, so a batch written on the main thread holds every request for as long as
 * it takes (tens of milliseconds on a busy disk). The thread (about 10 MB of memory) starts with the first
 * batch too large to write here and stops after a while without any; it holds the process open only while a
 * batch is on its way, and is started again if it ever dies (the batches it had fail, and their writers spool
 * them: nothing is lost): a `JobThread` (src/thread/job-thread.ts).
 *
 * While the thread is not running, a batch of a few rows (`fitsHere`: a gateway with light traffic, whose
 * batches every 100 ms hold a request or two) is written by `here` on the main thread's connection instead,
 * if the write lock is free at once (a millisecond at most): a laptop's gateway then never starts the thread
 * and its memory. A lock held elsewhere (another process) sends the batch to the thread, as does any larger
 * batch; once the thread runs, every batch goes to it until it stops.
 */
export class SqliteWriter {
  private readonly thread: JobThread<Written>;
  private readonly settling = new Set<Promise<void>>();
  private closed = false;

  constructor(
    path: string,
    private readonly here?: WriteHere,
    idleMs = IDLE_MS,
  ) {
    this.thread = new JobThread<Written>(
      () => {
        const libsql = createRequire(import.meta.url).resolve("libsql");
        return new Worker(PROGRAM, {
          eval: true,
          workerData: { path, libsql, libc: libcFamily(), busyTimeoutMs: BUSY_TIMEOUT_MS },
        });
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
    const here = this.here;
    const done =
      here && !this.thread.running && fitsHere(ops)
        ? here(ops).catch((err: unknown) => {
            if (isBusy(err)) return this.toThread(ops);
            throw err;
          })
        : this.toThread(ops);
    const settled = done.then(
      () => undefined,
      () => undefined,
    );
    this.settling.add(settled);
    void settled.then(() => this.settling.delete(settled));
    return done;
  }

  /** A batch written by the thread (started for it if it is not running). */
  private toThread(ops: readonly CompiledOp[]): Promise<number[]> {
    return this.thread
      .run((worker, id) => void this.post(worker, id, ops))
      .then((m) => {
        if (m instanceof Error) throw m;
        if (m.error !== undefined) throw new Error(m.error);
        return m.changes ?? [];
      });
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
