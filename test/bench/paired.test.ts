import { describe, expect, it } from "vitest";
import { added, M, throughputRatio } from "../../bench/report-figures.js";
import {
  estimateSpread,
  interleavedOrder,
  pairedDifferences,
  pairedPercentile,
  pairedRatios,
  percentile,
  percentileWithCi,
  seededRandom,
  sorted,
} from "../../bench/stats.js";
import type { BenchResults, Cell, RunResult } from "../../bench/types.js";

// The paired statistics of the benchmark, on fixed inputs (no servers, no timing).

describe("bench paired statistics", () => {
  it("pairs samples by index and drops a pair whose either side failed", () => {
    expect(pairedDifferences([3, null, 5, 7, 9], [1, 1, Number.NaN, 2])).toEqual([2, 5]);
    expect(pairedRatios([10, 20, 30, undefined], [5, 0, 10, 1])).toEqual([2, 3]);
  });

  it("reports the p99 of paired differences, not the difference of p99s", () => {
    // llmux adds 0.5 ms to every request; direct had two stalls (the machine, not llmux) at moments where
    // llmux did not. The difference of p99s calls llmux 48.5 ms faster; the pairs say +0.5 ms.
    const direct = Array.from({ length: 100 }, (_, i) => (i === 10 || i === 60 ? 50 : 1));
    const llmux = Array.from({ length: 100 }, () => 1.5);
    const naive = percentile(sorted(llmux), 99) - percentile(sorted(direct), 99);
    expect(naive).toBeCloseTo(-48.5);
    const paired = pairedPercentile(llmux, direct, 99)!;
    expect(paired.value).toBeCloseTo(0.5);
    expect(paired.n).toBe(100);
  });

  it("gives a reproducible bootstrap interval around the estimate", () => {
    const values = Array.from({ length: 200 }, (_, i) => (i * 37) % 101);
    const a = percentileWithCi(values, 99, { resamples: 500, seed: 7 })!;
    const b = percentileWithCi(values, 99, { resamples: 500, seed: 7 })!;
    expect(a).toEqual(b);
    expect(a.lo).toBeLessThanOrEqual(a.value);
    expect(a.hi).toBeGreaterThanOrEqual(a.value);
    expect(a.hi).toBeLessThanOrEqual(100);
    expect(a.lo).toBeGreaterThan(80);
    // A wider interval with fewer samples from the same distribution.
    const few = percentileWithCi(values.slice(0, 20), 50, { resamples: 500 })!;
    const many = percentileWithCi(values, 50, { resamples: 500 })!;
    expect(few.hi - few.lo).toBeGreaterThan(many.hi - many.lo);
    // Constant differences: the interval collapses onto the value.
    expect(percentileWithCi([2, 2, 2, 2], 99)).toEqual({ value: 2, lo: 2, hi: 2, n: 4 });
    expect(percentileWithCi([], 99)).toBeUndefined();
    expect(estimateSpread(a)).toEqual({ median: a.value, min: a.lo, max: a.hi, n: 200 });
  });

  it("draws the same stream from the same seed", () => {
    const r1 = seededRandom(42);
    const r2 = seededRandom(42);
    const xs = Array.from({ length: 5 }, () => r1());
    expect(xs).toEqual(Array.from({ length: 5 }, () => r2()));
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
    expect(seededRandom(43)()).not.toBe(xs[0]);
  });

  it("interleaves targets in one order every round (each waits as long between its windows), reversed on request", () => {
    const order = interleavedOrder(["direct", "proxy", "llmux"], 3);
    expect(order.map((o) => `${o.round}:${o.item}`)).toEqual([
      "0:direct",
      "0:proxy",
      "0:llmux",
      "1:direct",
      "1:proxy",
      "1:llmux",
      "2:direct",
      "2:proxy",
      "2:llmux",
    ]);
    const back = interleavedOrder(["direct", "proxy", "llmux"], 2, true);
    expect(back.map((o) => `${o.round}:${o.item}`)).toEqual([
      "0:llmux",
      "0:proxy",
      "0:direct",
      "1:llmux",
      "1:proxy",
      "1:direct",
    ]);
    // Between two windows of a target, every other target runs once.
    const items = order.map((o) => o.item);
    for (const t of ["direct", "proxy", "llmux"]) {
      const at = items.flatMap((x, i) => (x === t ? [i] : []));
      expect(at.slice(1).map((i, k) => i - at[k]!)).toEqual([3, 3]);
    }
  });
});

function res(latencies: number[], throughput = 100): RunResult {
  const s = { n: latencies.length, min: 0, p50: 0, p90: 0, p99: Math.max(...latencies), max: 0, mean: 0 };
  return {
    requests: latencies.length,
    errors: 0,
    timedOut: 0,
    elapsedMs: 1000,
    throughput,
    latency: s,
    ttfb: s,
    loadgenCpuMs: 0,
    wallMs: 1000,
    totalRequests: latencies.length,
    samples: latencies,
  };
}

describe("bench report from paired samples", () => {
  it("takes added p99 at c=1 from the pairs of every run, with an interval", () => {
    const direct1 = Array.from({ length: 100 }, (_, i) => (i % 50 === 7 ? 40 : 2));
    const direct2 = Array.from({ length: 100 }, (_, i) => (i % 50 === 9 ? 40 : 2));
    const cells: Cell[] = [
      { lane: "l", target: "direct", concurrency: 1, run: 1, result: res(direct1) },
      {
        lane: "l",
        target: "llmux",
        concurrency: 1,
        run: 1,
        result: res(direct1.map(() => 2.4)),
        pairedDirect: direct1,
      },
      { lane: "l", target: "direct", concurrency: 1, run: 2, result: res(direct2) },
      {
        lane: "l",
        target: "llmux",
        concurrency: 1,
        run: 2,
        result: res(direct2.map(() => 2.4)),
        pairedDirect: direct2,
      },
    ];
    const r = { cells, meta: { concurrencies: [1] } } as unknown as BenchResults;
    const s = added(r, "l", "llmux", 1, M.p99)!;
    expect(s.n).toBe(200);
    expect(s.median).toBeCloseTo(0.4);
    expect(s.min).toBeLessThanOrEqual(s.median);
    // Without samples (older results): one difference of p99s per run, as before.
    const old = {
      cells: cells.map(({ pairedDirect: _, ...c }) => c),
      meta: { concurrencies: [1] },
    } as unknown as BenchResults;
    expect(added(old, "l", "llmux", 1, M.p99)!.median).toBeCloseTo(-37.6);
  });

  it("takes throughput ratios at c > 1 window by window", () => {
    const cell = (target: "llmux" | "direct", run: number, windows: number[]): Cell => ({
      lane: "l",
      target,
      concurrency: 16,
      run,
      result: res([1], windows[0]),
      windows,
    });
    const r = {
      cells: [
        cell("llmux", 1, [50, 30, 60]),
        cell("direct", 1, [100, 60, 100]),
        cell("llmux", 2, [45]),
        cell("direct", 2, [100]),
      ],
      meta: { concurrencies: [1, 16] },
    } as unknown as BenchResults;
    expect(throughputRatio(r, "l", "llmux", "direct", 16)).toEqual({ median: 0.5, min: 0.45, max: 0.6, n: 4 });
  });
});
