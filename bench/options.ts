/** The command line of `npm run bench` (see main.ts), the run settings it selects, and where the run writes. */
import { join, resolve } from "node:path";
import { repoRoot } from "./lanes.js";

export interface Options {
  /** Only the `--workers` throughput measurement. */
  workersOnly?: boolean;
  /** Only the cost of metrics (on against off, one lane). */
  metricsOnly?: boolean;
  /** Only the request log's cost (bench/request-log-cost.ts). */
  requestLogOnly?: boolean;
  /** Only the rollup lane: the spend and sessions reports on 10k to 1M rows, both engines (bench/rollup-reports.ts). */
  rollupOnly?: boolean;
  /** Only the routing layer's own cost (bench/routing-cost.ts). */
  routingOnly?: boolean;
  /** Only count_tokens on a 1 MB body and /health meanwhile. */
  countTokensOnly?: boolean;
  nonChatOnly?: boolean;
  /** Only Responses over WebSocket against HTTP, and 1,000 idle sockets (bench/websocket.ts). */
  websocketOnly?: boolean;
  promptCacheOnly?: boolean;
  /** Only the instruction counts under valgrind's callgrind (bench/instructions.ts). */
  instructionsOnly?: boolean;
  quick: boolean;
  /** Print the usage and stop. */
  help?: boolean;
  runs?: number;
  /** Windows per target and concurrency at c > 1 (a round each), and their length, ms. */
  windows?: number;
  windowMs?: number;
  peers: boolean;
  profile: "auto" | "on" | "off";
  lanes?: string[];
  out: string;
  /** Another build of llmux to measure (a directory like dist/), for before/after comparisons. */
  llmuxDist?: string;
  /** A git revision of this repository, built into .cache/bench-compare/ and measured beside llmux (bench/compare-build.ts). */
  compare?: string;
  /** An already-built dist/ directory measured beside llmux, instead of --compare REV. */
  compareDist?: string;
  /** Only render the report again from a results file (default: the results saved by the last run with the same --out). */
  reportOnly?: string;
  /** PostgreSQL server of the team and rollup lanes (a database is created and dropped on it). */
  pg?: string;
  /** Redis of the team lanes, the soak and the routing layer. */
  redis?: string;
  /** Ports the bench's servers listen on (instead of any free port the system gives). */
  ports?: { from: number; to: number };
  /** Ignore the journal of an interrupted run (bench/journal.ts) and measure everything again. */
  fresh?: boolean;
  /** The money soak (bench/soak.ts) runs after the lanes unless "skip"; "only": nothing else. */
  soak?: "only" | "skip";
}

/** Where a run's report goes unless --write (the committed report) or --out says otherwise. */
export const REPORT_IN_CACHE = ".cache/bench-report/performance.md";
export const COMMITTED_REPORT = "docs/performance.md";

