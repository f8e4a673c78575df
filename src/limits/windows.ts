import { zoneOffsetMs } from "../text/zone-time.js";

/** A budget period's calendar window: budgets reset at the start of the day, week (Monday) or month. */
export type Period = "day" | "week" | "month" | "total";

export interface Window {
  /** Unix ms of the window's start (0 for `total`) and end (Infinity for `total`). */
  start: number;
  end: number;
}

/** Local midnight of the given local date, as a UTC instant. */
function midnight(timeZone: string, y: number, m: number, d: number): number {
  const guess = Date.UTC(y, m, d);
  return guess - zoneOffsetMs(timeZone, guess - zoneOffsetMs(timeZone, guess));
}

/**
 * The window containing `now`, in `timeZone` (UTC by default): windows follow the calendar, not the
 * first request, and a new one starts without any request having to come.
 */
export function windowOf(period: Period, now: number, timeZone = "UTC"): Window {
  if (period === "total") return TOTAL;
  const key = `${period}|${timeZone}`;
  const last = recent.get(key);
  if (last && last.start <= now && now < last.end) return last;
  const w = Object.freeze(computeWindow(period, now, timeZone));
  recent.set(key, w);
  return w;
}

const TOTAL: Window = Object.freeze({ start: 0, end: Number.POSITIVE_INFINITY });
/** The last window computed per period and time zone: most requests fall in the same one. */
const recent = new Map<string, Window>();

function computeWindow(period: Exclude<Period, "total">, now: number, timeZone: string): Window {
  const local = new Date(now + zoneOffsetMs(timeZone, now));
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth();
  const d = local.getUTCDate();
  if (period === "day") return { start: midnight(timeZone, y, m, d), end: midnight(timeZone, y, m, d + 1) };
  if (period === "month") return { start: midnight(timeZone, y, m, 1), end: midnight(timeZone, y, m + 1, 1) };
  const sinceMonday = (local.getUTCDay() + 6) % 7;
  return { start: midnight(timeZone, y, m, d - sinceMonday), end: midnight(timeZone, y, m, d - sinceMonday + 7) };
}
