import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import type { Insertable } from "kysely";
import type { Data } from "../data/data.js";
import type { LedgerTable } from "../data/schema.js";

export type LedgerRow = Insertable<LedgerTable>;

export interface LedgerEvents {
  spooled(rows: number, err: unknown): void;
  caughtUp(rows: number): void;
}

const BATCH = 500;

/**
 * The spend ledger's writer. `add` never waits: rows are queued and written in batches shortly after.
 * When the database cannot be reached, the batch is appended to a local spool file (one JSON row per
 * line) and replayed, oldest first, once the database answers again; rows are keyed by request id, so a
 * row written twice is counted once. `close` writes what is queued (to the database, or else the spool).
 */
export class Ledger {
  private queue: LedgerRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private readonly replaying: string;

  constructor(
    private readonly data: Data,
    private readonly spool: string,
    private readonly events: LedgerEvents,
    private readonly flushMs = 100,
    private readonly retryMs = 1000,
  ) {
    this.replaying = `${spool}.replaying`;
    if (existsSync(spool) || existsSync(this.replaying)) this.scheduleReplay(0);
  }

  add(row: LedgerRow): void {
    this.queue.push(row);
    if (this.queue.length >= BATCH) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Rows queued in memory plus any waiting in the spool (for tests and the health view). */
  get queued(): number {
    return this.queue.length;
  }

  get spooling(): boolean {
    return existsSync(this.spool) || existsSync(this.replaying);
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
          this.toSpool(rows, err);
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

  private toSpool(rows: LedgerRow[], err: unknown): void {
    mkdirSync(dirname(this.spool), { recursive: true, mode: 0o700 });
    appendFileSync(this.spool, `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`, { mode: 0o600 });
    this.events.spooled(rows.length, err);
    this.scheduleReplay(this.retryMs);
  }

  private scheduleReplay(ms: number): void {
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.replay();
    }, ms);
    this.retry.unref();
  }

  /** Writes the spool to the database; what cannot be written yet stays for the next try. */
  async replay(): Promise<void> {
    await this.flushing;
    try {
      if (!existsSync(this.replaying)) {
        if (!existsSync(this.spool)) return;
        renameSync(this.spool, this.replaying);
      }
      const rows = readFileSync(this.replaying, "utf8")
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as LedgerRow);
      for (let i = 0; i < rows.length; i += BATCH) await this.insert(rows.slice(i, i + BATCH));
      unlinkSync(this.replaying);
      this.events.caughtUp(rows.length);
      if (existsSync(this.spool)) this.scheduleReplay(0);
    } catch {
      this.scheduleReplay(this.retryMs);
    }
  }

  async close(): Promise<void> {
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    await this.flush();
    if (this.spooling) await this.replay();
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
  }
}