export const USAGE = `npm run bench -- [OPTIONS]

Measures llmux against direct calls to the mock upstream, a minimal forwarding proxy and two peer gateways
(Portkey, claude-code-router; installed on demand into .cache/), every server on a free port.
The report goes to ${REPORT_IN_CACHE} unless --write or --out says otherwise.

Options:
  --quick               a smoke run (1 short run, a minute or two) instead of the full run (about 10 minutes)
  --write               write the report to ${COMMITTED_REPORT} (and its chart beside it)
  --out FILE            write the report to FILE
  --runs N              number of runs (default 3; --quick: 1)
  --windows N           windows per target and concurrency at c > 1, interleaved round by round (default 3;
                        --quick: 2; 2 to 50): more pairs for a compare's window-by-window ratios
  --window-ms MS        length of each of those windows (default 500; --quick: 300; 100 to 60000)
  --no-peers            measure llmux and the baselines only
  --lanes a,b           only these lanes (and "curve" for the body-size curve); "team" names the team lanes
                        (chat-small and msg-cc with a budgeted, rate-limited minted key and the request log,
                        on SQLite + memory state and on PostgreSQL + Redis), "team-sqlite" / "team-pg" one engine's
  --profile             always take CPU profiles; --no-profile: never
  --llmux-dist DIR      measure another build of llmux (a directory like dist/)
  --compare REV         also measure llmux at git revision REV (built into .cache/bench-compare/), in the same
                        rounds and lanes as llmux, and print both side by side ("compared with REV")
  --compare-dist DIR    the same with an already-built dist/ directory
  --workers-only        only the --workers throughput (one worker, then two, on the small Chat passthrough),
                        llmux pinned apart from the load generator and the mock with taskset; per-CPU figures
  --metrics-only        only the cost of metrics: /metrics on against off, one streamed passthrough lane, c=1
  --request-log-only    only the request log's cost (off / metadata / bodies) and its list on 1,000,000 rows
  --rollup-only         only the rollup lane: the spend reports and the sessions list on 10,000, 100,000 and
                        1,000,000 seeded rows, before (the rows) and after (the rollups), SQLite and PostgreSQL
  --routing-only        only the routing layer's cost (memory state, and Redis when one answers) and the routing rules' (none and 20, one run)
  --count-tokens-only   only count_tokens on a 1 MB body and /health latency meanwhile
  --non-chat-only       only the embeddings (64 chunks) and fill-in-the-middle (streamed) lanes, llmux against
                        the minimal proxy
  --websocket-only      only a multi-turn Responses session over WebSocket against HTTP, and 1,000 idle sockets
  --prompt-cache-only   only a 20-turn Codex conversation to a caching Anthropic fake: input cost with and without breakpoints
  --instructions-only   only the instructions per request and per MB, counted by valgrind's callgrind (figures
                        foreign load does not move): llmux, the minimal proxy and the compared build under
                        callgrind, 200 requests per lane at c = 1 and 8 (--quick: 60), and the body-size curve at
                        64 kB / 512 kB / 2 MB; default lanes chat-small, msg-cc, chat-small-anthropic, msg-cc-chat,
                        msg-cc-azure, team-sqlite-chat-small, curve; with --write into ${COMMITTED_REPORT}
  --soak-only           only the money soak (10,000 requests with budgets and limits, 10% aborted; ledger checks)
  --no-soak             skip the money soak
  --pg URL              PostgreSQL for the team and rollup lanes (default LLMUX_BENCH_PG, else
                        postgres://postgres@127.0.0.1:5432/test); a database of the run's own is created and dropped
  --redis URL           Redis for the team lanes, the soak and the routing layer (default LLMUX_BENCH_REDIS, else
                        redis://127.0.0.1:6379); keys under a prefix of the run's own, deleted at the end
  --ports FROM-TO       the servers the bench starts listen on free ports of this range (default: any free port)
  --fresh               measure everything again, even after an interrupted run (by default a run resumes from
                        the journal the interrupted one left beside its results: same options and build only)
  --report-only [FILE]  render the report again from saved results (default: the last run's)
  -h, --help            this help`;

export function parseOptions(argv: string[]): Options {
  const o: Options = { quick: false, peers: true, profile: "auto", out: REPORT_IN_CACHE };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--help" || a === "-h") o.help = true;
    else if (a === "--quick") o.quick = true;
    else if (a === "--write") o.out = COMMITTED_REPORT;
    else if (a === "--runs") o.runs = Math.max(1, Number(value()));
    else if (a === "--windows") o.windows = whole(a, value(), 2, 50);
    else if (a === "--window-ms") o.windowMs = whole(a, value(), 100, 60_000);
    else if (a === "--no-peers") o.peers = false;
    else if (a === "--profile") o.profile = "on";
    else if (a === "--no-profile") o.profile = "off";
    else if (a === "--lanes") o.lanes = value().split(",");
    else if (a === "--out") o.out = value();
    else if (a === "--llmux-dist") o.llmuxDist = value();
    else if (a === "--compare") o.compare = revision(value());
    else if (a === "--compare-dist") o.compareDist = revision(value());
    else if (a === "--soak-only") o.soak = "only";
    else if (a === "--workers-only") o.workersOnly = true;
    else if (a === "--metrics-only") o.metricsOnly = true;
    else if (a === "--request-log-only") o.requestLogOnly = true;
    else if (a === "--rollup-only") o.rollupOnly = true;
    else if (a === "--routing-only") o.routingOnly = true;
    else if (a === "--count-tokens-only") o.countTokensOnly = true;
    else if (a === "--websocket-only") o.websocketOnly = true;
    else if (a === "--non-chat-only") o.nonChatOnly = true;
    else if (a === "--prompt-cache-only") o.promptCacheOnly = true;
    else if (a === "--instructions-only") o.instructionsOnly = true;
    else if (a === "--no-soak") o.soak = "skip";
    else if (a === "--fresh") o.fresh = true;
    else if (a === "--pg") o.pg = url(a, value(), ["postgres:", "postgresql:"]);
    else if (a === "--redis") o.redis = url(a, value(), ["redis:", "rediss:"]);
    else if (a === "--ports") o.ports = portRange(value());
    else if (a === "--report-only") o.reportOnly = argv[i + 1]?.startsWith("--") === false ? value() : "";
    else throw new Error(`unknown option ${a}\n\n${USAGE}`);
  }
  if (o.compare !== undefined && o.compareDist !== undefined)
    throw new Error("--compare and --compare-dist exclude each other");
  return o;
}

