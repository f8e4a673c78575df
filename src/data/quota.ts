/** A key's or a team's budget and limits, as the admin API takes and shows them, and as they are stored. */
import { nanosOf, usd } from "./money.js";
import type { QuotaColumns } from "./schema.js";

export type Period = "day" | "week" | "month" | "total";
/** A soft budget: past `at` (a share, 0–1) of the budget, requests are served by the cheaper alias `to`. */
export interface Downgrade {
  at: number;
  to: string;
}
export interface Budget {
  usd: number;
  period: Period;
  downgrade?: Downgrade | undefined;
}
export interface Limits {
  rpm?: number | undefined;
  tpm?: number | undefined;
  concurrency?: number | undefined;
}

/**
 * Budgets are kept at most at this many nano-dollars (9 × 10^18, nine billion dollars: within a signed 64-bit
 * integer, which both engines store); a larger one is kept as this one.
 */
export const MAX_BUDGET_NANOS = 9e18;

type BudgetColumns = Pick<QuotaColumns, "budget_nanos" | "budget_micros" | "budget_period" | "budget_downgrade">;

/** Budget and limits columns from their API form: money in integer nano-dollars (and micro-dollars: below). */
export function quotaColumns(i: {
  budget?: Budget | null | undefined;
  limits?: Limits | null | undefined;
}): Partial<QuotaColumns> {
  const out: Partial<QuotaColumns> = {};
  if (i.budget !== undefined) {
    const nanos = i.budget ? Math.min(nanosOf(i.budget.usd), MAX_BUDGET_NANOS) : null;
    out.budget_nanos = nanos;
    // For the release before 006_budget_nanos, which reads only this column (a rolling deploy).
    out.budget_micros = nanos === null ? null : Math.round(nanos / 1000);
    out.budget_period = i.budget ? i.budget.period : null;
    // The budget is replaced whole: its downgrade with it (none given: none).
    const d = i.budget?.downgrade;
    out.budget_downgrade = d ? JSON.stringify({ at: d.at, to: d.to }) : null;
  }
  if (i.limits !== undefined) out.limits = i.limits ? JSON.stringify(i.limits) : null;
  return out;
}

/**
 * A stored budget in nano-dollars. `budget_nanos` is the budget while `budget_micros` agrees with it (this
 * release writes both); where they disagree, the release before 006_budget_nanos changed `budget_micros`
 * since (a rolling deploy), and that newer value counts; without `budget_micros` there is no budget.
 */
export function budgetNanos(r: Pick<BudgetColumns, "budget_nanos" | "budget_micros">): number | null {
  if (r.budget_micros === null) return null;
  const micros = Number(r.budget_micros);
  if (r.budget_nanos !== null && Math.round(Number(r.budget_nanos) / 1000) === micros) return Number(r.budget_nanos);
  return micros * 1000;
}

/** A key's or team's quota as stored, in its API form. */
export interface QuotaSettings {
  budget: Budget | null;
  limits: Limits | null;
}

/** A stored downgrade (`{at, to}`), or none (no column yet, null, or not that shape). */
function downgradeOf(json: string | null | undefined): Downgrade | undefined {
  if (!json) return undefined;
  const d = JSON.parse(json) as Partial<Downgrade>;
  return typeof d.at === "number" && typeof d.to === "string" ? { at: d.at, to: d.to } : undefined;
}

export function quotaOf(r: BudgetColumns & { limits: string | null }): QuotaSettings {
  const nanos = budgetNanos(r);
  const downgrade = downgradeOf(r.budget_downgrade);
  return {
    budget:
      nanos === null
        ? null
        : { usd: usd(nanos), period: r.budget_period as Period, ...(downgrade ? { downgrade } : {}) },
    limits: r.limits ? (JSON.parse(r.limits) as Limits) : null,
  };
}
