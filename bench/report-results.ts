/**
 * The report's results tables: all lanes at a glance, where llmux's added latency goes, latency by concurrency,
 * first byte / first token / inter-chunk gaps, throughput, CPU time per request, and the body-size curve.
 */

import { LONG_DELTAS, LONG_LANE, SHORT_LANE } from "./lanes.js";
import {
  added,
  between,
  cpuPerEventRuns,
  cpuPerRequest,
  curveCpuPerMb,
  curveCpuPerMbRatio,
  curvePoints,
  curveSlope,
  figure,
  findCell,
  GATEWAYS,
  gatewaysOf,
  M,
  maxThroughput,
  runsOf,
  usable,
} from "./report-figures.js";
import { type Emit, fmt, kb, laneTitle, table } from "./report-format.js";
import { pairedRatios, type Spread, spread } from "./stats.js";
import { type BenchResults, type TargetName, targetLabel } from "./types.js";

export function renderResults(r: BenchResults, p: Emit): void {
  const cs = r.meta.concurrencies;
  const cN = cs.filter((c) => c > 1);

  // --- summary
  p("## Results");
  p();
  p("### All lanes at a glance");
  p();
  p(
    "Absolute p50 for direct; *added* figures for the gateways (ms). Throughput in requests/s. " +
      "CPU = CPU time per request of the serving process.",
  );
  p();
  const head = [
    "lane",
    "target",
    "p50 c=1",
    "added p50 c=1",
    "added p99 c=1",
    "added TTFB c=1",
    ...cN.map((c) => `added p50 c=${c}`),
    ...cN.map((c) => `req/s c=${c}`),
    "max req/s (p99 ≤ 50 ms)",
    "CPU ms/req",
  ];
  const rows: string[][] = [];
  for (const l of r.lanes) {
    for (const t of l.targets) {
      const isDirect = t === "direct";
      const mt = maxThroughput(r, l.id, t);
      rows.push([
        laneTitle(l),
        isDirect ? "direct" : `**${targetLabel(t, r.meta)}**`,
        fmt(figure(r, l.id, t, 1, M.p50)),
        isDirect ? "–" : fmt(added(r, l.id, t, 1, M.p50)),
        isDirect ? "–" : fmt(added(r, l.id, t, 1, M.p99)),
        isDirect ? "–" : fmt(added(r, l.id, t, 1, M.ttfb50)),
        ...cN.map((c) =>
          isDirect ? fmt(figure(r, l.id, t, c, M.p50)) : cellOr(r, l.id, t, c, added(r, l.id, t, c, M.p50)),
        ),
        ...cN.map((c) => cellOr(r, l.id, t, c, figure(r, l.id, t, c, M.thr), 0)),
        mt.spread ? `${fmt(mt.spread, 0)} @c=${[...new Set(mt.at)].join("/")}` : "–",
        fmt(cpuPerRequest(r, l.id, t), 3),
      ]);
    }
  }
  p(table(head, rows));
  p();

  // --- where the added latency goes
  p("### Where llmux's added latency goes (c = 1, p50, ms)");
  p();
  p(
    "The minimal proxy (one more process and two more loopback hops, bytes forwarded unchanged) is what any " +
      "gateway costs on this machine before it does any work; *llmux beyond the hop* = llmux − minimal proxy.",
  );
  p();
  p(
    table(
      ["lane", "minimal proxy − direct", "llmux − minimal proxy", "llmux − direct", "TTFB: llmux − minimal proxy"],
      r.lanes.map((l) => [
        laneTitle(l),
        fmt(added(r, l.id, "proxy", 1, M.p50)),
        fmt(between(r, l.id, "llmux", "proxy", 1, M.p50)),
        fmt(added(r, l.id, "llmux", 1, M.p50)),
        fmt(between(r, l.id, "llmux", "proxy", 1, M.ttfb50)),
      ]),
    ),
  );
  p();

  // --- latency per concurrency
  p("### Added latency (p50 / p99, ms) by concurrency");
  p();
  p(
    table(
      ["lane", "gateway", ...cs.flatMap((c) => [`p50 c=${c}`, `p99 c=${c}`])],
      r.lanes.flatMap((l) => [
        [
          laneTitle(l),
          "direct (absolute)",
          ...cs.flatMap((c) => [fmt(figure(r, l.id, "direct", c, M.p50)), fmt(figure(r, l.id, "direct", c, M.p99))]),
        ],
        ...gatewaysOf(l).map((g) => [
          laneTitle(l),
          targetLabel(g, r.meta),
          ...cs.flatMap((c) => [
            cellOr(r, l.id, g, c, added(r, l.id, g, c, M.p50)),
            cellOr(r, l.id, g, c, added(r, l.id, g, c, M.p99)),
          ]),
        ]),
      ]),
    ),
  );
  p();

  // --- first byte / token / gaps
  p("### Time to first byte, first token, and inter-chunk gap (streams, c = 1, ms)");
  p();
  p(
    table(
      [
        "lane",
        "target",
        "TTFB p50",
        "added TTFB p50",
        "added TTFB p99",
        "added TTFT p50",
        "gap p50",
        "gap p99",
        "added gap p50",
      ],
      r.lanes
        .filter((l) => l.stream)
        .flatMap((l) =>
          l.targets.map((t) => {
            const d = t === "direct";
            return [
              laneTitle(l),
              targetLabel(t, r.meta),
              fmt(figure(r, l.id, t, 1, M.ttfb50)),
              d ? "–" : fmt(added(r, l.id, t, 1, M.ttfb50)),
              d ? "–" : fmt(added(r, l.id, t, 1, M.ttfb99)),
              d ? "–" : fmt(added(r, l.id, t, 1, M.ttft50)),
              fmt(figure(r, l.id, t, 1, M.gap50), 3),
              fmt(figure(r, l.id, t, 1, M.gap99), 3),
              d ? "–" : fmt(added(r, l.id, t, 1, M.gap50), 3),
            ];
          }),
        ),
    ),
  );
  p();

  // --- throughput
  p("### Throughput (requests/s)");
  p();
  p(
    table(
      ["lane", "target", ...cs.map((c) => `c=${c}`), ...cN.map((c) => `% of direct c=${c}`), "max at p99 ≤ 50 ms"],
      r.lanes.flatMap((l) =>
        l.targets.map((t) => {
          const mt = maxThroughput(r, l.id, t);
          return [
            laneTitle(l),
            targetLabel(t, r.meta),
            ...cs.map((c) => cellOr(r, l.id, t, c, figure(r, l.id, t, c, M.thr), 0)),
            ...cN.map((c) => (t === "direct" ? "100 %" : pctOfDirect(r, l.id, t, c))),
            mt.spread ? `${fmt(mt.spread, 0)} (c=${[...new Set(mt.at)].join("/")})` : "none",
          ];
        }),
      ),
    ),
  );
  p();

  // --- CPU
  p("### CPU time per request (ms, serving process)");
  p();
  p(
    "CPU time of the process serving the target (its threads' time on a CPU, /proc/<pid>/task/*/schedstat), per request, over its c > 1 cells " +
      "(for direct: the mock's). At c = 1 this VM charges several times more CPU per request (wake-ups from idle), " +
      "for every process alike, so those readings are left out.",
  );
  p();
  const cpuTargets = ["direct", ...GATEWAYS] as TargetName[];
  p(
    table(
      ["lane", ...cpuTargets.map((t) => (t === "direct" ? "mock (direct)" : targetLabel(t, r.meta)))],
      r.lanes.map((l) => [
        laneTitle(l),
        ...cpuTargets.map((t) => (l.targets.includes(t) ? fmt(cpuPerRequest(r, l.id, t), 3) : "–")),
      ]),
    ),
  );
  p();
  renderPerEvent(r, p);
}

