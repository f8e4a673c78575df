import { closeSync, ftruncateSync, openSync, renameSync, truncateSync, writeFileSync, writeSync } from "node:fs";

/** A journal grows by appends until it holds this much; then it is rewritten with only what it must keep. */
const REWRITE_BYTES = 1 << 20;

/**
 * One process's journal file: rows appended one line at a time before they are queued (they survive a
 * kill -9), and emptied once what it holds has reached the database.
 *
 * Emptying is cheap and done whenever nothing is pending: a truncate (a kill at any instant leaves the old
 * journal, whose rows the database already has and counts once, or an empty one). While rows are pending (a
 * held admission, a queued row), lines already written stay in it — replaying them counts nothing twice —
 * until it grows past 1 MiB or must forget a line (a held row let go with nothing in its place); then it is
 * rewritten aside with only the pending rows and renamed over (a kill leaves the old journal or the new one).
 * A rename over a file is a synchronous flush on most filesystems (ext4: several ms), so it is the rare path.
 */
export class JournalFile {
  /** Open for appending (one write per row); closed when the journal is replaced. */
  private fd: number | undefined;
  /** Bytes in the journal now (as far as this process wrote them). */
  private bytes = 0;
  /** Whether a line in it must go at the next rewrite whatever its size. */
  private stale = false;

  constructor(readonly path: string) {}

  /** Appends lines (text ending in a newline); throws when the file cannot be written. */
  append(text: string): void {
    this.fd ??= openSync(this.path, "a", 0o600);
    const line = Buffer.from(text);
    for (let done = 0; done < line.length; ) done += writeSync(this.fd, line, done);
    this.bytes += line.length;
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
    writeFileSync(`${this.path}.next`, text, { mode: 0o600 });
    this.close();
    renameSync(`${this.path}.next`, this.path);
    this.bytes = Buffer.byteLength(text);
    this.stale = false;
  }

  /** Lets go of the descriptor: the next row opens the journal anew (the file there now). */
  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already gone
    }
    this.fd = undefined;
  }
}
