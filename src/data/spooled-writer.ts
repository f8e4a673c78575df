import { randomBytes } from "node:crypto";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
} from "node:fs";
import { join } from "node:path";
import { JournalFile } from "./journal-file.js";

export interface SpoolEvents {
  /** `file`: the spool's name in its directory. */
  spooled(rows: number, err: unknown, file: string): void;
  caughtUp(rows: number): void;
}

export interface SpooledWriterOptions<Row> {
  /** Names its files: `<name>-<pid>-<nonce>.journal` and `….spool` (the nonce: this process, not its pid). */
  name: string;
  /** Writes one batch to the database (rows keyed so that a batch written twice counts once). */
  insert(rows: Row[]): Promise<void>;
  /** Append each row to a journal file before it is queued (survives kill -9), or keep the queue in memory only. */
  journal: boolean;
  /**
   * Names that earlier writers wrote their files under, whose leftovers this writer replays too (their lines
   * reach `insert` as they were written: it tells them apart).
   */
  adopt?: readonly string[];
  batch?: number;
  flushMs?: number;
  retryMs?: number;
  /** How often the directory is looked at for what processes that are gone left behind (default 10 s). */
  scanMs?: number;
  /**
   * What a leftover file's rows become before they are written, given them all at once (held rows a dead
   * process never released are among them; see `hold`). Default: the rows as they are.
   */
  resolve?(rows: Row[]): Row[];
  /**
   * Processes that are gone (as their files name them, `pid-nonce`) whose every leftover file this writer
   * has just written to the database, none of theirs left in the directory: what follows from it (their
   * budget leases released). A failure is tried again at the next replay that finds none of theirs.
   */
  replayedGone?(owners: string[]): Promise<void>;
  /** This writer closed with every row it had written to the database (nothing left for another process). */
  closedWritten?(): Promise<void>;
}

/** Whether a process runs under `pid` (another user's counts). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** This process, as file names carry it: its pid, and a nonce that tells it from an earlier one of that pid. */
export const PROCESS_OWNER = `${process.pid}-${randomBytes(4).toString("hex")}`;
const SELF = PROCESS_OWNER;

/**
 * Whether the process that a file name carries (`pid` or `pid-nonce`) is gone. A pid is reused: in a
 * container llmux is pid 1 at every start, so a name with this process's pid but not its nonce is an earlier
 * process's. A file of a dead process whose pid another process took meanwhile waits for that one to end.
 */
function gone(owner: string): boolean {
  if (owner === SELF) return false;
  const pid = Number(owner.split("-")[0]);
  return pid === process.pid || !running(pid);
}

/**
 * The rows of a journal or spool. A line that does not parse can only be the last one, torn by a kill during
 * its append: that request's answer never ended, so it is left out rather than holding back the rest.
 */
function parseRows<Row>(text: string): Row[] {
  const rows: Row[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      rows.push(JSON.parse(line) as Row);
    } catch {
      // torn
    }
  }
  return rows;
}

/** One row's line (twice per priced request: no array to map and join). */
const line = (row: unknown) => `${JSON.stringify(row)}\n`;
const lines = (rows: unknown[]) => rows.map(line).join("");

/**
 * Rows written to the database in batches, off the request path, and kept on disk while the database is away.
 *
 * - `add` queues the row, and, when journalled, its line for this process's journal file: the rows added
 *   in one turn of the event loop are appended in one synchronous write at its end (no wait on the
 *   database), and `whenJournalled` (src/data/journal-file.ts) holds back what must follow that write.
 *   Batches go to the database shortly after, and the journal is cut down to the rows still queued. A
 *   process killed with -9 leaves its journal behind.
 * - When the database cannot be reached, the batch is appended to this process's spool file and replayed,
 *   oldest first, once the database answers again.
 * - Journals and spools of processes that are gone (a crash, a restart, another worker or instance on this
 *   machine killed) are replayed by a process using the same directory: at its start, and while it runs
 *   (it looks every `scanMs`), so a surviving sibling writes a dead one's rows without waiting for a restart.
 */