/** CPU per streamed event, from the long-stream lane against its short twin (cpuPerEventRuns). */
function renderPerEvent(r: BenchResults, p: Emit): void {
  const long = r.lanes.find((l) => l.id === LONG_LANE);
  if (!long) return;
  const targets = (["direct", ...GATEWAYS] as TargetName[]).filter((t) => long.targets.includes(t));
  const runs = new Map(targets.map((t) => [t, cpuPerEventRuns(r, t)]));
  if (![...runs.values()].some((v) => v.some((x) => x !== undefined))) return;
  p("### CPU per streamed event (µs, serving process)");
  p();
  p(
    `\`${LONG_LANE}\` sends \`${SHORT_LANE}\`'s request, answered with ${LONG_DELTAS} text deltas instead of ` +
      `${r.meta.upstream.deltas}. Per event = (its CPU per request − \`${SHORT_LANE}\`'s) ÷ the deltas it adds, run ` +
      "by run (each delta is one upstream chunk, and one event to the client): the fixed cost of a request is out " +
      "of it. *× proxy* is taken run by run.",
  );
  p();
  const proxy = runs.get("proxy");
  p(
    table(
      ["target", "µs per event", "× the proxy's"],
      targets.map((t) => {
        const v = runs.get(t)!;
        const ratio = proxy ? pairedRatios(v, proxy) : [];
        return [
          t === "direct" ? "mock (direct)" : targetLabel(t, r.meta),
          fmt(spread(v), 1),
          t === "proxy" ? "1" : fmt(spread(ratio), 2),
        ];
      }),
    ),
  );
  p();
}

