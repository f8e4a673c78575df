import type { Effort } from "./types.js";

export const EFFORTS: readonly Effort[] = ["none", "minimal", "low", "medium", "high", "xhigh", "max"];

/** Anthropic thinking budget for an OpenAI-style effort (budget-thinking models). */
const BUDGETS: Record<Exclude<Effort, "none">, number> = {
  minimal: 1024,
  low: 4096,
  medium: 10_000,
  high: 16_000,
  xhigh: 32_000,
  max: 48_000,
};

export function effortToBudget(effort: Effort): number | undefined {
  return effort === "none" ? undefined : BUDGETS[effort];
}

/** The nearest effort for an Anthropic thinking budget. */
export function budgetToEffort(budget: number): Effort {
  if (budget <= 2048) return "minimal";
  if (budget <= 6000) return "low";
  if (budget <= 12_000) return "medium";
  if (budget <= 24_000) return "high";
  if (budget <= 40_000) return "xhigh";
  return "max";
}

/** Anthropic output_config.effort accepts low…max; `minimal` has no equivalent and becomes `low`. */
export function effortToAnthropic(effort: Effort): string | undefined {
  if (effort === "none") return undefined;
  return effort === "minimal" ? "low" : effort;
}

export function isEffort(value: unknown): value is Effort {
  return typeof value === "string" && (EFFORTS as readonly string[]).includes(value);
}
