import type * as Api from "@opentelemetry/api";
import type { Sampler, TracerProvider } from "@opentelemetry/sdk-trace";
import type { Logger } from "../log/logger.js";
import { errorClassOf } from "../request/error-class.js";
import { outcomeOf } from "../request/outcome.js";
import { type RequestRecord, usageOf } from "../request/record.js";
import type { AttemptClock } from "../request/timing.js";
import { isGeneration, type Labels, NONE, operationOf } from "./labels.js";

type Env = Record<string, string | undefined>;

/**
 * Traces are on when an OTLP endpoint is given the standard way (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), unless OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none.
 */
export function tracingWanted(env: Env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return false;
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (exporter && !exporter.split(",").includes("otlp")) return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
}

/** performance.now() → milliseconds since the epoch (what OpenTelemetry takes as a time). */
const epoch = (t: number) => performance.timeOrigin + t;

/**
 * OpenTelemetry traces of the gateway: one SERVER span per request, one CLIENT span per upstream attempt
 * under it, with the GenAI semantic-convention attributes. The spans are made in the settle stage from
 * the times the request recorded, so the request path does no tracing work; an incoming `traceparent`
 * makes the request's span a child of the caller's trace.
 */
export class Tracing {
  private constructor(
    private readonly api: typeof Api,
    private readonly provider: TracerProvider,
    private readonly tracer: Api.Tracer,
    private readonly propagator: Api.TextMapPropagator,
    private readonly labels: Labels,
  ) {}

  /** Loads the OpenTelemetry SDK and the OTLP exporter the environment names (only now: off costs nothing). */
  static async start(env: Env, labels: Labels, version: string, logger: Logger): Promise<Tracing> {
    const api = await import("@opentelemetry/api");
    const sdk = await import("@opentelemetry/sdk-trace");
    const { W3CTraceContextPropagator } = await import("@opentelemetry/core");
    const { resourceFromAttributes, detectResources, envDetector } = await import("@opentelemetry/resources");
    const protocol = (
      env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ??
      env.OTEL_EXPORTER_OTLP_PROTOCOL ??
      "http/protobuf"
    ).trim();
    if (protocol !== "http/protobuf" && protocol !== "http/json")
      logger.warn(`OTEL_EXPORTER_OTLP_PROTOCOL '${protocol}' is not supported: traces are sent as http/protobuf`);
    const { OTLPTraceExporter } =
      protocol === "http/json"
        ? await import("@opentelemetry/exporter-trace-otlp-http")
        : await import("@opentelemetry/exporter-trace-otlp-proto");
    const resource = resourceFromAttributes({ "service.name": "llmux", "service.version": version }).merge(
      detectResources({ detectors: [envDetector] }),
    );
    const delay = Number(env.OTEL_BSP_SCHEDULE_DELAY);
    const provider = new sdk.TracerProvider({
      resource,
      sampler: samplerOf(sdk, env),
      spanProcessors: [
        new sdk.BatchSpanProcessor({
          exporter: new OTLPTraceExporter(),
          scheduledDelayMillis: Number.isFinite(delay) && delay > 0 ? delay : 5000,
        }),
      ],
    });
    return new Tracing(api, provider, provider.getTracer("llmux", version), new W3CTraceContextPropagator(), labels);
  }

