/** Local time in an IANA time zone (`billing.timezone`): budget windows, report stamps, time-of-day rules. */

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

/** What a wall clock in the zone shows at an instant (month 1–12, hour 0–23). */
export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

export function wallClock(at: number, timeZone: string): WallClock {
  // UTC (the default billing.timezone) from Date itself: no formatter, so ICU's data (~6 MB of RSS) stays unread.
  if (timeZone === "UTC") {
    const d = new Date(at);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
    };
  }
  const parts = formatter(timeZone).formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    hour: get("hour"),
    minute: get("minute"),
    second: get("second"),
  };
}

/** The offset of a time zone from UTC at an instant, in ms (positive east of Greenwich). */
export function zoneOffsetMs(timeZone: string, at: number): number {
  if (timeZone === "UTC") return 0;
  const c = wallClock(at, timeZone);
  const local = Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second);
  return local - Math.floor(at / 1000) * 1000;
}

const two = (n: number) => String(n).padStart(2, "0");

/** An instant as local time in `timeZone` with its offset: `2024-03-04T00:00:00+09:00`. */
export function localStamp(at: number, timeZone: string): string {
  const c = wallClock(at, timeZone);
  const offset = Math.round(zoneOffsetMs(timeZone, at) / 1000);
  const abs = Math.abs(offset);
  const seconds = abs % 60 === 0 ? "" : `:${two(abs % 60)}`;
  const zone = `${offset < 0 ? "-" : "+"}${two(Math.floor(abs / 3600))}:${two(Math.floor(abs / 60) % 60)}${seconds}`;
  return `${c.year}-${two(c.month)}-${two(c.day)}T${two(c.hour)}:${two(c.minute)}:${two(c.second)}${zone}`;
}
