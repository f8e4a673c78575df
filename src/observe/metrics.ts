import { createRequire } from "node:module";
import type * as Prom from "prom-client";
import { errorClassOf } from "../request/error-class.js";
import { outcomeOf } from "../request/outcome.js";
import { type RequestRecord, usageOf } from "../request/record.js";
import { isGeneration, type Labels, NONE, operationOf } from "./labels.js";
import { SeriesCounter, SeriesHistogram } from "./series.js";

/** The parts of prom-client llmux uses. */
export interface PromClient {
  Registry: typeof Prom.Registry;
  Counter: typeof Prom.Counter;
  Gauge: typeof Prom.Gauge;
  Histogram: typeof Prom.Histogram;
  AggregatorRegistry: typeof Prom.AggregatorRegistry;
  /** prom-client's default process metrics, each a `(registry, config) => void` (lib/metrics/*). */
  defaults: ((registry: Prom.Registry, config: object) => void)[];
}

/**
 * The process metrics of prom-client's collectDefaultMetrics, but for process_cpu_*: that one module
 * loads @opentelemetry/api (for exemplars llmux does not use), which costs several MB of resident memory;
 * llmux counts CPU time itself (cpuCounters).
 */
const DEFAULTS = [
  "processStartTime",
  "osMemoryHeap",
  "processOpenFileDescriptors",
  "processMaxFileDescriptors",
  "eventLoopLag",
  ...(typeof process.getActiveResourcesInfo === "function" ? ["processResources"] : []),
  "processHandles",
  "processRequests",
  "heapSizeAndUsed",
  "heapSpacesSizeAndUsed",
  "version",
  "gc",
];

let loaded: PromClient | undefined;

/**
 * prom-client, loaded on first use (a gateway whose metrics nobody can read does not carry it), module by
 * module: its index would load every module, the OpenTelemetry API included.
 */
export function loadProm(): PromClient {
  if (loaded) return loaded;
  const req = createRequire(import.meta.url);
  const lib = <T>(name: string) => req(`prom-client/lib/${name}`) as T;
  loaded = {
    Registry: lib("registry"),
    Counter: lib("counter"),
    Gauge: lib("gauge"),
    Histogram: lib("histogram"),
    AggregatorRegistry: lib("cluster"),
    defaults: DEFAULTS.map((m) => lib(`metrics/${m}`)),
  };
  return loaded;
}

/** process_cpu_user_seconds_total, process_cpu_system_seconds_total and process_cpu_seconds_total. */
function cpuCounters(prom: PromClient, registers: Prom.Registry[]): void {
  const kinds = [
    ["process_cpu_user_seconds_total", "Total user CPU time spent in seconds.", (u: NodeJS.CpuUsage) => u.user],
    ["process_cpu_system_seconds_total", "Total system CPU time spent in seconds.", (u: NodeJS.CpuUsage) => u.system],
    [
      "process_cpu_seconds_total",
      "Total user and system CPU time spent in seconds.",
      (u: NodeJS.CpuUsage) => u.user + u.system,
    ],
  ] as const;
  for (const [name, help, pick] of kinds)
    new prom.Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(pick(process.cpuUsage()) / 1e6);
      },
    });
}

// Bucket boundaries advised by the OpenTelemetry GenAI semantic conventions.
const DURATION_S = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TTFT_S = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const PER_TOKEN_S = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5];
const TOKENS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
// llmux's own: chunk gaps and the gateway's overhead.
const GAP_S = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const OVERHEAD_S = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

