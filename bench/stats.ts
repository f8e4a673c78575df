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

// ---------------------------------------------------------------------------------------------------------
// Paired measurements: two targets measured request by request (or window by window), interleaved in time, so
// that whatever disturbed the machine at one moment weighs on both sides of each pair.

/** One estimate with its confidence interval (bootstrap), from `n` pairs. */
export interface Estimate {
  value: number;
  lo: number;
  hi: number;
  n: number;
}

/**
 * a[i] − b[i] for every index where both are finite numbers (a failed request is null or NaN and drops its
 * pair); pairs beyond the shorter list are ignored.
 */
export function pairedDifferences(
  a: ReadonlyArray<number | null | undefined>,
  b: ReadonlyArray<number | null | undefined>,
): number[] {
  const out: number[] = [];
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (typeof x === "number" && typeof y === "number" && Number.isFinite(x) && Number.isFinite(y)) out.push(x - y);
  }
  return out;
}

/** a[i] / b[i] for every index where both are finite and b[i] > 0 (paired throughput windows). */
export function pairedRatios(a: ReadonlyArray<number | undefined>, b: ReadonlyArray<number | undefined>): number[] {
  const out: number[] = [];
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== undefined && y !== undefined && Number.isFinite(x) && Number.isFinite(y) && y > 0) out.push(x / y);
  }
  return out;
}

/** A ratio's spread as a percentage. */
export function percent(s: Spread | undefined): Spread | undefined {
  return s && { ...s, median: 100 * s.median, min: 100 * s.min, max: 100 * s.max };
}

/** A small deterministic random number generator (mulberry32): the same seed gives the same interval. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BootstrapOptions {
  /** Resamples drawn (default 2000). */
  resamples?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
  /** Seed of the resampling (default 1): the interval is reproducible from the same values. */
  seed?: number;
}

/**
 * The p-th percentile of `values` and its percentile-bootstrap confidence interval: `resamples` samples of the
 * same size drawn with replacement, the percentile of each, and the (1 − level)/2 and (1 + level)/2 quantiles
 * of those. Undefined for an empty list.
 */
export function percentileWithCi(
  values: ReadonlyArray<number>,
  p: number,
  o: BootstrapOptions = {},
): Estimate | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const s = sorted(values);
  const value = percentile(s, p);
  const resamples = o.resamples ?? 2000;
  const level = o.level ?? 0.95;
  const rnd = seededRandom(o.seed ?? 1);
  const stats = new Float64Array(resamples);
  const draw = new Float64Array(n);
  for (let r = 0; r < resamples; r++) {
    // Drawing indices into the sorted list keeps each resample's sort cheap (already nearly ordered).
    for (let i = 0; i < n; i++) draw[i] = s[Math.floor(rnd() * n)]!;
    draw.sort();
    stats[r] = percentile(draw, p);
  }
  stats.sort();
  return {
    value,
    lo: percentile(stats, (100 * (1 - level)) / 2),
    hi: percentile(stats, (100 * (1 + level)) / 2),
    n,
  };
}

/** The p-th percentile of the paired differences a[i] − b[i], with its bootstrap interval. */
export function pairedPercentile(
  a: ReadonlyArray<number | null | undefined>,
  b: ReadonlyArray<number | null | undefined>,
  p: number,
  o: BootstrapOptions = {},
): Estimate | undefined {
  return percentileWithCi(pairedDifferences(a, b), p, o);
}

/**
 * The order in which `rounds` rounds visit `items`: the same in every round (A B C, A B C…), so that every item
 * waits as long between two of its windows (a server left idle longer starts its next window slower: a copy of
 * the same build read up to 1.8 times the CPU per request after twice the wait, bench/findings.md), and the
 * other way round with `reverse` (C B A, C B A…: the odd runs), so that a drift within a round does not always
 * favour the item measured first. Each entry says its round: entries of one round are paired.
 */
export function interleavedOrder<T>(
  items: readonly T[],
  rounds: number,
  reverse = false,
): { round: number; item: T }[] {
  const seq = reverse ? [...items].reverse() : items;
  const out: { round: number; item: T }[] = [];
  for (let round = 0; round < rounds; round++) for (const item of seq) out.push({ round, item });
  return out;
}

/** An estimate as a Spread (value, interval as min–max), for the report's tables. */
export function estimateSpread(e: Estimate | undefined): Spread | undefined {
  return e ? { median: e.value, min: e.lo, max: e.hi, n: e.n } : undefined;
}
