import { sql } from "kysely";
import type { Data } from "../data/data.js";
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
  const column = scope === "key" ? "key_id" : "team_id";
  const spent = new Map<string, number>();
  if (views.length > 0) {
    const db = await data.db();
    for (const [start, ids] of byStart) {
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await db
          .selectFrom("ledger")
          .select([sql<string>`${sql.ref(column)}`.as("id"), sql<string | number | null>`sum(cost_nanos)`.as("nanos")])
          .where(column, "in", ids.slice(i, i + 500))
          .where("at", ">=", start)
          .groupBy(column)
          .execute();
        for (const r of rows) spent.set(`${start}:${r.id}`, Number(r.nanos ?? 0));
      }
    }
  }
  return views.map((v) => {
    const nanos = spent.get(`${startOf(v)}:${v.id}`) ?? 0;
    const limit = v.budget ? Math.round(v.budget.usd * 1e9) : undefined;
    const end = windowFor(v)?.end;
    return {
      ...v,
      spend_usd: nanos / 1e9,
      budget_remaining_usd: limit === undefined ? null : Math.max(0, limit - nanos) / 1e9,
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