const GEN_AI = ["gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "gen_ai_response_model"];

/**
 * The gateway's Prometheus metrics, in a registry of its own. Everything is observed once per request, in
 * the settle stage, from the request record and its timing; the request path only counts in-flight.
 */
export class Metrics {
  readonly registry: Prom.Registry;
  private readonly requests: SeriesCounter;
  private readonly inflight: Prom.Gauge;
  private readonly duration: SeriesHistogram;
  private readonly ttft: SeriesHistogram;
  private readonly perToken: SeriesHistogram;
  private readonly tokenUsage: SeriesHistogram;
  private readonly tokens: SeriesCounter;
  private readonly cost: SeriesCounter;
  private readonly chunkGap: SeriesHistogram;
  private readonly maxGap: SeriesHistogram;
  private readonly overhead: SeriesHistogram;
  private readonly attempts: SeriesCounter;
  private readonly operation: SeriesHistogram;
  private readonly retries: SeriesCounter;
  private readonly fallbacks: SeriesCounter;
  private readonly cooldowns: SeriesCounter;
  private readonly refusals: SeriesCounter;
  private readonly toolCalls: SeriesCounter;
  private readonly guardrailHits: SeriesCounter;
  private readonly toolDuration: SeriesHistogram;
  private readonly webSearches: SeriesCounter;
  private readonly webFetches: SeriesCounter;

  constructor(
    prom: PromClient,
    private readonly labels: Labels,
  ) {
    this.registry = new prom.Registry();
    const registers = [this.registry];
    for (const collect of prom.defaults) collect(this.registry, {});
    cpuCounters(prom, registers);
    const counter = (name: string, help: string, labelNames: string[]) =>
      new SeriesCounter(name, help, labelNames, this.registry);
    const histogram = (name: string, help: string, labelNames: string[], buckets: number[]) =>
      new SeriesHistogram(name, help, labelNames, buckets, this.registry);
    this.requests = counter(
      "llmux_requests_total",
      "Requests answered, by alias, provider, deployment, client dialect, status and error class.",
      ["alias", "provider", "deployment", "dialect", "status", "error_class"],
    );
    this.inflight = new prom.Gauge({
      name: "llmux_requests_in_flight",
      help: "Requests being served now.",
      registers,
    });
    this.duration = histogram(
      "gen_ai_server_request_duration_seconds",
      "Generation requests: time from the request to the end of the answer (gen_ai.server.request.duration).",
      [...GEN_AI, "error_type"],
      DURATION_S,
    );
    this.ttft = histogram(
      "gen_ai_server_time_to_first_token_seconds",
      "Streamed answers: time from the request to the first byte of the answer (gen_ai.server.time_to_first_token).",
      GEN_AI,
      TTFT_S,
    );
    this.perToken = histogram(
      "gen_ai_server_time_per_output_token_seconds",
      "Streamed answers: time per output token after the first (gen_ai.server.time_per_output_token).",
      GEN_AI,
      PER_TOKEN_S,
    );
    this.tokenUsage = histogram(
      "gen_ai_client_token_usage",
      "Tokens per generation request, input or output (gen_ai.client.token.usage).",
      [...GEN_AI, "gen_ai_token_type"],
      TOKENS,
    );
    this.guardrailHits = counter(
      "llmux_guardrail_hits_total",
      "Guardrail findings by rule, the action taken (block, mask, warn) and whether it was a dry run.",
      ["rule", "action", "dry_run"],
    );
    this.tokens = counter("llmux_tokens_total", "Tokens by kind: input, output, cache_read, cache_write, reasoning.", [
      "alias",
      "provider",
      "kind",
    ]);
    this.cost = counter("llmux_cost_usd_total", "Cost of the answered requests in US dollars (the prices table).", [
      "alias",
      "provider",
    ]);
    this.chunkGap = histogram(
      "llmux_inter_chunk_seconds",
      "Streamed answers: the mean gap between two chunks from the upstream, one observation per stream.",
      ["alias", "provider"],
      GAP_S,
    );
    this.maxGap = histogram(
      "llmux_max_chunk_gap_seconds",
      "Streamed answers: the longest pause between two chunks from the upstream, one observation per stream.",
      ["alias", "provider"],
      GAP_S,
    );
    this.overhead = histogram(
      "llmux_overhead_seconds",
      "Time llmux itself added to a generation request: its duration less the waits on the upstream and on the client.",
      ["dialect", "stream"],
      OVERHEAD_S,
    );
    this.attempts = counter(
      "llmux_upstream_attempts_total",
      "Calls to upstreams, by deployment and the status they answered (failed: none).",
      ["alias", "provider", "deployment", "status"],
    );
    this.operation = histogram(
      "gen_ai_client_operation_duration_seconds",
      "Calls to upstreams: from the call to the end of its answer (gen_ai.client.operation.duration).",
      ["gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "error_type"],
      DURATION_S,
    );
    this.retries = counter(
      "llmux_retries_total",
      "Upstream calls after the first one of a request (another deployment, a fallback).",
      ["alias"],
    );
    this.fallbacks = counter("llmux_fallbacks_total", "Requests that moved on to a fallback alias.", ["alias", "to"]);
    this.cooldowns = counter("llmux_cooldowns_total", "Times a deployment was put to cool down after failures.", [
      "deployment",
      "provider",
    ]);
    this.refusals = counter(
      "llmux_refusals_total",
      "Requests llmux refused before calling an upstream, by error class: auth, forbidden, budget, rate_limit_local.",
      ["reason"],
    );
    this.toolCalls = counter(
      "llmux_mcp_tool_calls_total",
      "MCP tool calls through /mcp, by server, tool and outcome (ok, error, refused, aborted).",
      ["server", "tool", "outcome"],
    );
    this.toolDuration = histogram(
      "llmux_mcp_tool_call_duration_seconds",
      "MCP tool calls: from the request to the end of its answer.",
      ["server"],
      DURATION_S,
    );
    this.webSearches = counter(
      "llmux_web_searches_total",
      "Web searches llmux ran for clients (docs/search.md), by provider and outcome (ok, or the error code).",
      ["provider", "outcome"],
    );
    this.webFetches = counter(
      "llmux_web_fetches_total",
      "Pages llmux fetched for clients' web_fetch, by outcome (ok, or the error code: url_not_allowed…).",
      ["outcome"],
    );
  }

  webSearched(provider: string, outcome: string): void {
    this.webSearches.inc([provider, outcome]);
  }

  webFetched(outcome: string): void {
    this.webFetches.inc([outcome]);
  }

  begin(): void {
    this.inflight.inc();
  }

  cooledDown(deployment: string, provider: string): void {
    this.cooldowns.inc([this.labels.deployment(deployment, undefined, undefined), this.labels.provider(provider)]);
  }

  /**
   * One finished request. `now` is the settle time (performance.now()); a scrape is not counted. Label values
   * are given in the order of each metric's label names (series.ts).
   */
  settle(rec: RequestRecord, now: number, counted = true): void {
    this.inflight.dec();
    if (!counted) return;
    const L = this.labels;
    const alias = L.alias(rec.alias);
    const provider = L.provider(rec.provider);
    const deployment = rec.provider === undefined ? NONE : L.deployment(rec.deployment, rec.provider, rec.model);
    const cls = errorClassOf(rec) ?? NONE;
    const dialect = rec.client ?? NONE;
    this.requests.inc([alias, provider, deployment, dialect, String(rec.status ?? 0), cls]);
    if (rec.toolCall) {
      const { server, tool } = rec.toolCall;
      this.toolCalls.inc([server, tool, outcomeOf(rec)]);
      this.toolDuration.observe([server], (now - rec.startedAt) / 1000);
    }
    for (const f of rec.guardrails ?? []) this.guardrailHits.inc([f.rule, f.action, String(f.dryRun)]);
    const attempts = rec.timing?.attempts ?? [];
    if (outcomeOf(rec) === "refused" || (attempts.length === 0 && (cls === "rate_limit_local" || cls === "budget")))
      this.refusals.inc([cls]);
    if (!isGeneration(rec)) return;
    // gen_ai_operation_name, gen_ai_provider_name, gen_ai_request_model, gen_ai_response_model.
    const op = operationOf(rec);
    const system = L.system(rec.provider);
    const model = L.model(rec.model);
    this.duration.observe([op, system, alias, model, cls === NONE ? undefined : cls], (now - rec.startedAt) / 1000);
    if (attempts.length === 0) return;
    this.upstream(rec, alias, now);
    const u = usageOf(rec);
    this.tokenUsage.observe([op, system, alias, model, "input"], u.inputTokens);
    this.tokenUsage.observe([op, system, alias, model, "output"], u.outputTokens);
    this.tokens.inc([alias, provider, "input"], u.inputTokens);
    this.tokens.inc([alias, provider, "output"], u.outputTokens);
    if (u.cacheReadTokens) this.tokens.inc([alias, provider, "cache_read"], u.cacheReadTokens);
    if (u.cacheWriteTokens) this.tokens.inc([alias, provider, "cache_write"], u.cacheWriteTokens);
    if (u.reasoningTokens) this.tokens.inc([alias, provider, "reasoning"], u.reasoningTokens);
    if (rec.cost && rec.cost.nanos > 0) this.cost.inc([alias, provider], rec.cost.nanos / 1e9);
    if (rec.overheadMs !== undefined)
      this.overhead.observe([dialect, String(rec.stream === true)], rec.overheadMs / 1000);
    if (rec.stream === true && rec.firstByteAt !== undefined && cls === NONE) {
      const gen = [op, system, alias, model];
      this.ttft.observe(gen, (rec.firstByteAt - rec.startedAt) / 1000);
      if (u.outputTokens > 1) this.perToken.observe(gen, (now - rec.firstByteAt) / 1000 / (u.outputTokens - 1));
      const last = attempts[attempts.length - 1]!;
      if (last.chunks > 1 && last.firstAt !== undefined && last.lastAt !== undefined) {
        this.chunkGap.observe([alias, provider], (last.lastAt - last.firstAt) / (last.chunks - 1) / 1000);
        this.maxGap.observe([alias, provider], last.maxGapMs / 1000);
      }
    }
  }

  /** The upstream side: each attempt, retries and fallbacks. */
  private upstream(rec: RequestRecord, alias: string, now: number): void {
    const L = this.labels;
    const attempts = rec.timing!.attempts;
    const op = operationOf(rec);
    for (let i = 0; i < attempts.length; i++) {
      const a = attempts[i]!;
      const status = a.status !== undefined ? String(a.status) : "none";
      this.attempts.inc([
        L.alias(a.alias),
        L.provider(a.provider),
        L.deployment(undefined, a.provider, a.model),
        status,
      ]);
      const failed = a.error !== undefined || (a.status !== undefined && a.status >= 400);
      const end = a.lastAt ?? a.headersAt ?? now;
      // gen_ai_operation_name, gen_ai_provider_name, gen_ai_request_model, error_type.
      this.operation.observe(
        [op, L.system(a.provider), L.model(a.model), failed ? (a.error ? "unreachable" : status) : undefined],
        (end - a.startAt) / 1000,
      );
      if (i > 0 && a.alias !== attempts[i - 1]!.alias)
        this.fallbacks.inc([L.alias(attempts[0]!.alias), L.alias(a.alias)]);
    }
    if (attempts.length > 1) this.retries.inc([alias], attempts.length - 1);
  }

  /** This process's metrics, as Prometheus text. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
