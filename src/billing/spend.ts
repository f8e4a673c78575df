import type { Data } from "../data/data.js";
import type { RowScope } from "../data/row-scope.js";
import { usageByTag } from "../data/spend-by-tag.js";
import { namesOf, type UsageRow, usageBy } from "../data/spend-queries.js";
import { usd } from "./cost.js";

/** By key, team, model, user, UTC day, or the value of one tag key (`tag:project`). */
export type GroupBy = "key" | "team" | "model" | "user" | "day" | `tag:${string}`;

export type SpendRow = UsageRow & {
  /** The key's or team's name (grouped by key or team; revoked keys keep theirs). */
  name?: string | null;
  /** Summed as integer nano-dollars; reported in USD. */
  cost_usd: number;
};

/** Spend grouped by key, team, model, user, UTC day or a tag key's value, between two times (ms), summed in the database. */
export async function spendBy(
  data: Data,
  by: GroupBy,
  fromMs: number,
  toMs: number,
  scope: RowScope = {},
): Promise<SpendRow[]> {
  const rows = by.startsWith("tag:")
    ? await usageByTag(data, by.slice(4), fromMs, toMs, scope)
    : await usageBy(data, by as Exclude<GroupBy, `tag:${string}`>, fromMs, toMs, scope);
  const named = by === "key" || by === "team";
  const names = named
    ? await namesOf(
        data,
        by,
        rows.flatMap((r) => (r.group ? [r.group] : [])),
      )
    : undefined;
  return rows.map((r) => ({
    ...r,
    ...(names ? { name: r.group ? (names.get(r.group) ?? null) : null } : {}),
    cost_usd: usd(r.cost_nanos),
  }));
}

/** The upstream models of the ledger's rows between two times (ms), with their request counts. */
export async function modelsUsed(
  data: Data,
  fromMs: number,
  toMs: number,
  scope: RowScope = {},
): Promise<{ model: string; requests: number }[]> {
  const rows = await usageBy(data, "upstream_model", fromMs, toMs, scope);
  return rows.flatMap((r) => (r.group === null ? [] : [{ model: r.group, requests: r.requests }]));
}
