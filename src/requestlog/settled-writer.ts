import { releaseLeasesOf, releaseOwnLeases } from "../data/budget-leases.js";
import type { Data } from "../data/data.js";
import { type SettledBatch, writeSettled } from "../data/settled-writes.js";
import { type SpoolEvents, SpooledWriter } from "../data/spooled-writer.js";
import { type Bodies, packBodies } from "./bodies.js";
import { entryOf, type JournalLine, resolveEntries, type SettledEntry } from "./settled-entry.js";

export interface SettledWriterOptions {
  flushMs?: number;
  retryMs?: number;
  scanMs?: number;
  /** A queued request-log row's captured bodies, taken once (undefined: none, or not kept). */
  bodies?: (id: string) => Bodies | undefined;
}

/**
 * The one writer of settled requests' rows, nothing a client saw complete is lost: each entry (a request's
 * request-log row and ledger row, either or both) is appended to this process's journal as one line before
 * it is queued, written to the database in batches (both tables and the kept bodies in one transaction),
 * spooled while the database is away and replayed when it returns, and a killed process's journal is
 * replayed by the next process using the directory (see SpooledWriter). Rows are keyed by request id, so
 * an entry written twice counts once.
 *
 * Its files are `ledger-…` (the ledger's journal had that name before the request log shared it); what an
 * earlier release left, `ledger-…` files of bare ledger rows and `requests-…` spools of bare request-log
 * rows, is replayed too.
 */
export class SettledWriter {
  private readonly writer: SpooledWriter<JournalLine>;

  constructor(
    private readonly data: Data,
    dir: string,
    events: SpoolEvents,
    private readonly opts: SettledWriterOptions = {},
  ) {
    this.writer = new SpooledWriter<JournalLine>(dir, events, {
      name: "ledger",
      adopt: ["requests"],
      journal: true,
      flushMs: opts.flushMs ?? 100,
      retryMs: opts.retryMs ?? 1000,
      scanMs: opts.scanMs ?? 10_000,
      batch: 200,
      insert: (lines) => this.insert(lines.map(entryOf)),
      resolve: resolveEntries,
      // A gone process's rows are all written: its budget leases hold only what it never used.
      replayedGone: (owners) => releaseLeasesOf(this.data, owners),
      // Stopped with every row written: this process's leases hold only what it never used.
      closedWritten: () => releaseOwnLeases(this.data),
    });
  }

  /** Journals the entry (one line) and queues it; never waits on the database. */
  add(entry: SettledEntry): void {
    this.writer.add(entry);
  }

  /**
   * Journals a request's admission entry (one line, no database write): billed by the next process should
   * this one die before the request settles. Its `settle` lets go of it.
   */
  admit(id: string, entry: SettledEntry): void {
    this.writer.hold(id, { ...entry, admission: true });
  }

  /** Journals the settled entry of a request, replacing its admission entry. */
  settle(id: string, entry: SettledEntry | undefined): void {
    this.writer.release(id, entry !== undefined);
    if (entry) this.add(entry);
  }

  get queued(): number {
    return this.writer.queued;
  }

  private async insert(entries: SettledEntry[]): Promise<void> {
    const batch: SettledBatch = { ledger: [], requestLog: [], bodies: [] };
    for (const { log, ledger } of entries) {
      if (ledger) batch.ledger.push(ledger);
      if (!log) continue;
      const b = this.opts.bodies?.(log.id);
      // A row replayed from a journal or spool has lost its bodies (they are not journalled): it says so.
      log.has_bodies = b ? 1 : 0;
      batch.requestLog.push(log);
      if (b) batch.bodies.push({ id: log.id, at: log.at, data: await packBodies(b) });
    }
    await writeSettled(this.data, batch);
  }

  /** Writes what is queued now. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Writes everything queued and spooled it can; leaves no journal when all of it reached the database. */
  close(): Promise<void> {
    return this.writer.close();
  }
}
