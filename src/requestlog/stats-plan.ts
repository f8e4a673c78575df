/**
 * Where the stats come from (pure): the hourly rollup for the whole hours of the range, the request log's
 * rows for the partial hours at its edges, and the rows alone when the rollup cannot answer (minute
 * buckets, a range within one hour, a filter other than the key); and how the parts are added up.
 */
import type { RequestFilter } from "../data/request-filter.js";
import type { Histogram, SlotStats, TopGroups, TopRow } from "../data/stats-queries.js";
import { HOUR_MS } from "../data/stats-rollup.js";
import type { RollupRange } from "../data/stats-rollup-queries.js";
import type { UsageTotals } from "../data/usage-totals.js";

export type RangedFilter = RequestFilter & { from: number; to: number };

export interface StatsPlan {
  /** The whole hours read from the rollup (none: the rows answer all of it). */
  rollup?: RollupRange;
  /** The parts of the range read from the rows. */
  rows: RangedFilter[];
}

/** The filter fields the rollup answers besides the range (`calls` is always model calls in the stats). */
const ANSWERED = new Set(["key_id", "from", "to", "calls"]);

/** Whether the rollup can answer the filter: every caller, or one key. */
export function rollupAnswers(f: RequestFilter): boolean {
  return Object.entries(f).every(([k, v]) => ANSWERED.has(k) || v === undefined || v === false || v === "");
}

/** The plan of a stats query in buckets of `sizeMs`. */
export function planStats(f: RangedFilter, sizeMs: number): StatsPlan {
  const from = Math.ceil(f.from / HOUR_MS) * HOUR_MS;
  const to = Math.floor(f.to / HOUR_MS) * HOUR_MS;
  if (sizeMs % HOUR_MS !== 0 || from >= to || !rollupAnswers(f)) return { rows: [f] };
  const rows: RangedFilter[] = [];
  if (f.from < from) rows.push({ ...f, to: from });
  if (to < f.to) rows.push({ ...f, from: to });
  return { rollup: { from, to, ...(f.key_id ? { key_id: f.key_id } : {}) }, rows };
}

const addTotals = (a: UsageTotals, b: UsageTotals): UsageTotals => ({
  requests: a.requests + b.requests,
  refused: a.refused + b.refused,
  input_tokens: a.input_tokens + b.input_tokens,
  output_tokens: a.output_tokens + b.output_tokens,
  cache_read_tokens: a.cache_read_tokens + b.cache_read_tokens,
  cache_write_tokens: a.cache_write_tokens + b.cache_write_tokens,
  reasoning_tokens: a.reasoning_tokens + b.reasoning_tokens,
  cost_nanos: a.cost_nanos + b.cost_nanos,
});

function addHistograms(into: Histogram, h: Histogram): void {
  for (const [slot, bins] of h) {
    const m = into.get(slot) ?? new Map<number, number>();
    for (const [bin, n] of bins) m.set(bin, (m.get(bin) ?? 0) + n);
    into.set(slot, m);
  }
}

/** The slot stats of several parts of a range, added up. */
export function addSlotStats(parts: readonly SlotStats[]): SlotStats {
  const out: SlotStats = { sums: new Map(), latency: new Map(), ttft: new Map(), errors: new Map() };
  for (const p of parts) {
    for (const [slot, t] of p.sums) {
      const had = out.sums.get(slot);
      out.sums.set(slot, had ? addTotals(had, t) : t);
    }
    addHistograms(out.latency, p.latency);
    addHistograms(out.ttft, p.ttft);
    for (const [slot, e] of p.errors) {
      const m = { ...(out.errors.get(slot) ?? {}) };
      for (const [cls, n] of Object.entries(e)) m[cls] = (m[cls] ?? 0) + n;
      out.errors.set(slot, m);
    }
  }
  return out;
}

/** Most requests first, ties by id (as the rows' query orders them). */
const byRank = (a: TopRow, b: TopRow) => b.requests - a.requests || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function addRows(lists: readonly TopRow[][], limit: number): TopRow[] {
  const all = new Map<string, TopRow>();
  for (const list of lists)
    for (const r of list) {
      const had = all.get(r.id);
      all.set(
        r.id,
        had
          ? {
              id: r.id,
              name: had.name === null || (r.name !== null && r.name > had.name) ? r.name : had.name,
              requests: had.requests + r.requests,
              cost_nanos: had.cost_nanos + r.cost_nanos,
            }
          : r,
      );
    }
  return [...all.values()].sort(byRank).slice(0, limit);
}

/** The groups of several parts of a range, added up and ranked, the first `limit` of each. */
export function addTopGroups(parts: readonly TopGroups[], limit: number): TopGroups {
  return {
    keys: addRows(
      parts.map((p) => p.keys),
      limit,
    ),
    teams: addRows(
      parts.map((p) => p.teams),
      limit,
    ),
    models: addRows(
      parts.map((p) => p.models),
      limit,
    ),
  };
}
