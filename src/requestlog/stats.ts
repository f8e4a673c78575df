/**
 * GET /admin/v1/stats: the request log summed by time bucket (requests, errors by class, latency and TTFT
 * percentiles, tokens, cost) and its top keys, teams and models, all computed in the database. Percentiles
 * come from a histogram with 10% wide bins (the same on both engines), so they are within 5% of the exact
 * value. Whole hours come from the hourly rollup and the partial hours at the range's edges from the rows
 * (see stats-plan.ts): the answer is the one the rows alone give, at a cost that grows with the hours in
 * range, not the rows.
 */
import { usd } from "../billing/cost.js";
import type { Data } from "../data/data.js";
import type { RequestFilter } from "../data/request-filter.js";
import {
  binValue,
  type SlotStats,
  statsBySlot,
  TOP,
  type TopGroups,
  type TopRow,
  topGroups,
  withTeamNames,
} from "../data/stats-queries.js";
import { rollupBySlot, rollupGroups } from "../data/stats-rollup-queries.js";
import { addSlotStats, addTopGroups, planStats } from "./stats-plan.js";

export const BUCKETS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
export type Bucket = keyof typeof BUCKETS;

/** Empty buckets are filled in (a continuous series) up to this many. */
const FILL_MAX = 2000;

export interface StatsBucket {
  time: string;
  /** Model calls let through. */
  requests: number;
  /** Model calls llmux refused (budget, allow-list, limit, key): never tokens, never requests served. */
  refused: number;
  errors: Record<string, number>;
  p50_latency_ms: number | null;
  p95_latency_ms: number | null;
  p50_ttft_ms: number | null;
  p95_ttft_ms: number | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
}

export interface StatsAnswer {
  from: string;
  to: string;
  bucket: Bucket;
  buckets: StatsBucket[];
  top: {
    keys: { id: string; name: string | null; requests: number; cost_usd: number }[];
    teams: { id: string; name: string | null; requests: number; cost_usd: number }[];
    models: { model: string; requests: number; cost_usd: number }[];
  };
}

/** The bucket a range is shown in when none is asked for: about 60 to 2000 points. */
export function defaultBucket(from: number, to: number): Bucket {
  const span = to - from;
  if (span <= 3 * 3_600_000) return "minute";
  if (span <= 7 * 86_400_000) return "hour";
  return "day";
}

/** A percentile from a histogram's bins (see src/data/stats-queries.ts). */
function percentile(bins: Map<number, number>, q: number): number | null {
  const sorted = [...bins.entries()].sort((a, b) => a[0] - b[0]);
  const n = sorted.reduce((a, [, c]) => a + c, 0);
  if (n === 0) return null;
  let seen = 0;
  for (const [bin, count] of sorted) {
    seen += count;
    if (seen >= q * n) return binValue(bin);
  }
  return null;
}

/** The slot stats and top groups of the range: from the rollup and the edge rows, or from the rows alone. */
async function gather(
  data: Data,
  f: RequestFilter & { from: number; to: number },
  size: number,
  rows: boolean,
): Promise<{ slots: SlotStats; top: TopGroups }> {
  const plan = rows ? { rows: [f] } : planStats(f, size);
  if (!plan.rollup) return { slots: await statsBySlot(data, f, size), top: await topGroups(data, f, TOP) };
  const [slots, groups] = await Promise.all([
    Promise.all([rollupBySlot(data, plan.rollup, size), ...plan.rows.map((part) => statsBySlot(data, part, size))]),
    Promise.all([rollupGroups(data, plan.rollup), ...plan.rows.map((part) => topGroups(data, part))]),
  ]);
  return { slots: addSlotStats(slots), top: addTopGroups(groups, TOP) };
}

/** The stats of a range; `rows`: from the request log's rows alone, never the rollup (tests, comparisons). */
export async function requestStats(
  data: Data,
  f: RequestFilter & { from: number; to: number },
  bucket: Bucket,
  rows = false,
): Promise<StatsAnswer> {
  const size = BUCKETS[bucket];
  const gathered = await gather(data, f, size, rows);
  const { sums, latency, ttft, errors } = gathered.slots;
  const first = f.from - (f.from % size);
  const count = Math.ceil((f.to - first) / size);
  const slots =
    count <= FILL_MAX
      ? Array.from({ length: count }, (_, i) => first + i * size)
      : [...sums.keys()].sort((a, b) => a - b);
  const buckets = slots.map((s): StatsBucket => {
    const r = sums.get(s);
    const l = latency.get(s) ?? new Map<number, number>();
    const t = ttft.get(s) ?? new Map<number, number>();
    return {
      time: new Date(s).toISOString(),
      requests: r?.requests ?? 0,
      refused: r?.refused ?? 0,
      errors: errors.get(s) ?? {},
      p50_latency_ms: percentile(l, 0.5),
      p95_latency_ms: percentile(l, 0.95),
      p50_ttft_ms: percentile(t, 0.5),
      p95_ttft_ms: percentile(t, 0.95),
      input_tokens: r?.input_tokens ?? 0,
      output_tokens: r?.output_tokens ?? 0,
      cache_read_tokens: r?.cache_read_tokens ?? 0,
      cache_write_tokens: r?.cache_write_tokens ?? 0,
      reasoning_tokens: r?.reasoning_tokens ?? 0,
      cost_usd: usd(r?.cost_nanos ?? 0),
    };
  });
  const top = await withTeamNames(data, gathered.top);
  const inUsd = (t: TopRow) => ({ id: t.id, name: t.name, requests: t.requests, cost_usd: usd(t.cost_nanos) });
  return {
    from: new Date(f.from).toISOString(),
    to: new Date(f.to).toISOString(),
    bucket,
    buckets,
    top: {
      keys: top.keys.map(inUsd),
      teams: top.teams.map(inUsd),
      models: top.models.map((m) => ({ model: m.id, requests: m.requests, cost_usd: usd(m.cost_nanos) })),
    },
  };
}
