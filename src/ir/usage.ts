import type { Usage } from "./types.js";

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