  /** The spans of one finished request. */
  emit(rec: RequestRecord, endAt: number): void {
    if (rec.quiet) return;
    const { api } = this;
    const L = this.labels;
    const t = rec.timing;
    const parent = t?.traceparent
      ? this.propagator.extract(api.ROOT_CONTEXT, { traceparent: t.traceparent }, api.defaultTextMapGetter)
      : api.ROOT_CONTEXT;
    const gen = isGeneration(rec);
    const op = operationOf(rec);
    const cls = errorClassOf(rec) ?? NONE;
    const attributes: Api.Attributes = {
      "http.request.method": rec.method,
      "url.path": rec.path,
      "llmux.request_id": rec.id,
    };
    if (rec.status !== undefined) attributes["http.response.status_code"] = rec.status;
    if (rec.clientTool) attributes["llmux.client_tool"] = rec.clientTool;
    if (rec.client) attributes["llmux.client_dialect"] = rec.client;
    if (rec.overheadMs !== undefined) attributes["llmux.overhead_ms"] = rec.overheadMs;
    if (cls !== NONE) attributes["error.type"] = cls;
    if (gen) {
      Object.assign(attributes, {
        "gen_ai.operation.name": op,
        "gen_ai.request.model": rec.requested ?? rec.alias,
        "llmux.alias": rec.alias,
        "llmux.stream": rec.stream === true,
      });
      if (rec.provider !== undefined) {
        const system = L.system(rec.provider);
        attributes["gen_ai.provider.name"] = system;
        attributes["gen_ai.system"] = system;
        attributes["llmux.provider"] = rec.provider;
      }
      if (rec.model !== undefined) attributes["gen_ai.response.model"] = rec.model;
      if (rec.deployment !== undefined) attributes["llmux.deployment"] = rec.deployment;
      if (rec.responseId !== undefined) attributes["gen_ai.response.id"] = rec.responseId;
      if (t && t.attempts.length > 0) {
        const u = usageOf(rec);
        attributes["gen_ai.usage.input_tokens"] = u.inputTokens;
        attributes["gen_ai.usage.output_tokens"] = u.outputTokens;
        if (u.estimated) attributes["llmux.usage.estimated"] = true;
      }
      if (rec.firstByteAt !== undefined && rec.stream === true)
        attributes["llmux.time_to_first_byte_ms"] = Math.round((rec.firstByteAt - rec.startedAt) * 100) / 100;
    }
    const name = gen ? `${op} ${rec.requested ?? rec.alias}` : `${rec.method} ${rec.path}`;
    const span = this.tracer.startSpan(
      name,
      { kind: api.SpanKind.SERVER, startTime: epoch(rec.startedAt), attributes },
      parent,
    );
    if (outcomeOf(rec) === "error")
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: rec.reason?.slice(0, 300) });
    const ctx = api.trace.setSpan(parent, span);
    for (const a of t?.attempts ?? []) this.attemptSpan(a, rec, op, ctx, endAt);
    span.end(epoch(endAt));
  }

  private attemptSpan(a: AttemptClock, rec: RequestRecord, op: string, ctx: Api.Context, endAt: number): void {
    const { api } = this;
    const L = this.labels;
    const system = L.system(a.provider);
    const attributes: Api.Attributes = {
      "gen_ai.operation.name": op,
      "gen_ai.provider.name": system,
      "gen_ai.system": system,
      "gen_ai.request.model": a.model,
      "llmux.alias": a.alias,
      "llmux.provider": a.provider,
      "llmux.deployment": L.deployment(undefined, a.provider, a.model),
    };
    const host = L.host(a.provider);
    if (host) attributes["server.address"] = host;
    if (a.status !== undefined) attributes["http.response.status_code"] = a.status;
    const failed = a.error !== undefined || (a.status !== undefined && a.status >= 400);
    const answered = !failed && rec.model === a.model && rec.provider === a.provider;
    if (answered) {
      attributes["gen_ai.response.model"] = a.model;
      const u = usageOf(rec);
      attributes["gen_ai.usage.input_tokens"] = u.inputTokens;
      attributes["gen_ai.usage.output_tokens"] = u.outputTokens;
    }
    if (failed) attributes["error.type"] = a.error !== undefined ? "unreachable" : String(a.status);
    const span = this.tracer.startSpan(
      `${op} ${a.model}`,
      { kind: api.SpanKind.CLIENT, startTime: epoch(a.startAt), attributes },
      ctx,
    );
    if (failed) span.setStatus({ code: api.SpanStatusCode.ERROR, message: a.error ?? `upstream answered ${a.status}` });
    span.end(epoch(a.lastAt ?? a.headersAt ?? endAt));
  }

  /** Sends what is buffered and stops. */
  close(): Promise<void> {
    return this.provider.shutdown();
  }
}

/** The sampler OTEL_TRACES_SAMPLER (and its _ARG) name; default: parent-based, always on. */
function samplerOf(sdk: typeof import("@opentelemetry/sdk-trace"), env: Env): Sampler {
  const name = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() ?? "parentbased_always_on";
  const arg = Number(env.OTEL_TRACES_SAMPLER_ARG);
  const ratio = Number.isFinite(arg) && arg >= 0 && arg <= 1 ? arg : 1;
  const base: Record<string, () => Sampler> = {
    always_on: () => new sdk.AlwaysOnSampler(),
    always_off: () => new sdk.AlwaysOffSampler(),
    traceidratio: () => new sdk.TraceIdRatioBasedSampler(ratio),
  };
  if (name.startsWith("parentbased_")) {
    const root = base[name.slice("parentbased_".length)] ?? base.always_on!;
    return new sdk.ParentBasedSampler({ root: root() });
  }
  return (base[name] ?? (() => new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() })))();
}