export function renderBodySize(r: BenchResults, p: Emit): void {
  // --- body size curve
  const curveLanes = [...new Set(r.curve.map((x) => x.lane))];
  if (curveLanes.length > 0) {
    p("### Body size: added latency from 10 kB to 1 MB (c = 1)");
    p();
    p(
      "Claude Code bodies scaled from the recorded one (system prompt, tools, then tool-use/tool-result turns, each result a file read in numbered lines). " +
        "A log-log slope of 1 means the added latency grows linearly with the body size.",
    );
    p();
    const sizes = [...new Set(r.curve.map((x) => x.bytes))].sort((a, b) => a - b);
    p(
      table(
        ["lane", ...sizes.map((s) => kb(s)), "slope (≥ 100 kB)"],
        curveLanes.flatMap((lane) => {
          const pts = curvePoints(r, lane);
          const slope = curveSlope(r, lane);
          return [
            [`\`${lane}\` direct p50`, ...sizes.map((s) => fmt(pts.find((x) => x.bytes === s)?.direct)), ""],
            [
              `\`${lane}\` minimal proxy added p50`,
              ...sizes.map((s) => fmt(curvePoints(r, lane, "proxy").find((x) => x.bytes === s)?.added)),
              "",
            ],
            [
              `\`${lane}\` llmux added p50`,
              ...sizes.map((s) => fmt(pts.find((x) => x.bytes === s)?.added)),
              slope === undefined ? "–" : slope.toFixed(2),
            ],
          ];
        }),
      ),
    );
    p();
    renderCpuPerMb(r, curveLanes, p);
  }
}

const times = (s: Spread | undefined) => (s ? `${fmt(s, 2)}×` : "–");

/** CPU per MB of request body on each curve lane, llmux against the minimal proxy (issue 45: ≤ 6× translated). */
function renderCpuPerMb(r: BenchResults, curveLanes: string[], p: Emit): void {
  if (!r.curve.some((x) => x.cpuPerRequestMs !== undefined)) return;
  p(
    "CPU per MB of request body: the least-squares slope of the serving process's CPU time per request (its " +
      "time on a CPU over the curve's job ÷ the requests it served) against the body size (MB = 10⁶ bytes), run by " +
      "run; *× the proxy's* is taken run by run. Load-independent instruction counts per MB: section *Instructions " +
      "per request (callgrind)*, when present.",
  );
  p();
  p(
    table(
      ["lane", "minimal proxy (ms per MB)", "llmux (ms per MB)", "llmux × the proxy's"],
      curveLanes.map((lane) => [
        `\`${lane}\``,
        fmt(curveCpuPerMb(r, lane, "proxy"), 2),
        fmt(curveCpuPerMb(r, lane, "llmux"), 2),
        times(curveCpuPerMbRatio(r, lane)),
      ]),
    ),
  );
  p();
}

function cellOr(r: BenchResults, lane: string, t: TargetName, c: number, s: Spread | undefined, digits = 2): string {
  if (s) return fmt(s, digits);
  const cells = r.cells.filter((x) => x.lane === lane && x.target === t && x.concurrency === c);
  if (cells.length > 0 && cells.every((x) => x.skipped)) return "skipped";
  if (cells.some((x) => x.result && x.result.errors > 0)) return "errors";
  return "–";
}

function pctOfDirect(r: BenchResults, lane: string, t: TargetName, c: number): string {
  const s = spread(
    runsOf(r).map((run) => {
      const x = usable(findCell(r, lane, t, c, run));
      const d = usable(findCell(r, lane, "direct", c, run));
      return x && d ? (100 * x.throughput) / d.throughput : undefined;
    }),
  );
  return s ? `${fmt(s, 0)} %` : "–";
}
