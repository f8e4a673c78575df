import type { Point } from "../components/charts";
import { tick } from "./format";
import type { Bucket, StatsBucket } from "./types";

export type Range = "1h" | "24h" | "30d";

export const RANGES: Record<Range, { label: string; ms: number; bucket: Bucket }> = {
  "1h": { label: "Last hour", ms: 3600_000, bucket: "minute" },
  "24h": { label: "Last day", ms: 86_400_000, bucket: "hour" },
  "30d": { label: "Last 30 days", ms: 30 * 86_400_000, bucket: "day" },
};

const SIZE: Record<Bucket, number> = { minute: 60_000, hour: 3600_000, day: 86_400_000 };

/** The window a range covers, ending now (to the end of the current bucket). */
export function windowOf(range: Range, now = Date.now()): { from: string; to: string; bucket: Bucket } {
  const r = RANGES[range];
  const size = SIZE[r.bucket];
  const end = Math.floor(now / size) * size + size;
  return { from: new Date(end - r.ms).toISOString(), to: new Date(end).toISOString(), bucket: r.bucket };
}

/** Every bucket of the window, the server's where it has them and empty ones between (a gap is a zero). */
export function fill(
  buckets: StatsBucket[],
  from: string,
  to: string,
  bucket: Bucket,
): (StatsBucket & { t: number })[] {
  const size = SIZE[bucket];
  const byTime = new Map<number, StatsBucket>();
  for (const b of buckets) byTime.set(Math.floor(Date.parse(b.time) / size) * size, b);
  const out: (StatsBucket & { t: number })[] = [];
  for (let t = Math.floor(Date.parse(from) / size) * size; t < Date.parse(to); t += size) {
    const b = byTime.get(t);
    out.push(
      b
        ? { ...b, t }
        : {
            t,
            time: new Date(t).toISOString(),
            requests: 0,
            refused: 0,
            errors: {},
            p50_latency_ms: null,
            p95_latency_ms: null,
            p50_ttft_ms: null,
            p95_ttft_ms: null,
            input_tokens: 0,
            output_tokens: 0,
            cache_read_tokens: 0,
            cache_write_tokens: 0,
            reasoning_tokens: 0,
            cost_usd: 0,
          },
    );
  }
  // Buckets the server has outside the computed window (clock skew) are kept, not dropped.
  for (const [t, b] of byTime) if (!out.some((o) => o.t === t)) out.push({ ...b, t });
  return out.sort((a, b) => a.t - b.t);
}

/** A bucket's failed model calls: its errors by class hold its refusals too, which are a figure of their own. */
export function failedOf(b: StatsBucket): number {
  let all = 0;
  for (const v of Object.values(b.errors)) all += v;
  return Math.max(0, all - b.refused);
}

/** Chart points: each bucket's label and the values the charts draw. */
export function points(buckets: (StatsBucket & { t: number })[], bucket: Bucket): Point[] {
  const minutes = SIZE[bucket] / 60_000;
  return buckets.map((b) => {
    const p: Point = {
      label: tick(b.time, bucket),
      t: b.t,
      requests: b.requests,
      rpm: b.requests / minutes,
      p50_latency_ms: b.p50_latency_ms,
      p95_latency_ms: b.p95_latency_ms,
      p50_ttft_ms: b.p50_ttft_ms,
      p95_ttft_ms: b.p95_ttft_ms,
      input_tokens: b.input_tokens,
      output_tokens: b.output_tokens,
      cache_read_tokens: b.cache_read_tokens,
      cache_write_tokens: b.cache_write_tokens,
      reasoning_tokens: b.reasoning_tokens,
      cost_usd: b.cost_usd,
      // As the Errors tile: failed calls of those let through (refusals apart, in `refused`).
      error_rate: b.requests > 0 ? failedOf(b) / b.requests : 0,
      refused: b.refused,
    };
    return p;
  });
}

export interface Totals {
  /** Model calls let through. */
  requests: number;
  /** Model calls llmux refused (they count no tokens). */
  refused: number;
  /** Model calls that failed (refusals apart). */
  errors: number;
  tokens: number;
  cost: number;
}

export function totals(buckets: StatsBucket[]): Totals {
  let requests = 0;
  let refused = 0;
  let errors = 0;
  let tokens = 0;
  let cost = 0;
  for (const b of buckets) {
    requests += b.requests;
    refused += b.refused;
    errors += failedOf(b);
    tokens += b.input_tokens + b.output_tokens;
    cost += b.cost_usd;
  }
  return { requests, refused, errors, tokens, cost };
}
