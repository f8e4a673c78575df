import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { recordSettings } from "../config/record-settings.js";
import type { Config } from "../config/schema.js";
import type { HttpExchange } from "../http/exchange.js";
import { header } from "../http/reply.js";
import type { Logger } from "../log/logger.js";
import { startCapture } from "../request/capture.js";
import type { RequestRecord } from "../request/record.js";
import { RequestTiming } from "../request/timing.js";
import type { Trail } from "../request/trail.js";
import type { ModelTable } from "../routing/model-table.js";
import { type Redactor, redactorOf } from "../secrets/redact.js";
import { Labels } from "./labels.js";
import { loadProm, Metrics } from "./metrics.js";
import { groupMetrics, inWorkerGroup, joinWorkerGroup } from "./metrics-cluster.js";
import { METRICS_PATH, MetricsAccess, serveMetrics } from "./metrics-endpoint.js";
import { Recorder } from "./recorder.js";
import { Tracing, tracingWanted } from "./tracing.js";

/** The response header that says how long llmux itself took (see docs/observability.md). */
export const OVERHEAD_HEADER = "llmux-overhead-ms";

function version(): string {
  try {
    return (createRequire(import.meta.url)("../../package.json") as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/**
 * What the gateway lets others see of its requests: Prometheus metrics (`GET /metrics`), OpenTelemetry
 * traces, the `llmux-overhead-ms` header, recordings, and the one capture of a request's bodies (for the
 * request log and the recorder). The gateway calls `begin` when a request arrives and `settle` once it is
 * over; everything is observed in `settle`, from the record and its timing.
 */
export class Observe {
  private readonly access: MetricsAccess;
  private readonly labels: Labels;
  private readonly metrics: Metrics | undefined;
  private readonly group: boolean;
  private readonly recorder: Recorder | undefined;
  private tracing: Tracing | undefined;
  private readonly tracingReady: Promise<Tracing | undefined> | undefined;

  constructor(
    config: Config,
    logger: Logger,
    private readonly models: ModelTable,
    env: NodeJS.ProcessEnv = process.env,
    redactor: Redactor = redactorOf(config),
  ) {
    this.labels = new Labels(config, models);
    this.access = new MetricsAccess(config);
    this.group = inWorkerGroup();
    if (this.access.readable) {
      const prom = loadProm();
      this.metrics = new Metrics(prom, this.labels);
      if (this.group) joinWorkerGroup(prom, this.metrics.registry);
    }
    const record = recordSettings(config.logging.record);
    if (record) this.recorder = new Recorder(record, redactor, logger);
    if (tracingWanted(env)) {
      this.tracingReady = Tracing.start(env, this.labels, version(), logger).then(
        (t) => {
          this.tracing = t;
          return t;
        },
        (err: Error) => {
          logger.error({ err: err.message }, "OpenTelemetry tracing could not start: no traces are sent");
          return undefined;
        },
      );
    }
  }
  /** Models or providers changed at runtime: their names become labels too. */
  relabel(config: Pick<Config, "models" | "providers">): void {
    this.labels.learn(config, this.models);
  }

  /**
   * A request arrived: its clock starts, its answer will carry the overhead header, and its bodies are
   * captured when something reads them: the request log (`logBytes`: what it keeps of each, 0 for none) or
   * the recorder. One capture serves both.
   */
  begin(ex: { req: IncomingMessage; res: ServerResponse; trail: Trail }, logBytes = 0): void {
    const { trail } = ex;
    const timing = new RequestTiming();
    trail.timing = timing;
    this.metrics?.begin();
    if (this.tracingReady) timing.traceparent = header(ex.req.headers, "traceparent");
    // Neither reader keeps the admin API's or /metrics' own exchanges.
    const bytes = Math.max(logBytes, this.recorder?.captureBytes ?? 0);
    if (bytes > 0 && !trail.path.startsWith("/admin") && !this.owns(trail.path))
      trail.capture = startCapture(ex.req.headers, ex.res, bytes);
    overheadHeader(ex.res, trail.startedAt, timing);
  }

  /** Whether a path is served here (`/metrics`). */
  owns(path: string): boolean {
    return path === METRICS_PATH;
  }

  serve(ex: HttpExchange): Promise<void> {
    const m = this.metrics;
    const source = m
      ? this.group
        ? () => groupMetrics()
        : async () => ({ text: await m.text(), type: m.registry.contentType })
      : undefined;
    return serveMetrics(ex, this.access, source);
  }

  /** A deployment was put to cool down. */
  cooledDown(d: { name: string; provider: { name: string } }): void {
    this.metrics?.cooledDown(d.name, d.provider.name);
  }

  /** A web search llmux ran for a client (search room), by provider and outcome (ok, or the error code). */
  webSearched(provider: string, outcome: string): void {
    this.metrics?.webSearched(provider, outcome);
  }

  /** A page llmux fetched for a client's web_fetch, by outcome (ok, or the error code). */
  webFetched(outcome: string): void {
    this.metrics?.webFetched(outcome);
  }

  /** The settle stage's share: the overhead on the record, then metrics, the trace and the recording. */
  settle(rec: RequestRecord): void {
    const t = rec.timing;
    if (!t) return;
    const now = performance.now();
    rec.overheadMs = t.overheadMs(rec.startedAt, now);
    this.metrics?.settle(rec, now, rec.path !== METRICS_PATH);
    if (this.tracing) this.tracing.emit(rec, now);
    else if (this.tracingReady) void this.tracingReady.then((tr) => tr?.emit(rec, now));
    if (rec.capture && this.recorder) this.recorder.enqueue(rec, rec.capture);
  }

  /** Writes what is pending (recordings, buffered spans). */
  async close(): Promise<void> {
    await this.recorder?.flush();
    const tracing = await this.tracingReady;
    await tracing?.close().catch(() => undefined);
  }
}

/**
 * Sets `llmux-overhead-ms` when the response headers go out: the time llmux took so far, less its waits
 * on the upstream and the client. For a whole (non-streamed) answer that is the request's overhead; for a
 * stream, the overhead up to the first byte (the total is in the log line and the metrics).
 */
function overheadHeader(res: ServerResponse, startedAt: number, timing: RequestTiming): void {
  const writeHead = res.writeHead as (...args: unknown[]) => ServerResponse;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]): ServerResponse {
    if (!this.headersSent) {
      const ms = timing.overheadMs(startedAt, performance.now());
      timing.headerOverheadMs = ms;
      this.setHeader(OVERHEAD_HEADER, ms.toFixed(3));
    }
    return writeHead.apply(this, args);
  } as ServerResponse["writeHead"];
}
