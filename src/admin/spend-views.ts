import type { Data } from "../data/data.js";
import { nanosOf, usd } from "../data/money.js";
import { spentBy } from "../data/spend-queries.js";
import { type Period, windowOf } from "../limits/windows.js";

interface Budgeted {
  id: string;
  budget: { usd: number; period: Period } | null;
}

/**
 * Keys or teams with what each spent in its budget's current window (all time without a budget) and what
 * is left: one grouped query per distinct window (at most four), not one per row.
 */
export async function withSpendAll<T extends Budgeted>(
  data: Data,
  scope: "key" | "team",
  views: T[],
  timezone: string,
  /** billing.alert_at: the share of a budget that raises the soft alert. */
  alertAt = 0.8,
): Promise<(T & SpendFields)[]> {
  const now = Date.now();
  const windowFor = (v: T) => (v.budget ? windowOf(v.budget.period, now, timezone) : undefined);
  const startOf = (v: T) => windowFor(v)?.start ?? 0;
  const byStart = new Map<number, string[]>();
  for (const v of views) byStart.set(startOf(v), [...(byStart.get(startOf(v)) ?? []), v.id]);
  const spent = new Map<string, number>();
  for (const [start, ids] of byStart)
    for (const [id, nanos] of await spentBy(data, scope, ids, start)) spent.set(`${start}:${id}`, nanos);
  return views.map((v) => {
    const nanos = spent.get(`${startOf(v)}:${v.id}`) ?? 0;
    const limit = v.budget ? nanosOf(v.budget.usd) : undefined;
    const end = windowFor(v)?.end;
    return {
      ...v,
      spend_usd: usd(nanos),
      budget_remaining_usd: limit === undefined ? null : usd(Math.max(0, limit - nanos)),
      budget_resets_at: end !== undefined && Number.isFinite(end) ? new Date(end).toISOString() : null,
      budget_alert:
        limit === undefined
          ? null
          : { at: alertAt, reached: nanos >= Math.round(alertAt * limit), spent_share: limit > 0 ? nanos / limit : 1 },
    };
  });
}

/** What a key or team answer carries about its spend (as GET /admin/v1/keys/{id} does). */
export interface SpendFields {
  spend_usd: number;
  budget_remaining_usd: number | null;
  budget_resets_at: string | null;
  budget_alert: { at: number; reached: boolean; spent_share: number } | null;
}
