/**
 * The figures of the report, computed from BenchResults: per run, then median and min–max over runs
 * ("added" = gateway minus direct, run by run).
 */

import { LONG_DELTAS, LONG_LANE, SHORT_LANE } from "./lanes.js";
import {
  type Estimate,
  estimateSpread,
  linearFit,
  logLogSlope,
  pairedDifferences,
  pairedRatios,
  percentileWithCi,
  type Spread,
  spread,
} from "./stats.js";
import type { BenchResults, Cell, LaneInfo, RunResult, TargetName } from "./types.js";

export type Metric = (r: RunResult) => number | undefined;

export const M = {
  p50: (r: RunResult) => r.latency.p50,
  p99: (r: RunResult) => r.latency.p99,
  ttfb50: (r: RunResult) => r.ttfb.p50,
  ttfb99: (r: RunResult) => r.ttfb.p99,
  ttft50: (r: RunResult) => r.ttft?.p50,
  gap50: (r: RunResult) => r.gap?.p50,
  gap99: (r: RunResult) => r.gap?.p99,
  thr: (r: RunResult) => r.throughput,
} satisfies Record<string, Metric>;

/** Everything that sits between the client and the mock (the minimal proxy is the reference). */
export const GATEWAYS: TargetName[] = ["proxy", "llmux", "compare", "portkey", "ccr"];

export function gatewaysOf(l: LaneInfo): TargetName[] {
  return GATEWAYS.filter((g) => l.targets.includes(g));
}

export function runsOf(r: BenchResults): number[] {
  return [...new Set(r.cells.map((c) => c.run))].sort((a, b) => a - b);
}

export function findCell(r: BenchResults, lane: string, target: TargetName, c: number, run: number): Cell | undefined {
  return r.cells.find((x) => x.lane === lane && x.target === target && x.concurrency === c && x.run === run);
}

export function usable(cell: Cell | undefined): RunResult | undefined {
  const res = cell?.result;
  if (!res || res.requests === 0 || res.errors > res.requests / 2) return undefined;
  return res;
}

/** A figure of one lane × target × concurrency, over runs. */
export function figure(r: BenchResults, lane: string, target: TargetName, c: number, f: Metric): Spread | undefined {
  return spread(runsOf(r).map((run) => mapOr(usable(findCell(r, lane, target, c, run)), f)));
}

function mapOr(res: RunResult | undefined, f: Metric): number | undefined {
  return res ? f(res) : undefined;
}

/**
 * Gateway minus direct, run by run, then median and range. The p99 at c = 1, when the run kept its samples, is
 * instead the p99 of the paired differences (pairedAdded): value and 95% bootstrap interval as min–max.
 */
export function added(r: BenchResults, lane: string, target: TargetName, c: number, f: Metric): Spread | undefined {
  if (c === 1 && f === M.p99) {
    const e = pairedAdded(r, lane, target, 99);
    if (e) return estimateSpread(e);
  }
  return between(r, lane, target, "direct", c, f);
}

const pairedCache = new WeakMap<BenchResults, Map<string, Estimate | undefined>>();

/**
 * The p-th percentile of (target's latency i − direct's latency i) at c = 1, the pairs of every run pooled:
 * request i of each was sent one after the other in the same job (bench/loadgen.ts), so a stall of the
 * machine lands on one pair, not on one side. Undefined when the cells kept no samples (older results).
 */
export function pairedAdded(r: BenchResults, lane: string, target: TargetName, p: number): Estimate | undefined {
  let cache = pairedCache.get(r);
  if (!cache) {
    cache = new Map();
    pairedCache.set(r, cache);
  }
  const key = `${lane}\u0000${target}\u0000${p}`;
  if (cache.has(key)) return cache.get(key);
  const diffs: number[] = [];
  for (const run of runsOf(r)) {
    const cell = findCell(r, lane, target, 1, run);
    const res = usable(cell);
    if (!res?.samples || !cell?.pairedDirect) continue;
    diffs.push(...pairedDifferences(res.samples, cell.pairedDirect));
  }
  const e = percentileWithCi(diffs, p, { resamples: 1000 });
  cache.set(key, e);
  return e;
}

