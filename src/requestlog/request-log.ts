import { ledgerRowOf } from "../billing/ledger-row.js";
import type { Data } from "../data/data.js";
import { whenJournalled } from "../data/journal-file.js";
import { pruneOldest } from "../data/request-log-retention.js";
import type { SpoolEvents } from "../data/spooled-writer.js";
import { outcomeOf } from "../request/outcome.js";
import { isModelCall, type RequestRecord } from "../request/record.js";
import type { Redactor } from "../secrets/redact.js";
import { type Bodies, bodiesOf } from "./bodies.js";
import { type CutShort, logRowOf, type RequestLogRow } from "./row.js";
import type { SettledEntry } from "./settled-entry.js";
import { SettledWriter } from "./settled-writer.js";
import { UnknownCallerRows } from "./unknown-callers.js";

const DAY_MS = 86_400_000;
/** Rows deleted per statement when pruning: short write locks, requests served in between. */
const PRUNE_BATCH = 2000;

export interface RequestLogSettings {
  /** `logging.requests`: a row per request; when false only minted-key requests' ledger rows are written. */
  requests?: boolean | undefined;
  bodies: "off" | "errors" | "all";
  /** Each body's cap, in bytes. */
  bodyMaxBytes: number;
  retentionDays: number;
  bodiesRetentionDays: number;
  /** Live conversations on standard output: bodies are captured for them even when not kept. */
  conversations: boolean;
}

export interface RequestLogEvents extends SpoolEvents {
  /** A finished request, with its bodies when they were captured (the live conversation view). */
  finished?(row: RequestLogRow, bodies: Bodies | undefined): void;
  /** Pruning failed (the database is away): tried again at the next round. */
  pruneFailed?(err: unknown): void;
}

/** The admin API and the web UI's own calls (its sign-ins go to the audit log) are not gateway traffic. */
const notLogged = (path: string) =>
  path === "/admin" || path.startsWith("/admin/") || path === "/ui" || path.startsWith("/ui/");

/** The reason an admission entry's rows carry: billed by the next process, at the estimate. */
const UNSETTLED = "llmux stopped before the request settled: billed at the estimate made at admission";

const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The writer of every settled request's rows: its request-log row (one per request, a health check or an
 * admin call aside) and, for a request made with a minted key, its ledger row, the request log's spend
 * projection, which is never pruned and is written even with `logging.requests` off. The settle stage calls
 * `record` once per request: the rows go to this process's journal as one line (one small synchronous
 * append: a process killed with -9 loses neither), then in batches to the database, both tables (and the
 * bodies, when kept) in one transaction; while the database is away they wait in a spool (see
 * SettledWriter). Bodies are redacted and compressed in the batch, never on the request path, and are not
 * journalled: a row replayed from a journal or spool says it has none. Retention is enforced by `prune`, in
 * small batches.
 */
export class RequestLog {
  private readonly writer: SettledWriter;
  /** Captured bodies of queued rows, by request id, until their batch is written. */
  private readonly pending = new Map<string, () => Bodies>();
  private readonly timers: NodeJS.Timeout[] = [];
  private pruning: Promise<{ rows: number; bodies: number }> | undefined;
  /** Requests refused before their caller was known: a few rows a minute, the rest counted. */
  private readonly unknown = new UnknownCallerRows();

  constructor(
    private readonly data: Data,
    dir: string,
    readonly settings: RequestLogSettings,
    private readonly redactor: Redactor,
    private readonly events: RequestLogEvents,
    flushMs = 250,
  ) {
    this.writer = new SettledWriter(data, dir, events, { flushMs, bodies: (id) => this.takeBodies(id) });
  }

  private takeBodies(id: string): Bodies | undefined {
    const b = this.pending.get(id)?.();
    this.pending.delete(id);
    return b;
  }

  /** Whether a row per request is kept (`logging.requests`). */
  get logging(): boolean {
    return this.settings.requests !== false;
  }

  /** What the request capture (src/request/capture.ts) keeps of each body for the log: 0 when bodies are neither kept nor shown. */
  get captureBytes(): number {
    if (!this.logging) return 0;
    return this.settings.bodies !== "off" || this.settings.conversations ? this.settings.bodyMaxBytes : 0;
  }

  /** Starts the background retention: shortly after start, then hourly. */
  startPruning(firstMs = 60_000, everyMs = 3600_000): void {
    const run = () => void this.prune().catch((err: unknown) => this.events.pruneFailed?.(err));
    const first = setTimeout(run, firstMs);
    const every = setInterval(run, everyMs);
    first.unref();
    every.unref();
    this.timers.push(first, every);
  }