export class SpooledWriter<Row> {
  private queue: Row[] = [];
  /** Rows journalled by `hold` and not yet released: kept in the journal, never written by this process. */
  private readonly held = new Map<string, Row>();
  private timer: NodeJS.Timeout | undefined;
  /** A write of a full batch is chained and has not started yet. */
  private kicked = false;
  private flushing: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private readonly scanner: NodeJS.Timeout;
  private readonly journal: JournalFile | undefined;
  private readonly spool: string;
  /** The spool's name in its directory (the events say it). */
  readonly spoolName: string;
  private readonly file: RegExp;
  private readonly batch: number;
  private readonly flushMs: number;
  private readonly retryMs: number;
  private closed = false;
  /** Gone processes whose files were written but whose `replayedGone` failed: tried again at the next replay. */
  private readonly unreleased = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly events: SpoolEvents,
    private readonly opts: SpooledWriterOptions<Row>,
  ) {
    this.batch = opts.batch ?? 500;
    this.flushMs = opts.flushMs ?? 100;
    this.retryMs = opts.retryMs ?? 1000;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch {
      // An unusable directory is reported by the store's own check at start (naming store.path); rows
      // that cannot be journalled are still written to the database.
    }
    this.journal = opts.journal ? new JournalFile(join(dir, `${opts.name}-${SELF}.journal`)) : undefined;
    this.spoolName = `${opts.name}-${SELF}.spool`;
    this.spool = join(dir, this.spoolName);
    // `<name>-<owner>.journal|spool` (owner: pid-nonce, or a bare pid as earlier versions wrote), or one taken
    // over for replay: `….replaying` (its owner's own spool) or `….<replayer>.replaying`.
    const names = [opts.name, ...(opts.adopt ?? [])].join("|");
    this.file = new RegExp(
      `^(?:${names})-(\\d+(?:-[0-9a-f]+)?)\\.(journal|spool)(?:\\.(\\d+(?:-[0-9a-f]+)?))?(\\.replaying)?$`,
    );
    if (this.leftovers().length > 0) this.scheduleReplay(0);
    this.scanner = setInterval(() => {
      if (this.leftovers().length > 0) this.scheduleReplay(0);
    }, opts.scanMs ?? 10_000);
    this.scanner.unref();
  }

  add(row: Row): void {
    this.append(row, true);
    this.queue.push(row);
    if (this.queue.length >= this.batch) this.kick();
    else this.later();
  }

  /** A full batch is queued: one write is due now (one, however many rows arrive before it starts). */
  private kick(): void {
    if (this.kicked) return;
    this.kicked = true;
    void this.drain("full");
  }

  /** A flush in `flushMs`, unless one is due already. */
  private later(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => void this.drain("due"), this.flushMs);
    this.timer.unref();
  }

  /**
   * Appends one line to the journal (a small synchronous write to the journal kept open): now, or (`soon`)
   * in the group write at the end of this turn of the event loop, which `whenJournalled` waits for.
   */
  private append(row: Row, soon = false): void {
    if (this.journal)
      try {
        if (soon) this.journal.queue(line(row));
        else this.journal.append(line(row));
      } catch {
        // No journal (the directory is unusable): the row still goes to the database with the next batch.
      }
  }

  /**
   * Journals a row that this process does not write: it stays in the journal (across the journal's
   * rewrites) until `release`d, so only a process that dies holding it leaves it behind, for `resolve`. Its
   * line goes with the group write at the end of this turn of the event loop: `whenJournalled` waits for it.
   */
  hold(key: string, row: Row): void {
    if (!this.journal) return;
    this.append(row, true);
    this.held.set(key, row);
  }

  /**
   * Lets go of a held row. `replaced`: a row of the same key follows it (its replay drops the held one);
   * otherwise the held line must leave the journal at its next rewrite.
   */
  release(key: string, replaced = false): void {
    if (!this.held.delete(key) || replaced || !this.journal) return;
    this.journal.forget();
    this.later();
  }

  get queued(): number {
    return this.queue.length;
  }

  get spooling(): boolean {
    return existsSync(this.spool);
  }

  /** Writes everything queued (and what arrives meanwhile) to the database. */
  flush(): Promise<void> {
    return this.drain("all");
  }

  /**
   * Writes queued rows in batches: `all` of them (a flush), or only full batches (`full`: a batch filled up),
   * or what the timer found `due` and then only full batches; what is left waits for the timer. Under load,
   * rows then reach the database in batches of `batch`, not in whatever trickled in during the last write.
   */
  private drain(what: "all" | "full" | "due"): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const run = async () => {
      if (what === "full") this.kicked = false;
      for (let first = what === "due"; this.queue.length >= (what === "all" || first ? 1 : this.batch); ) {
        first = false;
        const rows = this.queue.splice(0, this.batch);
        try {
          if (this.spooling) throw new Error("earlier rows are still spooled");
          await this.opts.insert(rows);
        } catch (err) {
          appendFileSync(this.spool, lines(rows), { mode: 0o600 });
          this.events.spooled(rows.length, err, this.spoolName);
          this.scheduleReplay(this.retryMs);
        }
        // Synchronously after the await: no add() interleaves.
        this.settleJournal();
      }
      this.settleJournal();
      if (this.queue.length > 0) this.later();
    };
    this.flushing = (this.flushing ?? Promise.resolve()).then(run, run);
    return this.flushing;
  }

  /** What is written or spooled may leave the journal (JournalFile: emptied when nothing is pending). */
  private settleJournal(): void {
    if (this.journal)
      try {
        this.journal.settle(this.held.size === 0 && this.queue.length === 0, () =>
          lines([...this.held.values(), ...this.queue]),
        );
      } catch {
        // see add()
      }
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
        const m = this.file.exec(n);
        if (!m) return false;
        // Whose file it is now: the process replaying it, else the one that wrote it.
        if (m[3] !== undefined && !m[4]) return false;
        const owner = m[3] ?? m[1]!;
        // This process's own spool (not while it replays it); anything of a process that is gone.
        if (owner === SELF) return m[2] === "spool" && !m[4];
        return gone(owner);
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
    const owners = new Set<string>(this.unreleased);
    try {
      for (const file of this.leftovers()) {
        const writer = this.file.exec(file.slice(file.lastIndexOf("/") + 1))?.[1];
        if (writer !== undefined && writer !== SELF) owners.add(writer);
        // Taken over under a name of this process's own, so no other process replays it at the same time.
        const base = file.replace(/(\.[0-9a-f-]+)?\.replaying$/, "");
        const mine = file === this.spool ? `${this.spool}.replaying` : `${base}.${SELF}.replaying`;
        renameSync(file, mine);
        // A journal's replacement that a kill left unrenamed: the journal itself holds every row it had.
        if (base.endsWith(".journal")) rmSync(`${base}.next`, { force: true });
        const parsed = parseRows<Row>(readFileSync(mine, "utf8"));
        const rows = this.opts.resolve ? this.opts.resolve(parsed) : parsed;
        try {
          for (let i = 0; i < rows.length; i += this.batch) await this.opts.insert(rows.slice(i, i + this.batch));
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
      if (owners.size > 0 && this.opts.replayedGone) {
        // Only once nothing of theirs is left (another process may be replaying one of their files).
        const left = new Set<string>();
        for (const n of readdirSync(this.dir)) {
          const w = this.file.exec(n)?.[1];
          if (w !== undefined) left.add(w);
        }
        const done = [...owners].filter((o) => !left.has(o));
        if (done.length > 0)
          await this.opts.replayedGone(done).then(
            () => {
              for (const o of done) this.unreleased.delete(o);
            },
            (err: unknown) => {
              for (const o of done) this.unreleased.add(o);
              throw err;
            },
          );
      }
    } catch {
      this.scheduleReplay(this.retryMs);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.scanner);
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    await this.flush();
    if (this.spooling) await this.replay();
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    this.journal?.close();
    // Everything reached the database: nothing to leave behind.
    // Rows still held (requests that never settled) stay for the next process.
    const journal = this.journal?.path;
    if (this.queue.length === 0 && this.held.size === 0 && !this.spooling) {
      if (journal && existsSync(journal)) unlinkSync(journal);
      await this.opts.closedWritten?.().catch(() => undefined);
    }
  }
}
