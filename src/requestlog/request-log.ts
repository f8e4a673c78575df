import { promisify } from "node:util";
import { brotliCompress, brotliDecompress, constants } from "node:zlib";
import type { Insertable } from "kysely";
import type { Data } from "../data/data.js";
import type { RequestBodiesTable } from "../data/schema.js";
import { type SpoolEvents, SpooledWriter } from "../data/spooled-writer.js";
import { outcomeOf } from "../request/outcome.js";
import type { RequestRecord } from "../request/record.js";
import type { Redactor } from "../secrets/redact.js";
import { type Bodies, bodiesOf } from "./bodies.js";
import { logRowOf, type RequestLogRow } from "./row.js";

const compress = promisify(brotliCompress);
const decompress = promisify(brotliDecompress);

const DAY_MS = 86_400_000;
/** Rows deleted per statement when pruning: short write locks, requests served in between. */
const PRUNE_BATCH = 2000;

export interface RequestLogSettings {
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

/** Bodies as stored: one compressed JSON document. */
export async function packBodies(b: Bodies): Promise<Buffer> {
  return compress(Buffer.from(JSON.stringify(b)), {
    params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: 22 },
  });
}

export async function unpackBodies(data: Uint8Array): Promise<Bodies> {
  return JSON.parse((await decompress(data)).toString("utf8")) as Bodies;
}

const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The request log's writer: one row per settled request (a health check or an admin call aside), queued by
 * the settle stage and written in batches off the request path (see SpooledWriter: spooled to disk while the
 * database is away; no journal, since losing the last rows of a killed process is acceptable for a log and
 * the ledger keeps the money). Bodies, when kept, are redacted and compressed in the batch, never on the
 * request path. Retention is enforced by `prune`, in small batches.
 */
export class RequestLog {
  private readonly writer: SpooledWriter<RequestLogRow>;
  /** Captured bodies of queued rows, by request id, until their batch is written. */
  private readonly pending = new Map<string, () => Bodies>();
  private readonly timers: NodeJS.Timeout[] = [];
  private pruning: Promise<{ rows: number; bodies: number }> | undefined;

  constructor(
    private readonly data: Data,
    dir: string,
    readonly settings: RequestLogSettings,
    private readonly redactor: Redactor,
    private readonly events: RequestLogEvents,
    flushMs = 250,
  ) {
    this.writer = new SpooledWriter<RequestLogRow>(dir, events, {
      name: "requests",
      journal: false,
      flushMs,
      // Small batches: SQLite writes hold the event loop, a short while each (the requests interleave).
      batch: 200,
      insert: (rows) => this.insert(rows),
    });
  }

  /** What the request capture (src/request/capture.ts) keeps of each body for the log: 0 when bodies are neither kept nor shown. */
  get captureBytes(): number {
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

  /** The settle stage's hook: the request's row is queued (never waits on the database). */
  record(rec: RequestRecord): void {
    if (rec.path.startsWith("/admin/") || rec.path === "/admin") return;
    const outcome = outcomeOf(rec);
    if (rec.quiet && outcome === "ok") return;
    const row = logRowOf(rec);
    const capture = this.captureBytes > 0 ? rec.capture : undefined;
    const secrets = capture?.secrets ?? [];
    if (row.reason) row.reason = this.redactor.redact(row.reason, secrets);
    const keep = this.settings.bodies === "all" || (this.settings.bodies === "errors" && outcome !== "ok");
    // Redacted when first needed, off the request path (in the batch, or for the live view).
    let cached: Bodies | undefined;
    const cap = this.settings.bodyMaxBytes;
    const bodies = capture && (() => (cached ??= bodiesOf(capture, cap, (s) => this.redactor.redact(s, secrets))));
    if (bodies && keep) {
      row.has_bodies = 1;
      this.pending.set(row.id, bodies);
    }
    this.writer.add(row);
    if (this.events.finished) {
      const finished = this.events.finished;
      setImmediate(() => finished(row, bodies?.()));
    }
  }

  private async insert(rows: RequestLogRow[]): Promise<void> {
    const bodies: Insertable<RequestBodiesTable>[] = [];
    for (const row of rows) {
      const b = this.pending.get(row.id)?.();
      this.pending.delete(row.id);
      // A row replayed from the spool has lost its bodies (they are not spooled): it says so.
      row.has_bodies = b ? 1 : 0;
      if (b) bodies.push({ id: row.id, at: row.at, data: await packBodies(b) });
    }
    // Rows and bodies in one transaction, off the event loop on SQLite (Data.write).
    await this.data.write([
      { insert: "request_log", rows },
      { insert: "request_bodies", rows: bodies },
    ]);
  }

  /** Writes what is queued now (tests, and before a close). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /**
   * Deletes rows past `retention_days` and bodies past `bodies_retention_days`, a small batch per statement
   * with the event loop free in between (no long lock, no large transaction, nothing held in memory).
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
    const db = await this.data.db();
    // The oldest batch past the limit (by time, then id: the same rows for every statement of the batch).
    const oldest = () =>
      db.selectFrom(table).select("id").where("at", "<", before).orderBy("at").orderBy("id").limit(PRUNE_BATCH);
    let total = 0;
    for (;;) {
      // Each batch in one transaction, off the event loop on SQLite (Data.write).
      const changes =
        table === "request_log"
          ? await this.data.write([{ query: db.deleteFrom("request_log").where("id", "in", oldest()) }])
          : await this.data.write([
              // The rows whose bodies go say so (GET /admin/v1/requests shows has_bodies).
              { query: db.updateTable("request_log").set({ has_bodies: 0 }).where("id", "in", oldest()) },
              { query: db.deleteFrom("request_bodies").where("id", "in", oldest()) },
            ]);
      const n = changes[changes.length - 1] ?? 0;
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
