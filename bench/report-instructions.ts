/**
 * The instruction counts of `npm run bench -- --instructions-only` (bench/instructions.ts): figures per lane and
 * per MB, their section of docs/performance.md (with its Method paragraph) and the lines the run logs. Pure
 * functions of InstrResults.
 */
import { type Emit, table } from "./report-format.js";
import { linearFit, type Spread } from "./stats.js";
import type { TargetName } from "./types.js";

/** One lane (or curve size), one server, one concurrency: the requests counted and the instructions of each half. */
export interface InstrCell {
  lane: string;
  /** The client's body, bytes. */
  bytes: number;
  target: TargetName;
  concurrency: number;
  requests: number;
  /** Instructions counted in each consecutive part (two halves of `requests`). */
  instructions: number[];
  errors: number;
  /** The first error, when there were some (a status, or the load generator's message). */
  errorSample?: string;
  /** Wall time of the counted requests, ms (long: the server runs under valgrind). */
  wallMs: number;
}

export interface InstrResults {
  meta: {
    date: string;
    quick: boolean;
    node: string;
    git: string;
    wallSeconds: number;
    /** Requests counted and warm-up requests per cell of a small body (bench/instructions.ts instructionCounts). */
    counts?: { requests: number; warmup: number };
    compare?: { label: string; rev: string };
  };
  lanes: { id: string; bytes: number }[];
  cells: InstrCell[];
  /** Instructions per second of each server left idle (its timers), by server name. */
  idle: { server: string; perSecond: number }[];
}

/** Instructions per request of a cell: the whole count ÷ requests, with the range of its two halves. */
export function perRequest(cell: InstrCell | undefined): Spread | undefined {
  if (!cell || cell.requests <= 0 || cell.instructions.length === 0) return undefined;
  const total = cell.instructions.reduce((a, b) => a + b, 0);
  const parts = cell.instructions.length;
  const first = Math.floor(cell.requests / parts);
  const halves = cell.instructions.map((n, i) => n / (i < parts - 1 ? first : cell.requests - first * (parts - 1)));
  return { median: total / cell.requests, min: Math.min(...halves), max: Math.max(...halves), n: parts };
}

function find(r: InstrResults, lane: string, target: TargetName, c: number, bytes?: number): InstrCell | undefined {
  return r.cells.find(
    (x) => x.lane === lane && x.target === target && x.concurrency === c && (bytes === undefined || x.bytes === bytes),
  );
}

const isCurve = (lane: string) => lane.startsWith("curve-");

/** a ÷ b of two figures (medians), with the range from the halves' extremes. */
export function ratio(a: Spread | undefined, b: Spread | undefined): Spread | undefined {
  if (!a || !b || b.median <= 0 || b.min <= 0) return undefined;
  return { median: a.median / b.median, min: a.min / b.max, max: a.max / b.min, n: 1 };
}

/**
 * Instructions per MB of request body: the least-squares slope of instructions per request against the body size
 * (MB = 10^6 bytes) over the curve's sizes at c = 1; range from the slopes through the halves' extremes.
 */
export function perMb(r: InstrResults, lane: string, target: TargetName): Spread | undefined {
  const pts = r.cells
    .filter((x) => x.lane === lane && x.target === target && x.concurrency === 1 && x.errors === 0)
    .map((x) => ({ x: x.bytes / 1e6, s: perRequest(x)! }))
    .sort((a, b) => a.x - b.x);
  if (pts.length < 2) return undefined;
  const slope = (pick: (s: Spread, i: number) => number) =>
    linearFit(pts.map((p, i) => ({ x: p.x, y: pick(p.s, i) }))).b;
  const last = pts.length - 1;
  const mid = slope((s) => s.median);
  // The steepest and the flattest lines the halves allow: the small sizes low and the large high, and the reverse.
  const hi = slope((s, i) => (i < last / 2 ? s.min : i > last / 2 ? s.max : s.median));
  const lo = slope((s, i) => (i < last / 2 ? s.max : i > last / 2 ? s.min : s.median));
  return { median: mid, min: Math.min(lo, hi), max: Math.max(lo, hi), n: 1 };
}

/** Millions of instructions, "1.23 M (1.20–1.26)". */
export function mi(s: Spread | undefined): string {
  if (!s) return "–";
  const f = (v: number) => (v / 1e6).toFixed(v >= 1e8 ? 0 : v >= 1e7 ? 1 : 2);
  return s.min === s.max || s.n === 1 ? `${f(s.median)} M` : `${f(s.median)} M (${f(s.min)}–${f(s.max)})`;
}

