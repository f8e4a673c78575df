import type { Usage } from "./types.js";

/** The largest token count llmux believes (larger reported figures are clamped to it). */
export const MAX_TOKEN_COUNT = 2 ** 31 - 1;

/**
 * A token count as an upstream reported it, made safe to bill and count: a finite non-negative integer no
 * larger than `MAX_TOKEN_COUNT` (negative → 0, a fraction rounded down, `1e999` → the ceiling, NaN → 0).
 * Anything that is not a number is absent (`undefined`).
 */
export function tokenCount(v: unknown): number | undefined {
  if (typeof v !== "number") return undefined;
  if (Number.isNaN(v) || v <= 0) return 0;
  return v >= MAX_TOKEN_COUNT ? MAX_TOKEN_COUNT : Math.floor(v);
}

/** A usage whose every figure is a safe token count (for usage built outside the dialect decoders). */
export function clampUsage(u: Usage): Usage {
  const out: Usage = {
    ...u,
    inputTokens: tokenCount(u.inputTokens) ?? 0,
    outputTokens: tokenCount(u.outputTokens) ?? 0,
  };
  for (const key of ["cacheReadTokens", "cacheWriteTokens", "reasoningTokens"] as const) {
    const v = u[key];
    if (v !== undefined) out[key] = tokenCount(v) ?? 0;
  }
  return out;
}

/** Anthropic reports `input_tokens` without cache reads and writes; the IR counts them in. */
export function fromAnthropicCounts(input: number, cacheRead: number, cacheWrite: number): number {
  return input + cacheRead + cacheWrite;
}

/** The Anthropic `input_tokens` figure: total input minus both cache counters. */
export function anthropicInputTokens(usage: Usage): number {
  return Math.max(0, usage.inputTokens - (usage.cacheReadTokens ?? 0) - (usage.cacheWriteTokens ?? 0));
}

export function totalTokens(usage: Usage): number {
  return usage.inputTokens + usage.outputTokens;
}

/** Merges a later (cumulative) usage report into an earlier one; absent figures keep their old value. */
export function mergeUsage(base: Usage | undefined, next: Partial<Usage>): Usage {
  const out: Usage = { inputTokens: base?.inputTokens ?? 0, outputTokens: base?.outputTokens ?? 0 };
  if (base?.cacheReadTokens !== undefined) out.cacheReadTokens = base.cacheReadTokens;
  if (base?.cacheWriteTokens !== undefined) out.cacheWriteTokens = base.cacheWriteTokens;
  if (base?.reasoningTokens !== undefined) out.reasoningTokens = base.reasoningTokens;
  if (base?.estimated) out.estimated = true;
  if (base?.extras) out.extras = base.extras;
  for (const key of [
    "inputTokens",
    "outputTokens",
    "cacheReadTokens",
    "cacheWriteTokens",
    "reasoningTokens",
  ] as const) {
    const v = next[key];
    if (typeof v === "number") out[key] = v;
  }
  if (next.extras) out.extras = next.extras;
  if (next.estimated !== undefined) out.estimated = next.estimated;
  return out;
}
