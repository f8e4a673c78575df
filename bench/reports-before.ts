/**
 * The spend and sessions reports as they read the database before their rollups (the queries of
 * src/data/spend-queries.ts, spend-by-tag.ts and session-queries.ts at 5681467, kept verbatim but for their
 * names): every row of the window scanned and summed on each call. The rollup lane (bench/rollup-reports.ts)
 * measures them beside today's, on the same rows.
 */
import { sql } from "kysely";
import type { Data } from "../src/data/data.js";
import type { RowScope } from "../src/data/row-scope.js";
import type { SessionFilter } from "../src/data/session-queries.js";
import { tagValue } from "../src/data/spend-by-tag.js";
import type { SpendGroup, SpendScope } from "../src/data/spend-queries.js";
import { totalsOf, type UsageTotals, usageSums } from "../src/data/usage-totals.js";

const SCOPE_COLUMN = { key: "key_id", team: "team_id", user: "user_label" } as const;

/** spentBy before: the ledger's rows of the window, summed by id. */
export async function spentByBefore(
  data: Data,
  scope: Exclude<SpendScope, "tag">,
  ids: readonly string[],
  sinceMs: number,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const db = await data.db();
  const column = SCOPE_COLUMN[scope];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom("ledger")
      .select([sql<string>`${sql.ref(column)}`.as("id"), sql<string | number | null>`sum(cost_nanos)`.as("nanos")])
      .where(column, "in", ids.slice(i, i + 500))
      .where("at", ">=", sinceMs)
      .groupBy(column)
      .execute();
    for (const r of rows) out.set(r.id, Number(r.nanos ?? 0));
  }
  return out;
}

/** usageBy before: the ledger's rows of the window, grouped and summed. */
export async function usageByBefore(data: Data, by: SpendGroup, fromMs: number, toMs: number, scope: RowScope = {}) {
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
  return rows.map((r) => ({ group: r.grp ?? null, ...totalsOf(r) }));
}

/** usageByTag before: the ledger's rows of the window, summed by tag set, then by the key's value. */
export async function usageByTagBefore(data: Data, key: string, fromMs: number, toMs: number) {
  const db = await data.db();
  const rows = await db
    .selectFrom("ledger")
    .select([sql<string | null>`tags`.as("grp"), ...usageSums()])
    .where("at", ">=", fromMs)
    .where("at", "<", toMs)
    .groupBy("tags")
    .execute();
  const byValue = new Map<string | null, UsageTotals>();
  for (const r of rows) {
    const value = tagValue(r.grp, key);
    const totals = totalsOf(r);
    const had = byValue.get(value);
    if (!had) byValue.set(value, totals);
    else for (const k of Object.keys(totals) as (keyof UsageTotals)[]) had[k] += totals[k];
  }
  return [...byValue.entries()].map(([group, totals]) => ({ group, ...totals }));
}

/** listSessions before: the request log's session rows of the window, grouped by session. */
export async function listSessionsBefore(data: Data, f: SessionFilter) {
  const db = await data.db();
  return db
    .selectFrom("request_log")
    .select([
      "session_id",
      ...usageSums(),
      sql<number | string>`min(at)`.as("first_at"),
      sql<number | string>`max(at)`.as("last_at"),
      sql<number | string>`max(at + latency_ms)`.as("ended_at"),
      sql<number | string>`sum(case when outcome in ('error', 'refused') then 1 else 0 end)`.as("errors"),
      sql<string | null>`max(client_tool)`.as("tool"),
      sql<string | null>`max(key_id)`.as("key_id"),
      sql<string | null>`max(key_name)`.as("key_name"),
      sql<string | null>`max(team_id)`.as("team_id"),
      sql<string | null>`max(user_label)`.as("user_label"),
    ])
    .where("session_id", "is not", null)
    .where("at", ">=", f.fromMs)
    .where("at", "<", f.toMs)
    .$if(f.keyId !== undefined, (q) => q.where("key_id", "=", f.keyId!))
    .$if(f.teamId !== undefined, (q) => q.where("team_id", "=", f.teamId!))
    .$if(f.user !== undefined, (q) => q.where("user_label", "=", f.user!))
    .$if(f.tool !== undefined, (q) => q.where("client_tool", "=", f.tool!))
    .groupBy("session_id")
    .orderBy(f.sort === "cost" ? sql`sum(cost_nanos)` : sql`max(at)`, "desc")
    .orderBy("session_id")
    .limit(f.limit)
    .execute();
}
