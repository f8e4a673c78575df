import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { Insertable } from "kysely";
import type { Data } from "../data/data.js";
import type { LedgerTable } from "../data/schema.js";

export type LedgerRow = Insertable<LedgerTable>;

export interface LedgerEvents {
  spooled(rows: number, err: unknown): void;
  caughtUp(rows: number): void;
}

const BATCH = 500;
const FILE = /^ledger-(\d+)\.(journal|spool)$/;

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

const lines = (rows: LedgerRow[]) => (rows.length ? `${rows.map((r) => JSON.stringify(r)).join("\n")}\n` : "");

/**
 * The spend ledger's writer; nothing a client saw complete is lost.
 *
 * - `add` appends the row to this process's journal file (one small synchronous append, no wait on the
 *   database) and queues it; batches go to the database shortly after, and the journal is cut down to
 *   the rows still queued. A process killed with -9 leaves its journal behind.
 * - When the database cannot be reached, the batch is appended to this process's spool file and
 *   replayed, oldest first, once the database answers again.
 * - Journals and spools of processes that are gone (a crash, a restart, another worker on this machine)
 *   are replayed by the next process that starts with the same directory. Rows are keyed by request id,
 *   so a row written twice is counted once.
 */
export class Ledger {
  private queue: LedgerRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private readonly journal: string;
  private readonly spool: string;
  private closed = false;

  constructor(
    private readonly data: Data,
    private readonly dir: string,
    private readonly events: LedgerEvents,
    private readonly flushMs = 100,
    private readonly retryMs = 1000,
  ) {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch {
      // An unusable directory is reported by the store's own check at start (naming store.path); rows
      // that cannot be journalled are still written to the database.
    }
    this.journal = join(dir, `ledger-${process.pid}.journal`);
    this.spool = join(dir, `ledger-${process.pid}.spool`);
    if (this.leftovers().length > 0) this.scheduleReplay(0);
  }

  add(row: LedgerRow): void {
    try {
      appendFileSync(this.journal, lines([row]), { mode: 0o600 });
    } catch {
      // No journal (the directory is unusable): the row still goes to the database with the next batch.
    }
    this.queue.push(row);
    if (this.queue.length >= BATCH) void this.flush();
    else if (!this.timer && !this.closed) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  get queued(): number {
    return this.queue.length;
  }

  get spooling(): boolean {
    return existsSync(this.spool);
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const run = async () => {
      while (this.queue.length > 0) {
        const rows = this.queue.splice(0, BATCH);
        try {
          if (this.spooling) throw new Error("earlier rows are still spooled");
          await this.insert(rows);
        } catch (err) {
          appendFileSync(this.spool, lines(rows), { mode: 0o600 });
          this.events.spooled(rows.length, err);
          this.scheduleReplay(this.retryMs);
        }
        // Synchronously after the await: no add() interleaves. What is written or spooled leaves the journal.
        try {
          writeFileSync(this.journal, lines(this.queue), { mode: 0o600 });
        } catch {
          // see add()
        }
      }
    };
    this.flushing = (this.flushing ?? Promise.resolve()).then(run, run);
    return this.flushing;
  }

  private async insert(rows: LedgerRow[]): Promise<void> {
    const db = await this.data.db();
    await db
      .insertInto("ledger")
      .values(rows)
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
  }

  /** Files to replay: this process's spool, and the journals and spools of processes that are gone. */
  private leftovers(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return [];
    }
    return names
      .filter((n) => {
        const m = FILE.exec(n);
        if (!m) return false;
        const pid = Number(m[1]);
        return pid === process.pid ? m[2] === "spool" : !alive(pid);
      })
      .map((n) => join(this.dir, n));
  }

  private scheduleReplay(ms: number): void {
    if (this.retry || this.closed) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.replay();
    }, ms);
    this.retry.unref();
  }

  /** Writes leftover rows to the database; what cannot be written yet stays for the next try. */
  async replay(): Promise<void> {
    await this.flushing;
    let total = 0;
    try {
      for (const file of this.leftovers()) {
        // Taken over under a name of this process's own, so no other process replays it at the same time.
        const mine = file === this.spool ? `${this.spool}.replaying` : `${file}.${process.pid}.replaying`;
        renameSync(file, mine);
        const rows = readFileSync(mine, "utf8")
          .split("\n")
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l) as LedgerRow);
        try {
          for (let i = 0; i < rows.length; i += BATCH) await this.insert(rows.slice(i, i + BATCH));
        } catch (err) {
          // Back where it came from (or onto this process's spool), for the next try.
          appendFileSync(this.spool, lines(rows), { mode: 0o600 });
          unlinkSync(mine);
          throw err;
        }
        unlinkSync(mine);
        total += rows.length;
      }
      if (total > 0) this.events.caughtUp(total);
    } catch {
      this.scheduleReplay(this.retryMs);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    await this.flush();
    if (this.spooling) await this.replay();
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    // Everything reached the database: nothing to leave behind.
    if (this.queue.length === 0 && !this.spooling && existsSync(this.journal)) unlinkSync(this.journal);
  }
}
