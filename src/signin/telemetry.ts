import { gunzipSync } from "node:zlib";
import type { SigninSession } from "../data/signin.js";
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

/**
 * Forwards one OTLP/HTTP export (protobuf or JSON, gzip or not) to the target, stamped with who sent it.
 * Nothing is kept; a body it cannot read, or a collector that fails, is dropped (resolves false).
 */
export async function relayTelemetry(
  target: { base: string; headers: Record<string, string> },
  signal: Signal,
  raw: Buffer,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  s: SigninSession,
): Promise<boolean> {
  try {
    const body = contentEncoding?.toLowerCase() === "gzip" ? gunzipSync(raw) : raw;
    const attrs = identityAttributes(s);
    const json = (contentType ?? "").toLowerCase().includes("json");
    const out = json
      ? Buffer.from(JSON.stringify(stampJson(JSON.parse(body.toString("utf8")), signal, attrs)))
      : stampProtobuf(body, attrs);
    const res = await fetch(`${target.base}/v1/${signal}`, {
      method: "POST",
      headers: { ...target.headers, "content-type": json ? "application/json" : "application/x-protobuf" },
      body: out,
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}