function x(s: Spread | undefined): string {
  if (!s) return "–";
  return s.min === s.max
    ? `${s.median.toFixed(2)}×`
    : `${s.median.toFixed(2)}× (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
}

/** The largest share of a cell's count its server's idle rate (timers) could account for over the cell's wall time. */
function idleShare(r: InstrResults, serverOf: (c: InstrCell) => string | undefined): number {
  let worst = 0;
  for (const c of r.cells) {
    const name = serverOf(c);
    const rate = r.idle.find((i) => i.server === name)?.perSecond ?? 0;
    const total = c.instructions.reduce((a, b) => a + b, 0);
    if (total > 0) worst = Math.max(worst, (rate * c.wallMs) / 1000 / total);
  }
  return worst;
}

export function renderInstructions(r: InstrResults): string {
  const out: string[] = [];
  const p: Emit = (s = "") => out.push(s);
  const cmp = r.meta.compare;
  const label = cmp?.label ?? "compared build";
  p("## Instructions per request (callgrind)");
  p();
  p(
    `Generated by \`npm run bench -- --instructions-only${r.meta.quick ? " --quick" : ""}${cmp ? ` --compare ${cmp.rev}` : ""}\` on ` +
      `${r.meta.date} (${r.meta.git}; Node ${r.meta.node}; ${Math.round(r.meta.wallSeconds)} s), a run of its own: ` +
      "the rest of this page comes from the full run and does not change these figures, nor they it.",
  );
  p();
  const rates = r.idle.map((i) => i.perSecond);
  p(
    "**Method.** Each server — llmux, the minimal proxy" +
      (cmp ? ` and ${label}` : "") +
      " (and the team lane's own llmux) — runs under valgrind's callgrind " +
      "(`valgrind --tool=callgrind --smc-check=all-non-file --instr-atstart=no node --no-memory-reducer …`: V8's " +
      "memory reducer schedules major GCs by the clock, which valgrind slows 20–50×), which counts the instructions " +
      "the process executes, in every thread: the same build given the same requests executes about the same number " +
      "whatever else runs on the machine, unlike CPU seconds. The mock upstream and the load generator run natively " +
      "(not counted). Per lane and concurrency: warm-up requests with instrumentation off, then instrumentation on, " +
      "the counters zeroed (`callgrind_control -z`), the counted requests sent by the load generator in two halves, " +
      "each closed by a dump (`callgrind_control -d`) whose `totals:` line is its instruction count. *Instructions " +
      "per request* = both halves' instructions ÷ requests, with the two halves' own figures in parentheses: how " +
      "repeatable the count is, since a major garbage collection or a batch of optimising compilation lands whole in " +
      "one half (both are counted: they are part of what a request costs, spread over many). Each half opens its c " +
      "keep-alive connections anew. " +
      `Requests counted per cell: ${r.meta.counts?.requests ?? "–"} after ${r.meta.counts?.warmup ?? "–"} warm-up ` +
      "requests; fewer for large bodies (a full run: about 4 MB of bodies per cell; at least 10, after twice as many " +
      "warm-up ones), " +
      "c = 1 and c = 8. *Per MB*: the body-size curve (Claude Code bodies scaled to 64 kB, 512 kB and 2 MB, " +
      "passthrough to Anthropic and translated to Azure Responses, c = 1): the least-squares slope of instructions per " +
      "request against the body size (MB = 10⁶ bytes), with the range of slopes the halves allow. Idle, the servers " +
      `executed ${rates.length ? `${mi({ median: Math.min(...rates), min: 0, max: 0, n: 1 })}–${mi({ median: Math.max(...rates), min: 0, max: 0, n: 1 })}` : "–"} ` +
      `instructions per second (timers); over a cell's wall time under valgrind that is at most ` +
      `${(100 * idleShare(r, (c) => serverName(r, c))).toFixed(1)} % of its count, which is left in. Work driven by ` +
      "the clock rather than by requests (timers, writes batched per interval) is counted per second of wall time, " +
      "and under valgrind a request lasts 20–50× longer than natively: such work weighs more here than in production, " +
      "more at c = 1 than at c = 8.",
  );
  p();
  const lanes = r.lanes.filter((l) => !isCurve(l.id));
  const cs = [...new Set(r.cells.map((c) => c.concurrency))].sort((a, b) => a - b);
  if (lanes.length > 0) {
    p("### Per request");
    p();
    p(
      table(
        ["lane", "c", "minimal proxy", "llmux", "llmux / proxy", ...(cmp ? [label, `current / ${label}`] : [])],
        lanes.flatMap((l) =>
          cs
            .filter((c) => find(r, l.id, "llmux", c))
            .map((c) => {
              const px = perRequest(find(r, l.id, "proxy", c));
              const lx = perRequest(find(r, l.id, "llmux", c));
              const cx = perRequest(find(r, l.id, "compare", c));
              return [
                `\`${l.id}\` (${(l.bytes / 1000).toFixed(1)} kB)${errorsNote(r, l.id, c)}`,
                String(c),
                mi(px),
                mi(lx),
                x(ratio(lx, px)),
                ...(cmp ? [mi(cx), x(ratio(lx, cx))] : []),
              ];
            }),
        ),
      ),
    );
    p();
  }
  const curveLanes = [...new Set(r.cells.filter((c) => isCurve(c.lane)).map((c) => c.lane))];
  if (curveLanes.length > 0) {
    const sizes = [...new Set(r.cells.filter((c) => isCurve(c.lane)).map((c) => c.bytes))].sort((a, b) => a - b);
    const targets: TargetName[] = ["proxy", "llmux", ...(cmp ? (["compare"] as TargetName[]) : [])];
    const name = (t: TargetName) => (t === "proxy" ? "minimal proxy" : t === "compare" ? label : "llmux");
    p("### Per MB of request body (c = 1)");
    p();
    p(
      table(
        ["lane", "target", ...sizes.map((s) => `${(s / 1000).toFixed(0)} kB`), "per MB", "× the proxy's per MB"],
        curveLanes.flatMap((lane) =>
          targets.map((t) => [
            `\`${lane}\``,
            name(t),
            ...sizes.map((s) => mi(perRequest(find(r, lane, t, 1, s)))),
            mi(perMb(r, lane, t)),
            t === "proxy" ? "1×" : x(ratio(perMb(r, lane, t), perMb(r, lane, "proxy"))),
          ]),
        ),
      ),
    );
    p();
    if (cmp)
      p(
        curveLanes
          .map(
            (lane) =>
              `\`${lane}\`: llmux per MB ÷ ${label}'s ${x(ratio(perMb(r, lane, "llmux"), perMb(r, lane, "compare")))}`,
          )
          .join("; ") + ".",
      );
    p();
  }
  return `${out.join("\n").trimEnd()}\n`;
}

