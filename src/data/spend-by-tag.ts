/**
 * Spend grouped by the value of one tag key (`project`): the ledger (its rollup, and the rows at a window's
 * part hours: spend-source.ts) summed in the database by its tags column (few distinct sets), then each set's sums added to the group of its value for that key; rows
 * without the key make the `null` group. Money stays integer nano-dollars, so the sums are exact.
 */

import type { Data } from "./data.js";
import { sql } from "./kysely.js";
import { reportRead } from "./report-read.js";
import { sourceSums } from "./rollup-sql.js";
import type { RowScope } from "./row-scope.js";
import { scopeWhere, type UsageRow } from "./spend-queries.js";
import { spendSource } from "./spend-source.js";
import { totalsOf, type UsageTotals } from "./usage-totals.js";

/** The value of `key` in a tags column (`,a=b,c=d,`), or null. */
export function tagValue(column: string | null, key: string): string | null {
  if (!column) return null;
  const at = column.indexOf(`,${key}=`);
  if (at < 0) return null;
  const start = at + key.length + 2;
  return column.slice(start, column.indexOf(",", start));
}

function add(a: UsageTotals, b: UsageTotals): UsageTotals {
  const out = { ...a };
  for (const k of Object.keys(b) as (keyof UsageTotals)[]) out[k] += b[k];
  return out;
}

/**
 * Usage and cost by the value of tag `key` between two times (ms), optionally of one minted key; by value
 * (`rollup` false: read from the rows alone).
 */
export async function usageByTag(
  data: Data,
  key: string,
  fromMs: number,
  toMs: number,
  scope: RowScope = {},
  rollup = true,
): Promise<UsageRow[]> {
  const from = spendSource(fromMs, toMs, scopeWhere(scope), rollup);
  const { rows } = await reportRead(data, (db) =>
    sql<Record<string, string | number | null>>`select tags as grp, ${sourceSums()}
from (${from}) as u group by tags`.execute(db),
  );
  const byValue = new Map<string | null, UsageTotals>();
  for (const r of rows) {
    const value = tagValue(r.grp as string | null, key);
    const totals = totalsOf(r);
    const had = byValue.get(value);
    byValue.set(value, had ? add(had, totals) : totals);
  }
  return [...byValue.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([group, totals]) => ({ group, ...totals }));
}
