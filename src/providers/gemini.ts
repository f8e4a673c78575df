import type { ProviderConfig } from "../config/schema.js";
import { type Provider, providerBasics, type UpstreamTarget } from "./types.js";

type GeminiConfig = Extract<ProviderConfig, { type: "gemini" }>;

/**
 * Google's Gemini API: the model in the path (`/v1beta/models/{model}:streamGenerateContent?alt=sse`),
 * the key in `x-goog-api-key` (never in the URL, where logs and proxies would keep it).
 */
export function geminiProvider(name: string, cfg: GeminiConfig): Provider {
  const base = cfg.base_url.replace(/\/+$/, "").replace(/\/v1(?:beta|alpha)?$/, "");
  const root = `${base}/${cfg.api_version}/models`;
  const headers = (callerKey: string | undefined): Record<string, string> => ({
    "content-type": "application/json",
    "x-goog-api-key": callerKey ?? cfg.api_key ?? "",
    ...cfg.headers,
  });
  const model = (m: string) => encodeURIComponent(m.replace(/^models\//, ""));
  return {
    ...providerBasics(name, "gemini", "gemini", cfg),
    target: (m, ctx): UpstreamTarget => ({
      url: ctx.stream ? `${root}/${model(m)}:streamGenerateContent?alt=sse` : `${root}/${model(m)}:generateContent`,
      headers: headers(ctx.callerKey),
    }),
    countTarget: (m, ctx): UpstreamTarget => ({
      url: `${root}/${model(m)}:countTokens`,
      headers: headers(ctx.callerKey),
    }),
  };
}