/** The server a cell was counted on, as the run names it (for its idle rate). */
function serverName(r: InstrResults, c: InstrCell): string | undefined {
  if (c.lane.startsWith("team-")) {
    const engine = c.lane.split("-")[1];
    return `llmux team-${engine} (${c.target === "compare" ? "compare" : "llmux"})`;
  }
  return c.target === "compare" ? r.meta.compare?.label : c.target;
}

function errorsNote(r: InstrResults, lane: string, c: number): string {
  const n = r.cells.filter((x) => x.lane === lane && x.concurrency === c).reduce((a, x) => a + x.errors, 0);
  return n > 0 ? ` (${n} errors)` : "";
}

/** What the run logs at the end: llmux ÷ the proxy (and ÷ the compared build) per lane, and per MB. */
export function instructionLines(r: InstrResults): string[] {
  const lines: string[] = [];
  for (const cell of r.cells.filter((c) => c.target === "llmux" && !isCurve(c.lane))) {
    const lx = perRequest(cell);
    const px = perRequest(find(r, cell.lane, "proxy", cell.concurrency));
    const cx = perRequest(find(r, cell.lane, "compare", cell.concurrency));
    lines.push(
      `${cell.lane} c=${cell.concurrency}: llmux ${mi(lx)} instructions/request, ${x(ratio(lx, px))} the proxy's` +
        (cx ? `, ${x(ratio(lx, cx))} ${r.meta.compare?.label ?? "the compared build"}'s` : ""),
    );
  }
  for (const lane of [...new Set(r.cells.filter((c) => isCurve(c.lane)).map((c) => c.lane))]) {
    const lx = perMb(r, lane, "llmux");
    const cx = perMb(r, lane, "compare");
    lines.push(
      `${lane}: llmux ${mi(lx)} instructions per MB, ${x(ratio(lx, perMb(r, lane, "proxy")))} the proxy's` +
        (cx ? `, ${x(ratio(lx, cx))} ${r.meta.compare?.label ?? "the compared build"}'s` : ""),
    );
  }
  return lines;
}
