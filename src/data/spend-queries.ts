/**
 * Spend, read from the ledger (one row per minted-key request, never pruned) through its rollup by hour and
 * day (spend-source.ts: the rows only at a window's part hours, so a call costs the same at any size of the
 * ledger): what a key, team, user or tag spent in a window (budgets, their seeding and the admin API's spend
 * fields), and usage summed by a grouping (the spend report). Money is integer nano-dollars throughout;
 * callers turn it into USD at their edge.
 */

import type { Data } from "./data.js";
import { type RawBuilder, sql } from "./kysely.js";
import { reportRead } from "./report-read.js";
import { rowSums, sourceSums } from "./rollup-sql.js";
import type { RowScope } from "./row-scope.js";
import { OPEN_END, spendSource } from "./spend-source.js";
import { totalsOf, type UsageTotals } from "./usage-totals.js";

/** Who spent: a minted key, a team, a user label (`billing.users`), or a tag (`project=checkout`). */
export type SpendScope = "key" | "team" | "user" | "tag";

/**
 * How the spend report groups: by key, team, alias, user, UTC day, the upstream model that answered, or the
 * kind of call (`generate`, `embeddings`, `completions`, `rerank`).
 */
export type SpendGroup = "key" | "team" | "model" | "user" | "day" | "upstream_model" | "kind";

const SCOPE_COLUMN = { key: "key_id", team: "team_id", user: "user_label" } as const;

/** Ids per statement (a long IN list stays well under either engine's parameter limit). */
const IDS_PER_QUERY = 500;

/**
 * What each of `ids` spent from `sinceMs` (and before `beforeMs`, when given), in nano-dollars, summed in the
 * database from the spend rollup (the rows only at the window's part hours); an id without spend in the
 * window is absent.
 */
export async function spentBy(
  data: Data,
  scope: SpendScope,
  ids: readonly string[],
  sinceMs: number,
  beforeMs?: number,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (ids.length === 0) return out;
  const to = beforeMs ?? OPEN_END;
  return reportRead(data, async (db) => {
    if (scope === "tag") {
      // Tags are one column (`,a=b,c=d,`): each tag's rows are those that hold it whole.
      for (const tag of ids) {
        const from = spendSource(sinceMs, to, [sql<boolean>`tags like ${`%,${tag},%`}`]);
        const { rows } = await sql<{ nanos: string | number | null }>`select sum(cost_nanos) as nanos
from (${from}) as u`.execute(db);
        const nanos = rows[0]?.nanos;
        if (nanos !== null && nanos !== undefined) out.set(tag, Number(nanos));
      }
      return out;
    }
    const column = sql.ref(SCOPE_COLUMN[scope]);
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const part = ids.slice(i, i + IDS_PER_QUERY);
      const from = spendSource(sinceMs, to, [sql<boolean>`${column} in (${sql.join(part)})`]);
      const { rows } = await sql<{ id: string; nanos: string | number | null }>`select ${column} as id,
  sum(cost_nanos) as nanos
from (${from}) as u group by ${column}`.execute(db);
      for (const r of rows) out.set(r.id, Number(r.nanos ?? 0));
    }
    return out;
  });
}

/** What one key, team or user spent from `sinceMs` (and before `beforeMs`), in nano-dollars. */
export async function spentSince(
  data: Data,
  scope: SpendScope,
  id: string,
  sinceMs: number,
  beforeMs?: number,
): Promise<number> {
  return (await spentBy(data, scope, [id], sinceMs, beforeMs)).get(id) ?? 0;
}

/** A spend row: its group, and with `model` grouping the alias or pattern that matched and the upstream model. */
export type UsageRow = UsageTotals & { group: string | null; alias?: string | null; upstream_model?: string | null };

/** The conditions of a report's scope, on the ledger's columns (and the rollup's). */
export function scopeWhere(scope: RowScope): RawBuilder<boolean>[] {
  const where: RawBuilder<boolean>[] = [];
  if (scope.keyId !== undefined) where.push(sql<boolean>`key_id = ${scope.keyId}`);
  if (scope.teamId !== undefined) where.push(sql<boolean>`team_id = ${scope.teamId}`);
  return where;
}

/**
 * Usage and cost grouped as asked, between two times (ms), optionally of one key; ordered by group. By
 * `model`: the model the caller asked for (the alias on rows written before it was kept), with the alias or
 * pattern that matched it and the upstream model that answered, one row per combination. Read from the
 * spend rollup and the rows at the window's part hours (`rollup` false: the rows alone); an empty value is
 * reported as none. By `kind`: the ledger's rows alone (the rollup does not keep the kind), rows written
 * before it was kept (111_ledger_kind) as none.
 */
export async function usageBy(
  data: Data,
  by: SpendGroup,
  fromMs: number,
  toMs: number,
  scope: RowScope = {},
  rollup = true,
): Promise<UsageRow[]> {
  if (by === "kind") return usageByKind(data, fromMs, toMs, scope);
  const group =
    by === "key"
      ? sql`key_id`
      : by === "team"
        ? sql`team_id`
        : by === "model"
          ? sql`coalesce(requested_model, alias)`
          : by === "upstream_model"
            ? sql`model`
            : by === "user"
              ? sql`user_label`
              : data.engine === "postgres"
                ? sql`to_char(to_timestamp(at / 1000) at time zone 'UTC', 'YYYY-MM-DD')`
                : sql`strftime('%Y-%m-%d', at / 1000, 'unixepoch')`;
  const byModel = by === "model";
  const from = spendSource(fromMs, toMs, scopeWhere(scope), rollup);
  const keys = byModel ? sql`${group}, alias, model` : group;
  const { rows } = await reportRead(data, (db) =>
    sql<Record<string, string | number | null>>`select ${group} as grp${
      byModel ? sql`, alias, model` : sql``
    }, ${sourceSums()}
from (${from}) as u group by ${keys} order by ${keys}`.execute(db),
  );
  return rows.map((r) => {
    const row: UsageRow = { group: (r.grp as string | null) ?? null, ...totalsOf(r) };
    if (byModel) {
      row.alias = (r.alias as string | null) ?? null;
      row.upstream_model = (r.model as string | null) ?? null;
    }
    return row;
  });
}

/** Usage and cost by kind of call, summed over the ledger's rows in [fromMs, toMs) (an index on `at` reads them). */
async function usageByKind(data: Data, fromMs: number, toMs: number, scope: RowScope): Promise<UsageRow[]> {
  const also = sql.join(
    scopeWhere(scope).map((w) => sql` and ${w}`),
    sql``,
  );
  const { rows } = await reportRead(data, (db) =>
    sql<Record<string, string | number | null>>`select grp, ${sourceSums()}
from (select nullif(kind, '') as grp, ${rowSums()} from ledger where at >= ${fromMs} and at < ${toMs}${also}) as u
group by grp order by grp`.execute(db),
  );
  return rows.map((r) => ({ group: (r.grp as string | null) ?? null, ...totalsOf(r) }));
}

/** The names of keys (revoked ones too) or teams by id, for reports that group by them. */
export async function namesOf(data: Data, scope: "key" | "team", ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (ids.length === 0) return out;
  const db = await data.db();
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const part = ids.slice(i, i + IDS_PER_QUERY);
    const rows =
      scope === "key"
        ? await db.selectFrom("api_keys").select(["id", "name"]).where("id", "in", part).execute()
        : await db.selectFrom("teams").select(["id", "name"]).where("id", "in", part).execute();
    for (const r of rows) out.set(r.id, r.name);
  }
  return out;
}
