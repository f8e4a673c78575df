/** Types shared by the benchmark's processes (orchestrator, load generator) and its report. */
import type { Spread, Summary } from "./stats.js";

/**
 * Who serves a lane: the mock upstream itself (the floor), a minimal forwarding proxy (the cost of one more
 * process and hop), llmux, another build of llmux (`--compare REV`, bench/compare-build.ts), or a peer gateway.
 */
export type TargetName = "direct" | "proxy" | "llmux" | "compare" | "portkey" | "ccr";

export const TARGETS: readonly TargetName[] = ["direct", "proxy", "llmux", "compare", "portkey", "ccr"];

export const TARGET_LABEL: Record<TargetName, string> = {
  direct: "direct",
  proxy: "minimal proxy",
  llmux: "llmux",
  compare: "llmux (compared build)",
  portkey: "Portkey",
  ccr: "claude-code-router",
};

/** A target's name in the report: the compared build by its revision ("llmux@3c151be"). */
export function targetLabel(t: TargetName, meta?: Pick<BenchMeta, "compare">): string {
  return t === "compare" && meta?.compare ? meta.compare.label : TARGET_LABEL[t];
}

/** One HTTP request, sent again and again. */
export interface RequestSpec {
  /** http://host:port */
  origin: string;
  /** Path with query string. */
  path: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * A closed-loop run: `concurrency` workers, each sending the next request as soon as the last one ends. With
 * several specs, successive requests alternate between them (paired measurement at concurrency 1).
 */
export interface RunJob {
  kind: "run";
  specs: RequestSpec[];
  concurrency: number;
  /** Requests before this (and before `warmupMin` requests) are not recorded. */
  warmupMs: number;
  warmupMin: number;
  /** New requests stop once this long has passed and `minRequests` have completed, or at `maxRequests` (per spec). */
  durationMs: number;
  minRequests: number;
  maxRequests: number;
  /** In-flight requests still running this long after the end are aborted and counted as timeouts. */
  drainTimeoutMs: number;
  /** A string whose first appearance in the response marks the first token (streams). */
  marker?: string;
  /**
   * Return every measured request's latency in order (RunResult.samples). With several specs the measured
   * window then starts and stops at a round's boundary, so that sample i of each spec comes from the same round.
   */
  samples?: boolean;
}

/** Opens `count` streams at once and keeps them open until told to release them. */
export interface HoldJob {
  kind: "hold";
  origin: string;
  path: string;
  headers: Record<string, string>;
  /** Bodies used round-robin (one per upstream origin, for instance). */
  bodies: string[];
  count: number;
  /** How long to wait for every stream's first byte. */
  timeoutMs: number;
}

export interface ReleaseJob {
  kind: "release";
}

export type Job = RunJob | HoldJob | ReleaseJob;

export interface RunResult {
  /** Requests started in the measured window and completed (any status). */
  requests: number;
  /** Of these, answered with a status other than 200, failed, or timed out. */
  errors: number;
  errorSample?: string;
  timedOut: number;
  /** Measured window: from its start to the last completion. */
  elapsedMs: number;
  /** Successful requests per second over the measured window. */
  throughput: number;
  /** Request sent → last byte of the response. */
  latency: Summary;
  /** Request sent → first byte of the response body. */
  ttfb: Summary;
  /** Request sent → first chunk carrying the marker (first token). */
  ttft?: Summary;
  /** Gaps between successive response chunks (streams). */
  gap?: Summary;
  /** CPU the load generator used during the whole job (warm-up included), ms. */
  loadgenCpuMs: number;
  /** Wall time of the whole job (warm-up included), ms. */
  wallMs: number;
  /** All requests sent, warm-up included (for CPU time per request). */
  totalRequests: number;
  /** With RunJob.samples: each measured request's latency, ms, in the order sent (null: it failed). */
  samples?: (number | null)[];
}

export interface HoldResult {
  opened: number;
  /** Streams that received at least one body byte. */
  streaming: number;
  errors: number;
  errorSample?: string;
  elapsedMs: number;
}

export type JobResult = RunResult[] | HoldResult | { released: true };

/** One lane × target × concurrency cell of one run, with the server's resource use around it. */
export interface Cell {
  lane: string;
  target: TargetName;
  concurrency: number;
  run: number;
  result?: RunResult;
  /** CPU time (user + system) of the serving process per request, ms (the mock's for `direct`). */
  cpuPerRequestMs?: number;
  /** Times the serving process's main thread went to sleep and was woken up, per request (not for direct). */
  wakeupsPerRequest?: number;
  skipped?: string;
  /** CPU used by other processes on the machine during the cell, percent of all cores. */
  foreignCpuPct?: number;
  /**
   * c = 1: direct's latencies from the same job, request i of direct sent just before or after request i of this
   * target (the pairs of "added p99").
   */
  pairedDirect?: (number | null)[];
  /** c > 1: the throughput of each interleaved window, req/s; window i of every target of the lane is one round. */
  windows?: number[];
  /** c > 1: the CPU per request of each of those windows, ms (null: not read), in the same order. */
  cpuWindows?: (number | null)[];
}

export interface CurvePoint {
  lane: string;
  target: TargetName;
  bytes: number;
  run: number;
  result?: RunResult;
  foreignCpuPct?: number;
  /** CPU time of the serving process per request, ms (not for direct: its mock also serves the others). */
  cpuPerRequestMs?: number;
}

export interface RssSample {
  target: TargetName;
  /** When it was read: after the lane checks, after run N, after run N and a full GC… */
  phase: string;
  run: number;
  rssKb: number;
  /** V8 heap in use after a full GC (the "after GC" phases). */
  heapUsedKb?: number;
}

export interface StreamsSample {
  target: TargetName;
  variant: string;
  /** Sent to an llmux of its own with every team feature on (a minted key with a budget, the request log). */
  team?: boolean;
  /** Size of the request each stream was opened with. */
  bodyBytes: number;
  run: number;
  count: number;
  /** Streams receiving bytes when RSS was read. */
  streaming: number;
  /** Requests open (sent, not finished) when RSS was read. */
  opened: number;
  errors: number;
  /** Freshly started, before any request. */
  startKb: number;
  /** After a few requests (the baseline of the per-stream figure). */
  idleKb: number;
  openKb: number;
  afterKb: number;
  /** RSS and V8 heap in use after a full GC, idle and with the streams open. */
  gc?: { idle: { rssKb: number; heapUsedKb: number }; open: { rssKb: number; heapUsedKb: number } };
  note?: string;
}

export interface ProfileEntry {
  fn: string;
  where: string;
  selfMs: number;
  selfPct: number;
}

export interface LaneProfile {
  lane: string;
  concurrency: number;
  requests: number;
  totalMs: number;
  top: ProfileEntry[];
  /** Self time grouped by package/area (node internals, undici, pino, llmux src/...). */
  byArea: { area: string; selfPct: number }[];
  flamegraph?: string;
}

export interface PeerStatus {
  target: TargetName;
  version?: string;
  ok: boolean;
  note: string;
}

/** Static facts about a lane, for the report. */
export interface LaneInfo {
  id: string;
  title: string;
  kind: "passthrough" | "translation";
  stream: boolean;
  /** Client request body size (llmux), bytes. */
  bytes: number;
  /** Upstream request body size (what llmux sends, and what `direct` sends), bytes. */
  upstreamBytes?: number;
  source: string;
  targets: TargetName[];
  notes?: string;
  /** Streamed lanes: the events (SSE `data:` blocks) of one response, per llmux build, counted at the lane check. */
  events?: Partial<Record<TargetName, number>>;
}

export interface BenchMeta {
  date: string;
  quick: boolean;
  runs: number;
  node: string;
  cpu: string;
  cores: number;
  memMb: number;
  kernel: string;
  llmuxVersion: string;
  /** Commit measured, and whether the working tree had uncommitted changes. */
  git: string;
  /** The build measured beside llmux with --compare REV / --compare-dist DIR. */
  compare?: { label: string; rev: string; sha?: string; dist: string };
  upstream: { latencyMs: number; chunkDelayMs: number; deltas: number; chunkChars: number };
  /** curveWarm: unmeasured requests of each body-curve size sent to each target before it is measured (absent before it was). */
  durations: { c1Ms: number; cNMs: number; windows?: number; warmupMs: number; curveWarm?: number };
  concurrencies: number[];
  streamsCount: number;
  wallSeconds: number;
  loadgenCpuPct?: number;
  /** How much other processes on the machine used the CPU during the measurements. */
  foreignCpu?: { medianPct: number; maxPct: number; over: number; cells: number; limitPct: number; retries: number };
}

/** What a gateway sent upstream for a passthrough lane, against what the client sent. */
export interface FidelityRow {
  lane: string;
  target: TargetName;
  clientBytes: number;
  upstreamBytes: number;
  /** Top-level keys of the client's body missing from the upstream body. */
  droppedKeys: string[];
  /** Top-level keys whose value changed (other than model). */
  changedKeys: string[];
}

export interface BenchResults {
  meta: BenchMeta;
  lanes: LaneInfo[];
  peers: PeerStatus[];
  fidelity: FidelityRow[];
  cells: Cell[];
  curve: CurvePoint[];
  rss: RssSample[];
  streams: StreamsSample[];
  profiles: LaneProfile[];
  /** The routing layer's own cost, µs per request (bench/routing-cost.ts); absent in older results. */
  routing?: import("./routing-cost.js").RoutingCost;
  /** Metrics on against off, one lane at c=1 (bench/metrics-cost.ts); absent in older results. */
  metrics?: import("./metrics-cost.js").MetricsCost;
  /** The request log's cost and its list query on a million rows (bench/request-log-cost.ts); absent in older results. */
  requestLog?: import("./request-log-cost.js").RequestLogCost;
  /** The spend reports and the sessions list on 10k–1M rows, before and after their rollups (bench/rollup-reports.ts); absent in older results. */
  rollup?: import("./rollup-reports.js").RollupReports;
  /** count_tokens on a 1 MB body and /health meanwhile (bench/count-tokens.ts); absent in older results. */
  countTokens?: import("./count-tokens.js").CountTokensCost;
  /** The embeddings and fill-in-the-middle lanes, llmux against the proxy (bench/non-chat.ts); absent in older results. */
  nonChat?: import("./non-chat.js").NonChatCost;
  websocket?: import("./websocket.js").WebsocketCost;
  promptCache?: PromptCacheCost;
}

export type { Spread, Summary };

/** The prompt-cache lane (prompt-cache.ts): a 20-turn conversation's input cost in USD. */
export interface PromptCacheCost {
  turns: number;
  /** Input cost in USD: with llmux's breakpoints, without, and the ideal. */
  withBreakpoints: number;
  without: number;
  ideal: number;
}