/**
 * Throughput of `a` over `b` at c > 1 from paired windows: window i of both was measured in the same round of
 * the interleaved order (bench/latency-cells.ts). Every run's ratios pooled: median and range. Falls back to
 * one ratio per run for results without windows.
 */
export function throughputRatio(
  r: BenchResults,
  lane: string,
  a: TargetName,
  b: TargetName,
  c: number,
): Spread | undefined {
  const ratios: number[] = [];
  for (const run of runsOf(r)) {
    const x = findCell(r, lane, a, c, run);
    const y = findCell(r, lane, b, c, run);
    if (!usable(x) || !usable(y)) continue;
    if (x!.windows && y!.windows) ratios.push(...pairedRatios(x!.windows, y!.windows));
    else ratios.push(...pairedRatios([x!.result!.throughput], [y!.result!.throughput]));
  }
  return spread(ratios);
}

/**
 * CPU per request of `a` over `b` at c > 1 from paired windows (cpuWindows): window i of both was measured in the
 * same round, seconds apart, so a machine that speeds up or slows down over a run moves both sides of a ratio.
 * Every run's and every concurrency's ratios pooled: median and range. Undefined for results without them.
 */
export function cpuWindowRatio(r: BenchResults, lane: string, a: TargetName, b: TargetName): Spread | undefined {
  const ratios: number[] = [];
  const cs = r.meta.concurrencies.filter((c) => c > 1);
  for (const run of runsOf(r))
    for (const c of cs) {
      const x = findCell(r, lane, a, c, run);
      const y = findCell(r, lane, b, c, run);
      if (!usable(x) || !usable(y) || !x!.cpuWindows || !y!.cpuWindows) continue;
      const none = (v: number | null) => (v === null ? undefined : v);
      ratios.push(...pairedRatios(x!.cpuWindows.map(none), y!.cpuWindows.map(none)));
    }
  return spread(ratios);
}

/** One target minus another, run by run, then median and range. */
export function between(
  r: BenchResults,
  lane: string,
  a: TargetName,
  b: TargetName,
  c: number,
  f: Metric,
): Spread | undefined {
  return spread(
    runsOf(r).map((run) => {
      const x = mapOr(usable(findCell(r, lane, a, c, run)), f);
      const y = mapOr(usable(findCell(r, lane, b, c, run)), f);
      return x === undefined || y === undefined ? undefined : x - y;
    }),
  );
}

/** Highest throughput among the concurrencies whose p99 stayed within `limitMs`, per run. */
export function maxThroughput(
  r: BenchResults,
  lane: string,
  target: TargetName,
  limitMs = 50,
): { spread?: Spread; at: number[] } {
  const at: number[] = [];
  const values = runsOf(r).map((run) => {
    let best: number | undefined;
    let bestC = 0;
    for (const c of r.meta.concurrencies) {
      const res = usable(findCell(r, lane, target, c, run));
      if (res && res.latency.p99 <= limitMs && (best === undefined || res.throughput > best)) {
        best = res.throughput;
        bestC = c;
      }
    }
    if (best !== undefined) at.push(bestC);
    return best;
  });
  const s = spread(values);
  return s ? { spread: s, at } : { at };
}

/** CPU time per request of the serving process: per run, total CPU ÷ total requests of the c > 1 cells. */
export function cpuPerRequest(r: BenchResults, lane: string, target: TargetName): Spread | undefined {
  return spread(cpuPerRequestRuns(r, lane, target));
}

/** cpuPerRequest, run by run (runsOf's order; undefined where a run has no figure). */
export function cpuPerRequestRuns(r: BenchResults, lane: string, target: TargetName): (number | undefined)[] {
  return runsOf(r).map((run) => {
    let cpu = 0;
    let n = 0;
    for (const c of r.cells) {
      if (c.lane !== lane || c.target !== target || c.run !== run || c.concurrency === 1) continue;
      if (!usable(c) || c.cpuPerRequestMs === undefined) continue;
      cpu += c.cpuPerRequestMs * c.result!.totalRequests;
      n += c.result!.totalRequests;
    }
    return n > 0 ? cpu / n : undefined;
  });
}

