import type { IncomingHttpHeaders } from "node:http";
import type { ProviderConfig } from "../config/schema.js";
import type { Warnings } from "../ir/warnings.js";
import { forwardedClientHeaders } from "./anthropic-headers.js";
import { type CallContext, type Provider, providerBasics, type UpstreamTarget } from "./types.js";

type AnthropicConfig = Extract<ProviderConfig, { type: "anthropic" }>;

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/** Client anthropic-beta values this upstream accepts; the others are dropped and reported. */
function betas(cfg: AnthropicConfig, h: IncomingHttpHeaders, warnings: Warnings): string | undefined {
  const sent = header(h, "anthropic-beta");
  if (!sent) return undefined;
  // No list configured: the header as it came, byte for byte (an open list).
  if (!cfg.betas) return sent;
  const values = sent
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const allowed = new Set(cfg.betas);
  const kept = values.filter((v) => allowed.has(v));
  const dropped = values.filter((v) => !allowed.has(v));
  if (dropped.length > 0)
    warnings.add(
      "beta_dropped",
      `anthropic-beta ${dropped.join(", ")} not accepted by this upstream; dropped`,
      "anthropic-beta",
    );
  return kept.length > 0 ? kept.join(",") : undefined;
}

/** Anthropic Messages: x-api-key (or bearer), anthropic-version, the client's anthropic-* headers forwarded. */
export function anthropicProvider(name: string, cfg: AnthropicConfig): Provider {
  const base = cfg.base_url.replace(/\/+$/, "").replace(/\/v1$/, "");
  const headers = (ctx: CallContext): Record<string, string> => {
    const key = ctx.callerKey ?? cfg.api_key ?? "";
    const out: Record<string, string> = {
      ...(ctx.sameDialect ? forwardedClientHeaders(ctx.clientHeaders) : {}),
      "content-type": "application/json",
      "anthropic-version": (ctx.sameDialect && header(ctx.clientHeaders, "anthropic-version")) || cfg.version,
      ...cfg.headers,
    };
    if (cfg.auth === "bearer") out.authorization = `Bearer ${key}`;
    else out["x-api-key"] = key;
    const beta = ctx.sameDialect ? betas(cfg, ctx.clientHeaders, ctx.warnings) : undefined;
    if (beta) out["anthropic-beta"] = beta;
    return out;
  };
  return {
    ...providerBasics(name, "anthropic", "anthropic", cfg),
    target: (_model, ctx): UpstreamTarget => ({ url: `${base}/v1/messages`, headers: headers(ctx) }),
    countTarget: (_model, ctx): UpstreamTarget => ({ url: `${base}/v1/messages/count_tokens`, headers: headers(ctx) }),
  };
}
