import type { RequestRecord } from "../request/record.js";

/** Rows a minute for requests refused before their caller was known (no key, an unknown key). */
export const UNKNOWN_CALLER_ROWS_PER_MINUTE = 60;

/**
 * How many requests refused before their caller was known get a request-log row: at most so many a minute
 * (a scanner or a misconfigured client would otherwise write a row each). The others are counted, and the
 * next row written says how many were left out; every one of them is still in the log line and the metrics
 * (`llmux_requests_total{status="401"}`).
 */
export class UnknownCallerRows {
  private windowStart = 0;
  private inWindow = 0;
  private skipped = 0;

  constructor(
    private readonly perMinute = UNKNOWN_CALLER_ROWS_PER_MINUTE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a record is of a caller refused before it was known. */
  static applies(rec: RequestRecord): boolean {
    return rec.status === 401 && rec.key === undefined;
  }

  /** Undefined: no row for this one; otherwise the number left out before it (to say so in its reason). */
  take(): number | undefined {
    const t = this.now();
    if (t - this.windowStart >= 60_000) {
      this.windowStart = t;
      this.inWindow = 0;
    }
    if (this.inWindow >= this.perMinute) {
      this.skipped++;
      return undefined;
    }
    this.inWindow++;
    const left = this.skipped;
    this.skipped = 0;
    return left;
  }
}
