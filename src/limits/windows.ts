/** A budget period's calendar window: budgets reset at the start of the day, week (Monday) or month. */
export type Period = "day" | "week" | "month" | "total";

export interface Window {
  /** Unix ms of the window's start (0 for `total`) and end (Infinity for `total`). */
  start: number;
  end: number;
}

/** Formatters by time zone: making one costs far more than using it (the admit stage asks on every request). */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The offset of a time zone from UTC at an instant, in ms (positive east of Greenwich). */
function offsetMs(timeZone: string, at: number): number {
  if (timeZone === "UTC") return 0;
  const parts = formatter(timeZone).formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const local = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return local - Math.floor(at / 1000) * 1000;
}

/** Local midnight of the given local date, as a UTC instant. */
function midnight(timeZone: string, y: number, m: number, d: number): number {
  const guess = Date.UTC(y, m, d);
  return guess - offsetMs(timeZone, guess - offsetMs(timeZone, guess));
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
  const local = new Date(now + offsetMs(timeZone, now));
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth();
  const d = local.getUTCDate();
  if (period === "day") return { start: midnight(timeZone, y, m, d), end: midnight(timeZone, y, m, d + 1) };
  if (period === "month") return { start: midnight(timeZone, y, m, 1), end: midnight(timeZone, y, m + 1, 1) };
  const sinceMonday = (local.getUTCDay() + 6) % 7;
  return { start: midnight(timeZone, y, m, d - sinceMonday), end: midnight(timeZone, y, m, d - sinceMonday + 7) };
}
