/**
 * How a report's window [from, to) is read from a rollup kept by hour and by UTC day: the whole days in it from
 * the day rollup, the whole hours left at its ends from the hour rollup, and only the part hours at its very
 * ends from the rows themselves. Whatever the window, that is at most two hours of rows, so a report's cost
 * does not grow with the log; and every bucket read lies wholly inside the window, so the sums are those of
 * the rows (the rollup holds exactly the rows of each bucket: it is written in their transaction).
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A half-open range of unix milliseconds. */
export interface Range {
  from: number;
  to: number;
}

export interface Cover {
  /** Read from the rows. */
  rows: Range[];
  /** Read from the hour buckets (their starts in the range). */
  hours: Range[];
  /** Read from the day buckets (their starts in the range). */
  days: Range[];
}

const up = (t: number, step: number) => Math.ceil(t / step) * step;
const down = (t: number, step: number) => Math.floor(t / step) * step;
const some = (r: Range): Range[] => (r.from < r.to ? [r] : []);

/**
 * The window split into rows, hours and days (`rollup` false: all of it from the rows, as reports read it
 * before the rollup).
 */
export function coverOf(from: number, to: number, rollup = true): Cover {
  if (!(from < to)) return { rows: [], hours: [], days: [] };
  const h0 = up(from, HOUR_MS);
  const h1 = down(to, HOUR_MS);
  if (!rollup || h0 >= h1) return { rows: [{ from, to }], hours: [], days: [] };
  const rows = [...some({ from, to: h0 }), ...some({ from: h1, to })];
  const d0 = up(h0, DAY_MS);
  const d1 = down(h1, DAY_MS);
  if (d0 >= d1) return { rows, hours: [{ from: h0, to: h1 }], days: [] };
  return { rows, hours: [...some({ from: h0, to: d0 }), ...some({ from: d1, to: h1 })], days: [{ from: d0, to: d1 }] };
}
