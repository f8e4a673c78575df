import { closeSync, ftruncateSync, openSync, renameSync, truncateSync, writeFileSync, writeSync } from "node:fs";

/** A journal grows by appends until it holds this much; then it is rewritten with only what it must keep. */
const REWRITE_BYTES = 1 << 20;

/** Journals with lines waiting for this turn's group write, and what waits for that write. */
const dirty = new Set<JournalFile>();
let waiting: (() => void)[] = [];
let scheduled = false;

/**
 * The group write: every journal's lines queued during this turn of the event loop in one write each, then
 * whatever waited for them (the answers' last bytes).
 */
function writeGroup(): void {
  scheduled = false;
  for (const j of dirty) j.writeQueued();
  dirty.clear();
  const run = waiting;
  waiting = [];
  for (const fn of run) fn();
}

/**
 * Runs `fn` once every line queued so far (`JournalFile.queue`) is written: at once when none is waiting,
 * else right after the group write at the end of this turn of the event loop.
 */
export function whenJournalled(fn: () => void): void {
  if (dirty.size === 0) fn();
  else waiting.push(fn);
}

/**
 * One process's journal file: rows appended as lines before they are queued for the database (they survive
 * a kill -9), and emptied once what it holds has reached the database. Lines are appended at once, or
 * gathered into one write at the end of the event loop's turn (`queue`, `whenJournalled`).
 *
 * Emptying is cheap and done whenever nothing is pending: a truncate (a kill at any instant leaves the old
 * journal, whose rows the database already has and counts once, or an empty one). While rows are pending (a
 * held admission, a queued row), lines already written stay in it — replaying them counts nothing twice —
 * until it grows past 1 MiB or must forget a line (a held row let go with nothing in its place); then it is
 * rewritten aside with only the pending rows and renamed over (a kill leaves the old journal or the new one).
 * A rename over a file is a synchronous flush on most filesystems (ext4: several ms), so it is the rare path.
 */
export class JournalFile {
  /** Open for appending (one write per group of rows); closed when the journal is replaced. */
  private fd: number | undefined;
  /** Lines queued for the group write at the end of this turn of the event loop. */
  private queued: string[] = [];
  /** Bytes in the journal now (as far as this process wrote them). */
  private bytes = 0;
  /** Whether a line in it must go at the next rewrite whatever its size. */
  private stale = false;

  constructor(readonly path: string) {}

  /** Appends lines (text ending in a newline) now, after any queued ones; throws when the file cannot be written. */
  append(text: string): void {
    const all = this.queued.length > 0 ? this.queued.join("") + text : text;
    this.queued = [];
    this.fd ??= openSync(this.path, "a", 0o600);
    const line = Buffer.from(all);
    for (let done = 0; done < line.length; ) done += writeSync(this.fd, line, done);
    this.bytes += line.length;
  }

  /**
   * Queues lines for the group write at the end of this turn of the event loop: the rows of requests that
   * settle in the same turn share one write. `whenJournalled` waits for it. A write that fails is given up
   * (the rows still reach the database with their batch), as `append`'s caller does.
   */
  queue(text: string): void {
    this.queued.push(text);
    dirty.add(this);
    if (!scheduled) {
      scheduled = true;
      setImmediate(writeGroup);
    }
  }

  /** Writes the queued lines (the group write). */
  writeQueued(): void {
    if (this.queued.length === 0) return;
    try {
      this.append("");
    } catch {
      // See queue().
    }
  }

  /** A line in the journal must not outlive the next rewrite (a held row let go with nothing in its place). */
  forget(): void {
    this.stale = true;
  }

  /**
   * After a batch reached the database (or the spool): `pending()` is what the journal must still hold (held
   * and queued rows), serialised; called only when it must be rewritten.
   */
  settle(nothingPending: boolean, pending: () => string): void {
    if (nothingPending) {
      // Queued lines are of rows already written too.
      this.queued = [];
      if (this.bytes > 0 || this.stale) {
        if (this.fd !== undefined) ftruncateSync(this.fd, 0);
        else truncateSync(this.path, 0);
      }
      this.bytes = 0;
      this.stale = false;
      return;
    }
    if (!this.stale && this.bytes < REWRITE_BYTES) return;
    const text = pending();
    // The rewrite holds every pending row, the queued ones among them.
    this.queued = [];
    writeFileSync(`${this.path}.next`, text, { mode: 0o600 });
    this.close();
    renameSync(`${this.path}.next`, this.path);
    this.bytes = Buffer.byteLength(text);
    this.stale = false;
  }

  /** Lets go of the descriptor (queued lines written first): the next row opens the journal anew. */
  close(): void {
    this.writeQueued();
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already gone
    }
    this.fd = undefined;
  }
}
