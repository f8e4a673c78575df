import type { SigninSession } from "../data/signin.js";
import { InflateRefused, inflateBody } from "../http/inflate.js";
import { textBound, tooManyContainers, tooManyValues } from "../http/json-containers.js";
import { type Signal, stampJson, stampProtobuf } from "./otlp-stamp.js";

type Env = Record<string, string | undefined>;

/** Where OTLP from signed-in clients goes: `signin.telemetry_endpoint`, else the standard OTLP variables. */
export function telemetryTarget(
  configured: string | undefined,
  env: Env,
): { base: string; headers: Record<string, string> } | undefined {
  const base = configured ?? env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!base) return undefined;
  const headers: Record<string, string> = {};
  for (const pair of (env.OTEL_EXPORTER_OTLP_HEADERS ?? "").split(",")) {
    const eq = pair.indexOf("=");
    if (eq > 0) headers[decodeURIComponent(pair.slice(0, eq).trim())] = decodeURIComponent(pair.slice(eq + 1).trim());
  }
  return { base: base.replace(/\/$/, ""), headers };
}

/** The attributes a signed-in person's telemetry is stamped with. */
export const identityAttributes = (s: SigninSession): Record<string, string> => ({
  "user.email": s.email,
  "enduser.id": s.subject,
  ...(s.teamId ? { "llmux.team_id": s.teamId } : {}),
  ...(s.team ? { "llmux.team": s.team.name } : {}),
  "llmux.signin_session": s.id,
});

/** Largest OTLP export llmux relays, as sent and once decompressed (every content-coding counted together). */
export const TELEMETRY_LIMIT = 8 * 1024 * 1024;

/** An export llmux will not relay: answered with this status and message (Anthropic's error shape). */
export class TelemetryRefused extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** An export decoded and stamped, ready to forward. */
export interface StampedExport {
  body: Buffer;
  json: boolean;
}

/**
 * One OTLP/HTTP export (protobuf or JSON, compressed or not) decoded within `TELEMETRY_LIMIT` and stamped with
 * who sent it; throws TelemetryRefused for a body it will not relay. The bounded work happens here, before
 * the client is answered: inflating runs on the thread pool and stops at the limit, the protobuf walk stops
 * at `OTLP_FIELDS_MAX` fields.
 */
export async function stampExport(
  raw: Buffer,
  signal: Signal,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  s: SigninSession,
): Promise<StampedExport> {
  let body: Buffer;
  try {
    body = await inflateBody(raw, contentEncoding, TELEMETRY_LIMIT);
  } catch (err) {
    if (!(err instanceof InflateRefused)) throw err;
    const status = err.info.status;
    const type = status === 413 ? "request_too_large" : status === 503 ? "overloaded_error" : "invalid_request_error";
    throw new TelemetryRefused(status, type, `telemetry export: ${err.info.message}`);
  }
  const attrs = identityAttributes(s);
  const json = (contentType ?? "").toLowerCase().includes("json");
  try {
    return json
      ? { body: stampedJson(body.toString("utf8"), signal, attrs), json }
      : { body: stampProtobuf(body, attrs), json };
  } catch (err) {
    const what = json ? "OTLP/JSON" : "OTLP/protobuf";
    throw new TelemetryRefused(
      400,
      "invalid_request_error",
      `telemetry export is not ${what} llmux relays: ${(err as Error).message}`,
    );
  }
}

/**
 * An OTLP/JSON export stamped, its arrays and objects and its values counted before it is parsed (the bounds of
 * a request body: JSON_CONTAINER_LIMIT, JSON_VALUE_LIMIT).
 */
function stampedJson(text: string, signal: Signal, attrs: Record<string, string>): Buffer {
  const bound = textBound(text);
  if (bound === "containers") throw new Error(tooManyContainers("it"));
  if (bound === "values") throw new Error(tooManyValues("it"));
  return Buffer.from(JSON.stringify(stampJson(JSON.parse(text), signal, attrs)));
}

/** Forwards a stamped export to the target. Nothing is kept; a collector that fails is dropped (resolves false). */
export async function forwardExport(
  target: { base: string; headers: Record<string, string> },
  signal: Signal,
  stamped: StampedExport,
): Promise<boolean> {
  try {
    const res = await fetch(`${target.base}/v1/${signal}`, {
      method: "POST",
      headers: { ...target.headers, "content-type": stamped.json ? "application/json" : "application/x-protobuf" },
      body: stamped.body,
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}
