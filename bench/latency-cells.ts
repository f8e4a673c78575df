/**
 * The latency and throughput cells: every lane through every target at each concurrency, one run at a time,
 * after a warm-up pass that is not recorded.
 */
import type { Lane } from "./lanes.js";
import type { Measurer } from "./measure.js";
import { CONCURRENCIES, type Settings } from "./options.js";
import { log } from "./progress.js";
import type { Cell, RequestSpec, TargetName } from "./types.js";

type Specs = Map<string, Map<TargetName, RequestSpec>>;

// Warm-up pass: every lane through every target (JIT, connection pools), not recorded.
export async function warmUp(S: Settings, m: Measurer, lanes: Lane[], specs: Specs): Promise<void> {
  log("warm-up pass");
  for (const lane of lanes) {
    for (const [, spec] of specs.get(lane.id) ?? []) {
      await m.runJob({ ...m.job([spec], 8, lane, S.prewarmMs), warmupMs: 0, minRequests: 1 });
    }
  }
}

/** One run of every lane's cells. */
export async function measureLaneCells(
  S: Settings,
  ms: Measurer,
  run: number,
  lanes: Lane[],
  specs: Specs,
): Promise<void> {
  for (const lane of lanes) {
    const m = specs.get(lane.id);
    if (!m) continue;
    // Concurrency 1: direct, the proxy, llmux and the compared build alternate request by request (same
    // conditions for all: the regression guard's ratios are taken between requests a few ms apart); peers alone.
    const c1 = new Map<TargetName, number>();
    const paired = (["direct", "proxy", "llmux", "compare"] as TargetName[]).filter((t) => m.has(t));
    const got = await ms.measure(
      `run ${run} ${lane.id} ${paired.join("+")} c=1`,
      paired,
      ms.job(
        paired.map((t) => m.get(t)!),
        1,
        lane,
        S.c1Ms * paired.length,
      ),
    );
    paired.forEach((t, i) => {
      const res = got.results[i]!;
      ms.record({ lane: lane.id, target: t, concurrency: 1, run }, res, got, `run ${run} ${lane.id} ${t} c=1`, i);
      c1.set(t, res.latency.p50);
    });
    for (const [target, spec] of m) {
      if (paired.includes(target)) continue;
      const what = `run ${run} ${lane.id} ${target} c=1`;
      const g = await ms.measure(what, [target], ms.job([spec], 1, lane, S.c1Ms));
      ms.record({ lane: lane.id, target, concurrency: 1, run }, g.results[0]!, g, what);
      c1.set(target, g.results[0]!.latency.p50);
    }
    for (const c of CONCURRENCIES.filter((x) => x > 1)) {
      for (const [target, spec] of m) {
        const cell: Cell = { lane: lane.id, target, concurrency: c, run };
        const base = c1.get(target);
        if (base !== undefined && base * c > S.maxDrainMs) {
          cell.skipped = `c=1 p50 ${base.toFixed(0)} ms × ${c} exceeds the ${S.maxDrainMs / 1000} s drain budget`;
          ms.cells.push(cell);
          log(`run ${run} ${lane.id} ${target} c=${c}: skipped (${cell.skipped})`);
          continue;
        }
        const what = `run ${run} ${lane.id} ${target} c=${c}`;
        const g = await ms.measure(what, [target], ms.job([spec], c, lane, S.cNMs));
        ms.record(cell, g.results[0]!, g, what);
      }
    }
  }
}