  /**
   * The settle stage's hook, once per request: its rows are journalled and queued (never waits on the
   * database). Its cost is what Billing.cost put on the record.
   */
  record(rec: RequestRecord): void {
    const now = performance.now();
    const wall = Date.now();
    const entry: SettledEntry = {};
    // Only model calls are spend: a model list or a stored response asked for with a minted key is not.
    if (rec.keyId !== undefined && isModelCall(rec)) entry.ledger = ledgerRowOf(rec, rec.cost, now, wall);
    const row = this.logRow(rec, now, wall);
    if (row) entry.log = row;
    this.writer.settle(rec.id, entry.ledger || entry.log ? entry : undefined);
  }

  /**
   * The admission's hook, for a model call made with a minted key: its rows as they would be were the request
   * cut now (outcome aborted, cost the reservation's estimate, marked estimated) are journalled, one line, no
   * database write. Its `record` at settle replaces them; the next process bills them should this one die
   * first (see SettledWriter). Resolves once the line is on disk: the request goes upstream after that.
   */
  admitted(rec: RequestRecord, estimateNanos: number | undefined): Promise<void> | undefined {
    if (rec.keyId === undefined || !isModelCall(rec)) return undefined;
    const now = performance.now();
    const wall = Date.now();
    const cost = { nanos: estimateNanos ?? 0, estimated: true, priced: true };
    // The record as it would be were the request cut now (no copy of the record is made for it).
    const cut: CutShort = { outcome: "aborted", reason: UNSETTLED, cost };
    const entry: SettledEntry = { ledger: ledgerRowOf(rec, cost, now, wall, cut.outcome) };
    if (this.logging && !notLogged(rec.path)) entry.log = logRowOf(rec, now, wall, cut);
    this.writer.admit(rec.id, entry);
    // On disk with the group write at the end of this turn (one write for the requests admitted in it).
    return new Promise<void>((done) => whenJournalled(done));
  }

  /** The request-log row of a request that is logged (its bodies held until its batch). */
  private logRow(rec: RequestRecord, now: number, wall: number): RequestLogRow | undefined {
    if (!this.logging || notLogged(rec.path)) return undefined;
    const outcome = outcomeOf(rec);
    if (rec.quiet && outcome === "ok") return undefined;
    const left = UnknownCallerRows.applies(rec) ? this.unknown.take() : 0;
    if (left === undefined) return undefined;
    const row = logRowOf(rec, now, wall);
    if (left && row.reason)
      row.reason += ` (${left} more requests refused before their caller was known were not logged)`;
    const capture = this.captureBytes > 0 ? rec.capture : undefined;
    const secrets = capture?.secrets ?? [];
    if (row.reason) row.reason = this.redactor.redact(row.reason, secrets);
    const keep = this.settings.bodies === "all" || (this.settings.bodies === "errors" && outcome !== "ok");
    // Redacted when first needed, off the request path (in the batch, or for the live view).
    let cached: Bodies | undefined;
    const cap = this.settings.bodyMaxBytes;
    const bodies =
      capture &&
      (() =>
        (cached ??= bodiesOf(
          capture,
          cap,
          (s) => this.redactor.redact(s, secrets),
          (s) => this.redactor.redact(s, secrets, false),
        )));
    if (bodies && keep) {
      row.has_bodies = 1;
      this.pending.set(row.id, bodies);
    }
    if (this.events.finished) {
      const finished = this.events.finished;
      setImmediate(() => finished(row, bodies?.()));
    }
    return row;
  }

  /** Writes what is queued now (tests, and before a close). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /**
   * Deletes rows past `retention_days` (by whole hours, with the stats' rollup of those hours) and bodies
   * past `bodies_retention_days`, a small batch per statement with the event loop free in between (no long
   * lock, no large transaction, nothing held in memory).
   */
  prune(now = Date.now()): Promise<{ rows: number; bodies: number }> {
    this.pruning ??= (async () => {
      try {
        const bodies = await this.pruneTable("request_bodies", now - this.settings.bodiesRetentionDays * DAY_MS);
        const rows = await this.pruneTable("request_log", now - this.settings.retentionDays * DAY_MS);
        return { rows, bodies };
      } finally {
        this.pruning = undefined;
      }
    })();
    return this.pruning;
  }

  private async pruneTable(table: "request_log" | "request_bodies", before: number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await pruneOldest(this.data, table, before, PRUNE_BATCH);
      total += n;
      if (n < PRUNE_BATCH) return total;
      await yieldToRequests();
    }
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    await this.writer.close();
    await this.pruning?.catch(() => undefined);
  }
}
