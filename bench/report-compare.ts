/**
 * The report's "compared with REV" table (`npm run bench -- --compare REV`): per lane, llmux and the compared
 * build side by side — added latency over the minimal proxy, CPU per request, throughput at the highest
 * concurrency, CPU per streamed event (on the long-stream lane) — and RSS, with the ratio current / compared. Both
 * builds were measured in the same rounds, so each ratio is taken run by run, then its median and range over the
 * runs; CPU per request and throughput at c > 1, where the run kept its windows, window by window instead (window
 * i of both builds measured seconds apart: a machine whose speed drifts over a run moves both sides of a ratio).
 */
import { LONG_LANE } from "./lanes.js";
import {
  cpuPerEventRuns,
  cpuPerRequestRuns,
  cpuWindowRatio,
  findCell,
  M,
  type Metric,
  runsOf,
  throughputRatio,
  usable,
} from "./report-figures.js";
import { type Emit, fmt, laneTitle, table } from "./report-format.js";
import { type Spread, spread } from "./stats.js";
import type { BenchResults, LaneInfo, TargetName } from "./types.js";

/** One figure per run (runsOf's order), undefined where the run has none. */
type Runs = (number | undefined)[];

const BUILDS = ["llmux", "compare"] as const;

function metricRuns(r: BenchResults, lane: string, t: TargetName, c: number, f: Metric): Runs {
  return runsOf(r).map((run) => {
    const res = usable(findCell(r, lane, t, c, run));
    return res ? f(res) : undefined;
  });
}

function zip(a: Runs, b: Runs, f: (x: number, y: number) => number | undefined): Runs {
  return a.map((x, i) => {
    const y = b[i];
    return x === undefined || y === undefined ? undefined : f(x, y);
  });
}

const minus = (a: Runs, b: Runs): Runs => zip(a, b, (x, y) => x - y);
const over = (a: Runs, b: Runs): Runs => zip(a, b, (x, y) => (y > 0 && x >= 0 ? x / y : undefined));

const value = (v: Runs, digits: number): string => fmt(spread(v), digits);
const ratio = (s: Spread | undefined, what = ""): string => (s ? `${fmt(s, 2)}×${what}` : "–");
const times = (v: Runs, what = ""): string => ratio(spread(v), what);

/**
 * A row: the figure of each build (with a note, e.g. its ratio to the proxy) and current / compared, run by run
 * unless `paired` (window by window) is given.
 */
function row(
  lane: string,
  figure: string,
  runs: Record<"llmux" | "compare", Runs>,
  cell: (v: Runs) => string,
  paired?: Spread,
) {
  const currentOverCompared = paired ? ratio(paired, " (windows)") : times(over(runs.llmux, runs.compare));
  return [lane, figure, cell(runs.llmux), cell(runs.compare), currentOverCompared];
}

function laneRows(r: BenchResults, l: LaneInfo): string[][] {
  const lane = laneTitle(l);
  const cMax = Math.max(...r.meta.concurrencies);
  const rows: string[][] = [];
  const per = (f: (t: TargetName) => Runs) => ({ llmux: f("llmux"), compare: f("compare") });

  const p50 = (t: TargetName) => metricRuns(r, l.id, t, 1, M.p50);
  rows.push(
    row(
      lane,
      "added p50 over the minimal proxy, c=1 (ms)",
      per((t) => minus(p50(t), p50("proxy"))),
      (v) => value(v, 2),
    ),
  );

  const cpu = per((t) => cpuPerRequestRuns(r, l.id, t));
  const cpuProxy = cpuPerRequestRuns(r, l.id, "proxy");
  rows.push(
    row(
      lane,
      "CPU per request (ms; × the proxy's)",
      cpu,
      (v) => `${value(v, 3)} (${times(over(v, cpuProxy))})`,
      cpuWindowRatio(r, l.id, "llmux", "compare"),
    ),
  );

  const thr = (t: TargetName) => metricRuns(r, l.id, t, cMax, M.thr);
  const thrProxy = thr("proxy");
  const windowed = findCell(r, l.id, "llmux", cMax, runsOf(r)[0] ?? 1)?.windows !== undefined;
  rows.push(
    row(
      lane,
      `req/s c=${cMax} (× the proxy's)`,
      per(thr),
      (v) => `${value(v, 0)} (${times(over(v, thrProxy))})`,
      windowed ? throughputRatio(r, l.id, "llmux", "compare", cMax) : undefined,
    ),
  );

  // Per streamed event: the long-stream lane's CPU over its short twin's, per delta added (cpuPerEventRuns).
  if (l.id === LONG_LANE) {
    const perEvent = per((t) => cpuPerEventRuns(r, t));
    rows.push(
      row(lane, "CPU per streamed event (µs; over msg-small-chat, per delta added)", perEvent, (v) => value(v, 1)),
    );
  }
  return rows;
}

/** RSS of each build after each run (the long-running processes that served every lane). */
function rssRow(r: BenchResults): string[] {
  const rss = (t: TargetName): Runs =>
    runsOf(r).map((run) => {
      const s = r.rss.find((x) => x.target === t && x.phase === `after run ${run}`);
      return s ? s.rssKb / 1024 : undefined;
    });
  return row("all lanes", "RSS after each run (MB)", { llmux: rss("llmux"), compare: rss("compare") }, (v) =>
    value(v, 1),
  );
}

/** Heap per open stream of each build, per variant both were measured on (the memory-per-stream lane). */
function streamRows(r: BenchResults): string[][] {
  const heapPer = (t: TargetName, variant: string): Runs => {
    const s = r.streams.find((x) => x.target === t && x.variant === variant && x.gc);
    return [s ? (s.gc!.open.heapUsedKb - s.gc!.idle.heapUsedKb) / s.count : undefined];
  };
  return r.streams
    .filter((s) => s.target === "compare")
    .map((s) =>
      row(
        "open streams",
        `heap per open stream, ${s.variant} (KB, after a full GC)`,
        { llmux: heapPer("llmux", s.variant), compare: heapPer("compare", s.variant) },
        (v) => value(v, 1),
      ),
    );
}

/** The comparison's heading, a sentence and its table; nothing without a compared build. */
export function compareLines(r: BenchResults): string[] {
  const c = r.meta.compare;
  if (!c) return [];
  const lanes = r.lanes.filter((l) => BUILDS.every((t) => l.targets.includes(t)));
  const skipped = r.lanes.filter((l) => !l.targets.includes("compare")).map((l) => laneTitle(l));
  const rows = [...lanes.flatMap((l) => laneRows(r, l)), ...streamRows(r), rssRow(r)];
  return [
    `## Compared with ${c.rev}`,
    "",
    `llmux as built here (${r.meta.git}) and ${c.label}${c.sha ? ` (commit ${c.sha.slice(0, 12)})` : ""}, built from ` +
      `\`${c.dist}\`, measured in the same run: same configuration, same lanes, in the same rounds (at c = 1 their ` +
      "requests alternate with the direct and proxy ones). *current / compared* is taken run by run, except where " +
      "it says *(windows)*: CPU per request and req/s at c > 1, the median of the ratios of the two builds' " +
      "windows of the same round (measured seconds apart), every run and concurrency pooled, with their range. " +
      "Below 1, the current build's figure is the lower one (better, except for req/s)." +
      (skipped.length > 0 ? ` Not measured on the compared build: ${skipped.join(", ")}.` : ""),
    "",
    table(["lane", "figure", "llmux (current)", c.label, "current / compared"], rows),
    "",
  ];
}

export function renderCompare(r: BenchResults, p: Emit): void {
  for (const line of compareLines(r)) p(line);
}
