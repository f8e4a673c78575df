/**
 * The latency and throughput cells: every lane through every target at each concurrency, one run at a time,
 * after a warm-up pass that is not recorded.
 */
import { calmPart, type Journal } from "./journal.js";
import type { Lane } from "./lanes.js";
import type { Measured, Measurer } from "./measure.js";
import { CONCURRENCIES, type Settings } from "./options.js";
import { log } from "./progress.js";
import { interleavedOrder } from "./stats.js";
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
  journal?: Journal,
): Promise<void> {
  for (const lane of lanes) {
    const m = specs.get(lane.id);
    if (!m) continue;
    // A lane's cells of one run are journaled together once all are measured; a resumed run takes them back.
    // A part measured while other processes disturbed it is measured again (calmPart).
    const first = ms.cells.length;
    const { part, resumed } = await calmPart(journal, `cells:${run}:${lane.id}`, S.noisyPct, async () => {
      await measureLane(S, ms, run, lane, m);
      return ms.cells.splice(first);
    });
    ms.cells.push(...part);
    if (resumed) for (const c of part) if (c.foreignCpuPct !== undefined) ms.foreignSeen.push(c.foreignCpuPct);
  }
}

async function measureLane(
  S: Settings,
  ms: Measurer,
  run: number,
  lane: Lane,
  m: Map<TargetName, RequestSpec>,
): Promise<void> {
  // Concurrency 1: direct, the proxy, llmux and the compared build alternate request by request (same
  // conditions for all: the regression guard's ratios are taken between requests a few ms apart); each peer
  // alternates with direct in a job of its own. Every latency is kept, so that "added" percentiles come from
  // the pairs (request i of the target, request i of direct) rather than from two separate distributions.
  const c1 = new Map<TargetName, number>();
  const paired = (["direct", "proxy", "llmux", "compare"] as TargetName[]).filter((t) => m.has(t));
  const got = await ms.measure(`run ${run} ${lane.id} ${paired.join("+")} c=1`, paired, {
    ...ms.job(
      paired.map((t) => m.get(t)!),
      1,
      lane,
      S.c1Ms * paired.length,
    ),
    samples: true,
  });
  const directSamples = paired[0] === "direct" ? got.results[0]!.samples : undefined;
  paired.forEach((t, i) => {
    const res = got.results[i]!;
    const cell: Cell = { lane: lane.id, target: t, concurrency: 1, run };
    if (t !== "direct" && directSamples) cell.pairedDirect = directSamples;
    ms.record(cell, res, got, `run ${run} ${lane.id} ${t} c=1`, i);
    c1.set(t, res.latency.p50);
  });
  for (const [target, spec] of m) {
    if (paired.includes(target)) continue;
    const what = `run ${run} ${lane.id} ${target} c=1`;
    const direct = m.get("direct");
    const specs = direct ? [direct, spec] : [spec];
    const g = await ms.measure(what, direct ? ["direct", target] : [target], {
      ...ms.job(specs, 1, lane, S.c1Ms * specs.length),
      samples: true,
    });
    const i = specs.length - 1;
    const cell: Cell = { lane: lane.id, target, concurrency: 1, run };
    if (direct && g.results[0]!.samples) cell.pairedDirect = g.results[0]!.samples;
    ms.record(cell, g.results[i]!, g, what, i);
    c1.set(target, g.results[i]!.latency.p50);
  }
  for (const c of CONCURRENCIES.filter((x) => x > 1)) {
    const targets: TargetName[] = [];
    for (const target of m.keys()) {
      const base = c1.get(target);
      if (base !== undefined && base * c > S.maxDrainMs) {
        const cell: Cell = { lane: lane.id, target, concurrency: c, run };
        cell.skipped = `c=1 p50 ${base.toFixed(0)} ms × ${c} exceeds the ${S.maxDrainMs / 1000} s drain budget`;
        ms.cells.push(cell);
        log(`run ${run} ${lane.id} ${target} c=${c}: skipped (${cell.skipped})`);
      } else targets.push(target);
    }
    // Throughput: short windows, the targets interleaved round by round (in one order in a run, the other way
    // round in the next), so that window i of llmux and window i of direct are seconds apart and their ratio is
    // a pair, and every target waits as long between its windows.
    const windows = new Map<TargetName, Measured[]>();
    for (const { round, item: target } of interleavedOrder(targets, S.windows, run % 2 === 0)) {
      const what = `run ${run} ${lane.id} ${target} c=${c} window ${round + 1}/${S.windows}`;
      const g = await ms.measure(what, [target], ms.job([m.get(target)!], c, lane, S.cNMs));
      windows.set(target, [...(windows.get(target) ?? []), g]);
    }
    for (const [target, ws] of windows) {
      const cell: Cell = { lane: lane.id, target, concurrency: c, run };
      cell.windows = ws.map((w) => w.results[0]!.throughput);
      cell.cpuWindows = ws.map((w) => w.cpu[0] ?? null);
      ms.record(cell, representative(ws).results[0]!, combined(ws), `run ${run} ${lane.id} ${target} c=${c}`);
    }
  }
}

/** The window of median throughput: the cell's latency figures come from one real window. */
function representative(ws: Measured[]): Measured {
  const byThr = [...ws].sort((a, b) => a.results[0]!.throughput - b.results[0]!.throughput);
  return byThr[Math.floor((byThr.length - 1) / 2)]!;
}

/** CPU and wake-ups per request over all windows (weighted by requests), and the worst foreign load seen. */
function combined(ws: Measured[]): Measured {
  const per = (pick: (w: Measured) => number | undefined) => {
    let sum = 0;
    let n = 0;
    for (const w of ws) {
      const v = pick(w);
      const k = w.results[0]!.totalRequests;
      if (v === undefined) return undefined;
      sum += v * k;
      n += k;
    }
    return n > 0 ? sum / n : undefined;
  };
  return {
    results: representative(ws).results,
    cpu: [per((w) => w.cpu[0])],
    wakeups: [per((w) => w.wakeups[0])],
    foreignCpuPct: Math.max(...ws.map((w) => w.foreignCpuPct)),
  };
}
