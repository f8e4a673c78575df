import { createHash } from "node:crypto";
import type { AlertRow, Delivery } from "../data/alert-log.js";
import { SpooledWriter } from "../data/spooled-writer.js";
import type { Logger } from "../log/logger.js";
import type { HotState } from "../state/hot-state.js";
import { hotKeys } from "../state/keys.js";
import type { AlertEvent } from "./alert-event.js";

/**
 * Where the alerts sent are kept (GET /admin/v1/alerts): the data layer's alert log. An alert's row is its
 * claim: its id names its rule, scope, subject and window (`alertId`), so only one insert of it can add it.
 */
export interface AlertLog {
  /** Inserts the rows not in the log yet (one transaction); the ids this call added: the alerts it sends. */
  claim(rows: readonly AlertRow[]): Promise<string[]>;
  closed(id: string, deliveries: Delivery[], state: string): Promise<void>;
  /** Where alerts wait while the database cannot be reached (`billing.spool_dir`): files of their own. */
  spoolDir: string;
}

/** An alert's id: its rule, scope, subject and window, hashed (the same on every instance, before and after a restart). */
export function alertId(e: Pick<AlertEvent, "rule" | "scope" | "id" | "window">): string {
  const h = createHash("sha256")
    .update(JSON.stringify([e.rule, e.scope, e.id, e.window]))
    .digest("hex");
  return `alert_${h.slice(0, 20)}`;
}

/** How long this instance remembers an alert it decided without a window's end: a day. */
const DAY = 86_400_000;
/** Alerts remembered by one instance at most (a budget refused on every request asks once per window). */
const REMEMBERED = 10_000;

/**
 * Decides which instance sends an alert, once per rule, scope, subject and window, by the database: the
 * instance whose insert of the alert's row adds it sends it, whatever Redis holds or forgot. While the
 * database cannot be reached, the alert waits in a spool file (journalled first: a kill does not lose it) and
 * is decided when the database answers again (by this process, or by the next one using the directory). This
 * instance remembers what it decided, so an alert raised on every request asks the database once. Without a
 * data layer (no store), the claim is a key in the hot state, as close to once as that state allows.
 */
export class AlertClaims {
  /** Alerts this instance claimed, lost or spooled: until when it does not ask again (ms). */
  private readonly decided = new Map<string, number>();
  private readonly spool: SpooledWriter<AlertRow> | undefined;
  private away = false;

  constructor(
    private readonly hot: HotState,
    private readonly log: AlertLog | undefined,
    private readonly logger: Logger,
    /** Sends a claimed alert to its destinations and closes its row. */
    private readonly send: (row: AlertRow) => Promise<void>,
    retryMs = 1000,
    /** Whether any rule sends alerts (none: no spool, nothing to decide). */
    wanted = true,
  ) {
    if (!log || !wanted) return;
    this.spool = new SpooledWriter<AlertRow>(
      log.spoolDir,
      {
        spooled: (rows, err, file) => {
          if (this.away) return;
          this.away = true;
          this.logger.error(
            { rows, dir: log.spoolDir, err: err instanceof Error ? err.message : String(err) },
            `the database did not take ${rows} alert(s): kept in ${log.spoolDir} (${file}) and sent once it answers (the alert log decides which instance sends)`,
          );
        },
        caughtUp: (rows) => {
          this.away = false;
          this.logger.warn({ rows }, `the alert log caught up: ${rows} spooled alert(s) decided`);
        },
      },
      {
        name: "alerts",
        journal: true,
        flushMs: 50,
        retryMs,
        insert: (rows) => this.claimAll(rows),
      },
    );
  }

  /** Sends the alert when this instance is the one to (awaits its delivery then); never throws. */
  async take(row: AlertRow, until: number | undefined): Promise<void> {
    if (this.remembered(row.id, until)) return;
    if (!this.log) {
      const ttl =
        until !== undefined && Number.isFinite(until) ? Math.max(60_000, until - Date.now() + DAY) : undefined;
      try {
        const key = hotKeys.alertSent(row.rule, row.scope, row.subject, row.window_start);
        if (!(await this.hot.setIfAbsent(key, "1", ttl))) return;
      } catch {
        // The shared state is away: better an alert twice than none.
      }
      return this.send(row);
    }
    let claimed: string[];
    try {
      claimed = await this.log.claim([row]);
    } catch {
      // The database is away: the alert waits for it (decided, and sent when claimed, once it answers).
      this.spool?.add(row);
      return;
    }
    if (claimed.includes(row.id)) await this.send(row);
  }

  /** A batch of spooled alerts: claimed together, each claimed one sent (not awaited: the spool moves on). */
  private async claimAll(rows: AlertRow[]): Promise<void> {
    const unique = [...new Map(rows.map((r) => [r.id, r])).values()];
    const claimed = new Set(await this.log!.claim(unique));
    for (const row of unique) if (claimed.has(row.id)) void this.send(row);
  }

  /** True when this instance decided the alert already; else it remembers it from now on. */
  private remembered(id: string, until: number | undefined): boolean {
    const now = Date.now();
    const known = this.decided.get(id);
    if (known !== undefined && known > now) return true;
    if (this.decided.size >= REMEMBERED) {
      for (const [k, end] of this.decided) if (end <= now) this.decided.delete(k);
      if (this.decided.size >= REMEMBERED) this.decided.clear();
    }
    this.decided.set(id, until !== undefined && Number.isFinite(until) ? Math.max(until, now + 60_000) : now + DAY);
    return false;
  }

  /** Writes what waits (or leaves it in the spool for the next process when the database is still away). */
  async close(): Promise<void> {
    await this.spool?.close();
  }
}
