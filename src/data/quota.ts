/** A key's or a team's budget and limits, as the admin API takes and shows them, and as they are stored. */
export type Period = "day" | "week" | "month" | "total";
export interface Budget {
  usd: number;
  period: Period;
}
export interface Limits {
  rpm?: number | undefined;
  tpm?: number | undefined;
  concurrency?: number | undefined;
}

/** Budget and limits columns from their API form (money as integer micro-dollars). */
export function quotaColumns(i: { budget?: Budget | null | undefined; limits?: Limits | null | undefined }) {
  const out: { budget_micros?: number | null; budget_period?: string | null; limits?: string | null } = {};
  if (i.budget !== undefined) {
    out.budget_micros = i.budget ? Math.round(i.budget.usd * 1_000_000) : null;
    out.budget_period = i.budget ? i.budget.period : null;
  }
  if (i.limits !== undefined) out.limits = i.limits ? JSON.stringify(i.limits) : null;
  return out;
}

/** A key's or team's quota as stored, in its API form. */
export interface QuotaSettings {
  budget: Budget | null;
  limits: Limits | null;
}

export function quotaOf(r: {
  budget_micros: number | null;
  budget_period: string | null;
  limits: string | null;
}): QuotaSettings {
  return {
    budget:
      r.budget_micros === null ? null : { usd: Number(r.budget_micros) / 1_000_000, period: r.budget_period as Period },
    limits: r.limits ? (JSON.parse(r.limits) as Limits) : null,
  };
}
