import type { Plan } from "../request/plan.js";

/** The llmux-warnings header: what was clamped or dropped, in one ASCII line. */
export function warningsHeader(plan: Plan): Record<string, string> {
  if (plan.warnings.list.length === 0) return {};
  const text = plan.warnings.list
    .map((w) => w.message)
    .join("; ")
    .replace(/[^\x20-\x7e]/g, "?");
  return { "llmux-warnings": text.length > 4000 ? `${text.slice(0, 3997)}...` : text };
}