/**
 * CPU per streamed event of `target`, run by run (µs): the CPU per request the long-stream lane costs over its
 * short twin (the same request, answered with the usual reply), divided by the deltas it adds. Each delta is
 * one upstream chunk and one event to the client, so the fixed cost of a request is out of the figure.
 * Undefined where either lane has no figure for the run (or the long lane did not run).
 */
export function cpuPerEventRuns(r: BenchResults, target: TargetName): (number | undefined)[] {
  const added = LONG_DELTAS - r.meta.upstream.deltas;
  const long = cpuPerRequestRuns(r, LONG_LANE, target);
  const short = cpuPerRequestRuns(r, SHORT_LANE, target);
  return long.map((l, i) => {
    const s = short[i];
    return l === undefined || s === undefined || added <= 0 ? undefined : (1000 * (l - s)) / added;
  });
}

/** Added p50 latency of llmux per body size (median over runs). */
export function curvePoints(
  r: BenchResults,
  lane: string,
  target: TargetName = "llmux",
): { bytes: number; added?: Spread; direct?: Spread }[] {
  const sizes = [...new Set(r.curve.filter((p) => p.lane === lane).map((p) => p.bytes))].sort((a, b) => a - b);
  const runs = [...new Set(r.curve.map((p) => p.run))];
  return sizes.map((bytes) => {
    const get = (t: TargetName, run: number) =>
      r.curve.find((p) => p.lane === lane && p.target === t && p.bytes === bytes && p.run === run)?.result;
    const addedS = spread(
      runs.map((run) => {
        const l = get(target, run);
        const d = get("direct", run);
        return l && d && l.requests > 0 && d.requests > 0 ? l.latency.p50 - d.latency.p50 : undefined;
      }),
    );
    const directS = spread(runs.map((run) => get("direct", run)?.latency.p50));
    const out: { bytes: number; added?: Spread; direct?: Spread } = { bytes };
    if (addedS) out.added = addedS;
    if (directS) out.direct = directS;
    return out;
  });
}

export function curveSlope(r: BenchResults, lane: string): number | undefined {
  const pts = curvePoints(r, lane)
    .filter((p) => p.bytes >= 100_000 && p.added)
    .map((p) => ({ x: p.bytes, y: p.added!.median }));
  const s = logLogSlope(pts);
  return Number.isFinite(s) ? s : undefined;
}

/**
 * CPU time per MB of request body on a curve lane, ms per MB (10^6 bytes), run by run: the
 * least-squares slope of the serving process's CPU time per request against the body size, over the curve's sizes
 * (the curve's runs, in order).
 */
export function curveCpuPerMbRuns(r: BenchResults, lane: string, target: TargetName): (number | undefined)[] {
  return [...new Set(r.curve.map((p) => p.run))]
    .sort((a, b) => a - b)
    .map((run) => {
      const pts = r.curve
        .filter((p) => p.lane === lane && p.target === target && p.run === run && p.cpuPerRequestMs !== undefined)
        .map((p) => ({ x: p.bytes / 1e6, y: p.cpuPerRequestMs! }));
      return new Set(pts.map((p) => p.x)).size >= 2 ? linearFit(pts).b : undefined;
    });
}

/** curveCpuPerMbRuns over the runs: median and range. */
export function curveCpuPerMb(r: BenchResults, lane: string, target: TargetName): Spread | undefined {
  return spread(curveCpuPerMbRuns(r, lane, target));
}

/** llmux's CPU per MB ÷ the minimal proxy's, run by run (median and range). */
export function curveCpuPerMbRatio(r: BenchResults, lane: string, target: TargetName = "llmux"): Spread | undefined {
  return spread(pairedRatios(curveCpuPerMbRuns(r, lane, target), curveCpuPerMbRuns(r, lane, "proxy")));
}
