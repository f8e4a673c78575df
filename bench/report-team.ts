/**
 * The team lanes' figures (bench/team-servers.ts): per lane, llmux − the minimal proxy (p50, c=1) and CPU per
 * request ÷ the proxy's; per request body, PostgreSQL + Redis − SQLite + in-process state. Run by run, then
 * the median and range over the runs.
 */
import { between, cpuPerRequestRuns, findCell, M, runsOf, usable } from "./report-figures.js";
import { type Emit, fmt, table } from "./report-format.js";
import { pairedRatios, type Spread, spread } from "./stats.js";
import type { BenchResults, TargetName } from "./types.js";

/** The team lanes' goals: latency and the engines' difference (issue 31), CPU and throughput (issue 45). */
export const TEAM_GOALS = { addedP50Ms: 0.4, cpuTimesProxy: 3.5, engineP50Ms: 0.3, throughputPctOfProxy: 60 };

export interface TeamFigures {
  lane: string;
  base: string;
  engine: string;
  target: TargetName;
  addedP50?: Spread;
  cpuRatio?: Spread;
  /** Throughput at the highest concurrency, % of the proxy's. */
  throughputPct?: Spread;
  concurrency: number;
}

const ENGINE_OF: Record<string, string> = { sqlite: "SQLite + in-process state", pg: "PostgreSQL + Redis" };

function parse(id: string): { engine: string; base: string } | undefined {
  const m = /^team-(sqlite|pg)-(.+)$/.exec(id);
  return m ? { engine: m[1]!, base: m[2]! } : undefined;
}

export function teamFigures(r: BenchResults, target: TargetName = "llmux"): TeamFigures[] {
  const out: TeamFigures[] = [];
  for (const l of r.lanes) {
    const t = parse(l.id);
    if (!t || !l.targets.includes(target)) continue;
    const cpu = cpuPerRequestRuns(r, l.id, target);
    const proxy = cpuPerRequestRuns(r, l.id, "proxy");
    const cMax = Math.max(...r.meta.concurrencies);
    const f: TeamFigures = { lane: l.id, base: t.base, engine: t.engine, target, concurrency: cMax };
    const thr = spread(
      runsOf(r).map((run) => {
        const a = usable(findCell(r, l.id, target, cMax, run))?.throughput;
        const b = usable(findCell(r, l.id, "proxy", cMax, run))?.throughput;
        return a !== undefined && b ? (100 * a) / b : undefined;
      }),
    );
    if (thr) f.throughputPct = thr;
    const added = between(r, l.id, target, "proxy", 1, M.p50);
    if (added) f.addedP50 = added;
    const ratio = spread(pairedRatios(cpu, proxy));
    if (ratio) f.cpuRatio = ratio;
    out.push(f);
  }
  return out;
}

/** p50 at c=1 of PostgreSQL + Redis minus SQLite + memory, for one base lane, run by run. */
export function engineDifference(r: BenchResults, base: string, target: TargetName = "llmux"): Spread | undefined {
  return spread(
    runsOf(r).map((run) => {
      const pg = usable(findCell(r, `team-pg-${base}`, target, 1, run))?.latency.p50;
      const sq = usable(findCell(r, `team-sqlite-${base}`, target, 1, run))?.latency.p50;
      return pg === undefined || sq === undefined ? undefined : pg - sq;
    }),
  );
}

export function teamBases(r: BenchResults): string[] {
  return [...new Set(r.lanes.map((l) => parse(l.id)?.base).filter((b): b is string => b !== undefined))];
}

export type Check = (
  group: string,
  what: string,
  s: Spread | undefined,
  limit: number,
  op: "<=" | ">=",
  unit: string,
  lanes: string[],
  digits?: number,
) => void;

/** The team lanes' rows of the targets table. */
export function teamTargets(r: BenchResults, check: Check): void {
  for (const f of teamFigures(r)) {
    const what = `${f.lane} (${ENGINE_OF[f.engine]})`;
    check("team", `${what}: llmux − proxy p50, c=1`, f.addedP50, TEAM_GOALS.addedP50Ms, "<=", "ms", [f.lane]);
    check("team", `${what}: CPU per request ÷ the proxy's`, f.cpuRatio, TEAM_GOALS.cpuTimesProxy, "<=", "×", [f.lane]);
    const thr = `${what}: throughput at c=${f.concurrency}, % of the proxy's`;
    check("team", thr, f.throughputPct, TEAM_GOALS.throughputPctOfProxy, ">=", "%", [f.lane], 0);
  }
  for (const base of teamBases(r)) {
    const d = engineDifference(r, base);
    if (!d) continue;
    const lanes = [`team-pg-${base}`, `team-sqlite-${base}`];
    check(
      "team",
      `${base}: PostgreSQL + Redis − SQLite + memory, p50 c=1`,
      d,
      TEAM_GOALS.engineP50Ms,
      "<=",
      "ms",
      lanes,
    );
  }
}

/** The team lanes' section: both engines side by side per body. */
export function renderTeam(r: BenchResults, p: Emit): void {
  const figures = teamFigures(r);
  if (figures.length === 0) return;
  p("## Team features (both engines)");
  p();
  p(
    "The passthrough lanes again, through an llmux of their own with every team feature on: a key minted with a " +
      "budget and an rpm limit (both checked on every request, never reached) and the request log; once on " +
      "SQLite with the in-process state, once on PostgreSQL (a database the run creates and drops) with Redis. " +
      `Goals: llmux − proxy ≤ ${TEAM_GOALS.addedP50Ms} ms p50, CPU ≤ ${TEAM_GOALS.cpuTimesProxy}× the proxy's, ` +
      `throughput at the highest concurrency ≥ ${TEAM_GOALS.throughputPctOfProxy} % of the proxy's, ` +
      `PostgreSQL + Redis ≤ ${TEAM_GOALS.engineP50Ms} ms p50 over SQLite + memory.`,
  );
  p();
  const rows = teamBases(r).map((base) => {
    const of = (engine: string) => figures.find((f) => f.base === base && f.engine === engine);
    const sq = of("sqlite");
    const pg = of("pg");
    return [
      base,
      fmt(sq?.addedP50, 2),
      fmt(sq?.cpuRatio, 2, "×"),
      fmt(sq?.throughputPct, 0, "%"),
      fmt(pg?.addedP50, 2),
      fmt(pg?.cpuRatio, 2, "×"),
      fmt(pg?.throughputPct, 0, "%"),
      fmt(engineDifference(r, base), 2),
    ];
  });
  p(
    table(
      [
        "body",
        "SQLite + memory: − proxy p50 (ms)",
        "CPU ÷ proxy",
        "req/s, % of proxy's",
        "PostgreSQL + Redis: − proxy p50 (ms)",
        "CPU ÷ proxy",
        "req/s, % of proxy's",
        "PG + Redis − SQLite + memory, p50 (ms)",
      ],
      rows,
    ),
  );
  p();
}
