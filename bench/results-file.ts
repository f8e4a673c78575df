/**
 * The results of a run: the run's description (machine, build, settings, other load), the results file in
 * .cache/, and the report written from them (docs/performance.md and its chart).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { Journal } from "./journal.js";
import { llmuxEntry } from "./llmux-entry.js";
import {
  COMMITTED_REPORT,
  CONCURRENCIES,
  type Options,
  PACE,
  type Paths,
  REPORT_IN_CACHE,
  type Settings,
} from "./options.js";
import { log } from "./progress.js";
import { renderMarkdown } from "./report.js";
import { renderChart } from "./report-chart.js";
import { evaluateTargets } from "./report-targets.js";
import { markedSection, spliceSection } from "./section.js";
import type { BenchMeta, BenchResults } from "./types.js";

export function runMeta(
  opts: Options,
  S: Settings,
  paths: Paths,
  loadgenCpuPct: number,
  foreignSeen: number[],
  /** The checkout's commit as the run began (gitDescribe), when the build it measures was made. */
  built: string,
): BenchMeta {
  const { root, llmuxDist } = paths;
  return {
    date: new Date().toISOString().slice(0, 10),
    quick: opts.quick,
    runs: S.runs,
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown CPU",
    cores: cpus().length,
    memMb: Math.round(totalmem() / 2 ** 20),
    kernel: release(),
    llmuxVersion: (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version,
    git: opts.llmuxDist ? `${built}; measured build: ${relative(root, llmuxDist)}` : built,
    upstream: PACE,
    durations: { c1Ms: S.c1Ms, cNMs: S.cNMs, windows: S.windows, warmupMs: S.warmupMs, curveWarm: S.curveWarm },
    concurrencies: CONCURRENCIES,
    streamsCount: S.streams,
    wallSeconds: 0,
    loadgenCpuPct,
    foreignCpu: foreignSummary(foreignSeen, S.noisyPct, S.retries),
  };
}

/**
 * Where a run keeps its results: .cache/bench-results.json for the default report (in .cache/, or
 * docs/performance.md with --write), and a file named after the report otherwise, so that a partial run
 * written elsewhere (--out) never replaces the saved full run.
 */
export function resultsFile(opts: Options, cacheDir: string): string {
  const root = dirname(cacheDir);
  const out = resolve(root, opts.out);
  const defaultOut = out === resolve(root, COMMITTED_REPORT) || out === resolve(root, REPORT_IN_CACHE);
  return join(cacheDir, defaultOut ? "bench-results.json" : `bench-results-${basename(opts.out, ".md")}.json`);
}

/**
 * The journal of a run (bench/journal.ts) beside its results file. Its signature is everything that makes two
 * runs comparable: the options (but --fresh and the report-only ones) and the builds measured (commit, and the
 * size and time of each build's entry point, so that a rebuild after an edit starts afresh).
 */
export function openJournal(
  opts: Options,
  paths: Paths,
  file = resultsFile(opts, paths.cacheDir).replace(/\.json$/, ".journal.jsonl"),
): Journal {
  const stamp = (dist: string) => {
    try {
      const st = statSync(llmuxEntry(dist));
      return `${st.size}:${st.mtimeMs}`;
    } catch {
      return "missing";
    }
  };
  const { fresh: _fresh, reportOnly: _reportOnly, soak: _soak, ...measured } = opts;
  const signature = {
    v: 1,
    opts: measured,
    git: gitDescribe(paths.root),
    llmux: stamp(paths.llmuxDist),
    compare: opts.compareDist ? stamp(resolve(paths.root, opts.compareDist)) : opts.compare,
  };
  return new Journal(file, signature, opts.fresh === true);
}

/** docs/performance.md (with bench/findings.md, when present, as its last section) and the chart. */
export function writeReport(results: BenchResults, opts: Options, root: string): void {
  const outFile = resolve(root, opts.out);
  const chartFile = "performance-latency.svg";
  const findingsFile = join(root, "bench", "findings.md");
  const findings = opts.llmuxDist || !existsSync(findingsFile) ? undefined : readFileSync(findingsFile, "utf8");
  mkdirSync(dirname(outFile), { recursive: true });
  // The instruction counts (--instructions-only, a run of their own) stay as the last such run wrote them.
  const kept = existsSync(outFile) ? markedSection(readFileSync(outFile, "utf8")) : undefined;
  const doc = renderMarkdown(results, chartFile, findings);
  writeFileSync(outFile, kept ? spliceSection(doc, kept) : doc);
  writeFileSync(join(dirname(outFile), chartFile), renderChart(results));
  const targets = evaluateTargets(results);
  log(
    `wrote ${relative(root, outFile)} and ${chartFile}: ${targets.filter((t) => t.met).length} targets met, ` +
      `${targets.filter((t) => t.met === false).length} missed; ${results.meta.wallSeconds.toFixed(0)} s`,
  );
}

function foreignSummary(seen: number[], limit: number, retries: number): BenchMeta["foreignCpu"] {
  const sortedSeen = [...seen].sort((a, b) => a - b);
  return {
    medianPct: sortedSeen[Math.floor(sortedSeen.length / 2)] ?? 0,
    maxPct: sortedSeen[sortedSeen.length - 1] ?? 0,
    over: seen.filter((v) => v > limit).length,
    cells: seen.length,
    limitPct: limit,
    retries,
  };
}

export function gitDescribe(root: string): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src"], { cwd: root, encoding: "utf8" }).trim();
    return dirty ? `commit ${head} with uncommitted changes in src/` : `commit ${head}`;
  } catch {
    return "commit unknown";
  }
}
