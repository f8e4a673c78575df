/** Pure statistics helpers for the benchmark: percentiles, summaries and spreads over repeated runs. */

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** The median and the range of one figure over repeated runs. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** How many runs contributed. */
  n: number;
}

/**
 * The p-th percentile (0–100) of values sorted ascending, interpolating linearly between the closest ranks
 * (the usual "type 7" definition). NaN for an empty list.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  if (n === 1) return sorted[0]!;
  const clamped = Math.min(100, Math.max(0, p));
  const rank = (clamped / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (rank - lo);
}

/** Sorts a copy of the values (numbers, ascending). */
export function sorted(values: ArrayLike<number>): Float64Array {
  const copy = Float64Array.from(values as ArrayLike<number>);
  copy.sort();
  return copy;
}

export function emptySummary(): Summary {
  return {
    n: 0,
    min: Number.NaN,
    p50: Number.NaN,
    p90: Number.NaN,
    p99: Number.NaN,
    max: Number.NaN,
    mean: Number.NaN,
  };
}

/** Count, min, p50, p90, p99, max and mean of a list of values. */
export function summarize(values: ArrayLike<number>): Summary {
  const n = values.length;
  if (n === 0) return emptySummary();
  const s = sorted(values);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i]!;
  return {
    n,
    min: s[0]!,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s[n - 1]!,
    mean: sum / n,
  };
}

/** Median and min–max of the finite values among `values` (one per run); undefined when there are none. */
export function spread(values: ReadonlyArray<number | undefined>): Spread | undefined {
  const finite = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (finite.length === 0) return undefined;
  const s = sorted(finite);
  return { median: percentile(s, 50), min: s[0]!, max: s[s.length - 1]!, n: s.length };
}

/**
 * The slope of log(y) against log(x) by least squares: 1 means y grows linearly with x, 2 quadratically.
 * Points with a non-positive coordinate are ignored; NaN when fewer than two remain.
 */
export function logLogSlope(points: ReadonlyArray<{ x: number; y: number }>): number {
  const pts = points.filter((p) => p.x > 0 && p.y > 0).map((p) => ({ x: Math.log(p.x), y: Math.log(p.y) }));
  if (pts.length < 2) return Number.NaN;
  const mx = pts.reduce((a, p) => a + p.x, 0) / pts.length;
  const my = pts.reduce((a, p) => a + p.y, 0) / pts.length;
  let num = 0;
  let den = 0;
  for (const p of pts) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

/** Least-squares line y = a + b·x. */
export function linearFit(points: ReadonlyArray<{ x: number; y: number }>): { a: number; b: number } {
  const n = points.length;
  if (n === 0) return { a: Number.NaN, b: Number.NaN };
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  const b = den === 0 ? 0 : num / den;
  return { a: my - b * mx, b };
}
