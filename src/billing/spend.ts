import type { Data } from "../data/data.js";
import { usageBy } from "../data/spend-queries.js";
import type { UsageTotals } from "../data/usage-totals.js";
import { usd } from "./cost.js";

export type GroupBy = "key" | "team" | "model" | "user" | "day";

export interface SpendRow extends UsageTotals {
  group: string | null;
  /** Summed as integer nano-dollars; reported in USD. */
  cost_usd: number;
}

/** Spend grouped by key, team, model, user or UTC day, between two times (ms), summed in the database. */
export async function spendBy(
  data: Data,
  by: GroupBy,
  fromMs: number,
  toMs: number,
  keyId?: string,
): Promise<SpendRow[]> {
  return (await usageBy(data, by, fromMs, toMs, keyId)).map((r) => ({ ...r, cost_usd: usd(r.cost_nanos) }));
}

/** The upstream models of the ledger's rows between two times (ms), with their request counts. */
export async function modelsUsed(
  data: Data,
  fromMs: number,
  toMs: number,
  keyId?: string,
): Promise<{ model: string; requests: number }[]> {
  const rows = await usageBy(data, "upstream_model", fromMs, toMs, keyId);
  return rows.flatMap((r) => (r.group === null ? [] : [{ model: r.group, requests: r.requests }]));
}
