/**
 * Spend, read from the ledger (one row per minted-key request, never pruned): what a key, team or user spent
 * in a window (budgets, their seeding and the admin API's spend fields), and usage summed by a grouping (the
 * spend report). Money is integer nano-dollars throughout; callers turn it into USD at their edge.
 */
import { sql } from "kysely";
import type { Data } from "./data.js";
import type { RowScope } from "./row-scope.js";
import { totalsOf, type UsageTotals, usageSums } from "./usage-totals.js";

/** Who spent: a minted key, a team, a user label (`billing.users`), or a tag (`project=checkout`). */
export type SpendScope = "key" | "team" | "user" | "tag";

/** How the spend report groups: by key, team, alias, user, UTC day, or the upstream model that answered. */
export type SpendGroup = "key" | "team" | "model" | "user" | "day" | "upstream_model";

const SCOPE_COLUMN = { key: "key_id", team: "team_id", user: "user_label" } as const;

/** Ids per statement (a long IN list stays well under either engine's parameter limit). */
const IDS_PER_QUERY = 500;

/**
 * What each of `ids` spent from `sinceMs` (and before `beforeMs`, when given), in nano-dollars, summed in the
 * database; an id without spend in the window is absent.
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
  const db = await data.db();
  if (scope === "tag") {
    // Tags are one column (`,a=b,c=d,`): each tag's rows are those that hold it whole.
    for (const tag of ids) {
      const r = await db
        .selectFrom("ledger")
        .select(sql<string | number | null>`sum(cost_nanos)`.as("nanos"))
        .where("tags", "like", `%,${tag},%`)
        .where("at", ">=", sinceMs)
        .$if(beforeMs !== undefined, (q) => q.where("at", "<", beforeMs!))
        .executeTakeFirst();
      if (r?.nanos !== null && r?.nanos !== undefined) out.set(tag, Number(r.nanos));
    }
    return out;
  }
  const column = SCOPE_COLUMN[scope];
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const rows = await db
      .selectFrom("ledger")
      .select([sql<string>`${sql.ref(column)}`.as("id"), sql<string | number | null>`sum(cost_nanos)`.as("nanos")])
      .where(column, "in", ids.slice(i, i + IDS_PER_QUERY))
      .where("at", ">=", sinceMs)
      .$if(beforeMs !== undefined, (q) => q.where("at", "<", beforeMs!))
      .groupBy(column)
      .execute();
    for (const r of rows) out.set(r.id, Number(r.nanos ?? 0));
  }
  return out;
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

/**
 * Usage and cost grouped as asked, between two times (ms), optionally of one key; ordered by group. By
 * `model`: the model the caller asked for (the alias on rows written before it was kept), with the alias or
 * pattern that matched it and the upstream model that answered, one row per combination.
 */
export async function usageBy(
  data: Data,
  by: SpendGroup,
  fromMs: number,
  toMs: number,
  scope: RowScope = {},
): Promise<UsageRow[]> {
  const db = await data.db();
  const group =
    by === "key"
      ? sql<string | null>`key_id`
      : by === "team"
        ? sql<string | null>`team_id`
        : by === "model"
          ? sql<string | null>`coalesce(requested_model, alias)`
          : by === "upstream_model"
            ? sql<string | null>`model`
            : by === "user"
              ? sql<string | null>`user_label`
              : data.engine === "postgres"
                ? sql<string>`to_char(to_timestamp(at / 1000) at time zone 'UTC', 'YYYY-MM-DD')`
                : sql<string>`strftime('%Y-%m-%d', at / 1000, 'unixepoch')`;
  const byModel = by === "model";
  const rows = await db
    .selectFrom("ledger")
    .select([group.as("grp"), ...usageSums()])
    .$if(byModel, (q) => q.select(["alias", "model"]).groupBy(["alias", "model"]))
    .where("at", ">=", fromMs)
    .where("at", "<", toMs)
    .$if(scope.keyId !== undefined, (q) => q.where("key_id", "=", scope.keyId!))
    .$if(scope.teamId !== undefined, (q) => q.where("team_id", "=", scope.teamId!))
    .groupBy(group)
    .orderBy(group)
    .execute();
  return rows.map((r) => {
    const row: UsageRow = { group: r.grp ?? null, ...totalsOf(r) };
    if (byModel) {
      const m = r as unknown as { alias: string | null; model: string | null };
      row.alias = m.alias ?? null;
      row.upstream_model = m.model ?? null;
    }
    return row;
  });
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
