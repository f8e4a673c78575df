import type { Dialect } from "../ir/types.js";

/**
 * Rate-limit state in the headers each family of clients reads, so the tools' own backoff works: OpenAI's
 * `x-ratelimit-{limit,remaining,reset}-{requests,tokens}`, Anthropic's `anthropic-ratelimit-*`.
 */
export function rateLimitHeaders(
  client: Dialect,
  kind: "rpm" | "tpm" | "concurrency",
  limit: number,
  remaining: number,
  resetMs: number,
): Record<string, string> {
  const unit = kind === "tpm" ? "tokens" : "requests";
  if (client === "anthropic") {
    const reset = new Date(Date.now() + resetMs).toISOString().replace(/\.\d{3}Z$/, "Z");
    return {
      [`anthropic-ratelimit-${unit}-limit`]: String(limit),
      [`anthropic-ratelimit-${unit}-remaining`]: String(remaining),
      [`anthropic-ratelimit-${unit}-reset`]: reset,
    };
  }
  return {
    [`x-ratelimit-limit-${unit}`]: String(limit),
    [`x-ratelimit-remaining-${unit}`]: String(remaining),
    [`x-ratelimit-reset-${unit}`]: `${Math.max(1, Math.ceil(resetMs / 1000))}s`,
  };
}