/** A whole number from `min` to `max` (--windows, --window-ms). */
function whole(option: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max)
    throw new Error(`${option} needs a whole number from ${min} to ${max}, not "${v}"`);
  return n;
}

/** A --pg / --redis value: a URL of one of `schemes`. */
function url(option: string, v: string, schemes: string[]): string {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new Error(`${option} needs a URL, not "${v}"`);
  }
  if (!schemes.includes(u.protocol)) throw new Error(`${option} needs a ${schemes.join(" or ")}// URL, not "${v}"`);
  return v;
}

/** A --ports value: FROM-TO, 1024 ≤ FROM ≤ TO ≤ 65535, at least 16 ports (every server of a run needs one). */
export function portRange(v: string): { from: number; to: number } {
  const m = /^(\d{4,5})-(\d{4,5})$/.exec(v);
  const from = Number(m?.[1]);
  const to = Number(m?.[2]);
  if (!m || from < 1024 || to > 65535 || to - from < 15)
    throw new Error(`--ports needs FROM-TO with 1024 ≤ FROM, TO ≤ 65535 and at least 16 ports, not "${v}"`);
  return { from, to };
}

/** A --compare value: a revision or a directory, not the next option. */
function revision(v: string): string {
  if (v === "" || v.startsWith("-"))
    throw new Error(`--compare needs a git revision (or --compare-dist a directory), not "${v}"`);
  return v;
}

/** Windows, counts and budgets of a quick or a full run. */
export function settingsFor(opts: Options) {
  return opts.quick
    ? {
        runs: opts.runs ?? 1,
        c1Ms: 400,
        cNMs: opts.windowMs ?? 300,
        windows: opts.windows ?? 2,
        warmupMs: 100,
        minC1: 5,
        maxC1: 300,
        retries: 0,
        retryBudgetMs: 0,
        noisyPct: 15,
        maxDrainMs: 3000,
        prewarmMs: 150,
        curveSizes: [10_000, 100_000, 1_000_000],
        curveMs: 300,
        curveWarm: 10,
        streams: 200,
        holdMs: 5000,
        profileMs: 1500,
        maxProfiles: 2,
        leakRounds: 2,
        leakMs: 200,
      }
    : {
        runs: opts.runs ?? 3,
        c1Ms: 1000,
        cNMs: opts.windowMs ?? 500,
        windows: opts.windows ?? 3,
        warmupMs: 200,
        minC1: 10,
        maxC1: 600,
        retries: 2,
        retryBudgetMs: 45_000,
        noisyPct: 15,
        maxDrainMs: 10_000,
        prewarmMs: 200,
        curveSizes: [10_000, 30_000, 100_000, 300_000, 1_000_000],
        curveMs: 500,
        curveWarm: 20,
        streams: 1000,
        holdMs: 10_000,
        profileMs: 3000,
        maxProfiles: 5,
        leakRounds: 3,
        leakMs: 400,
      };
}

export type Settings = ReturnType<typeof settingsFor>;

export const CONCURRENCIES = [1, 16, 64];
export const PACE = { latencyMs: 5, chunkDelayMs: 1, deltas: 6, chunkChars: 8 };
export const STREAM_PACE_MS = 2000;
export const LARGE_BYTES = 500_000;

export interface Paths {
  root: string;
  cacheDir: string;
  runDir: string;
  profDir: string;
  peersDir: string;
  /** The build of llmux measured: dist/, or --llmux-dist. */
  llmuxDist: string;
}

export function benchPaths(opts: Options): Paths {
  const root = repoRoot();
  const cacheDir = join(root, ".cache");
  return {
    root,
    cacheDir,
    runDir: join(cacheDir, "bench-run"),
    profDir: join(cacheDir, "bench-profiles"),
    peersDir: join(cacheDir, "bench-peers"),
    llmuxDist: opts.llmuxDist ? resolve(root, opts.llmuxDist) : join(root, "dist"),
  };
}
