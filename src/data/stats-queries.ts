/**
 * The request log summed in the database for GET /admin/v1/stats: usage by time slot, latency and TTFT
 * histograms by slot, errors by slot and class, and the top keys, teams and models. Histogram bins are 10%
 * wide on both engines (src/data/latency-bins.ts; `binValue` gives a bin's middle), so percentiles read from
 * them are within 5%.
 */

import type { Data } from "./data.js";
import { type RawBuilder, sql } from "./kysely.js";
import { binOfValue } from "./latency-bins.js";
import { matching, type RequestFilter } from "./request-filter.js";
import { totalsOf, type UsageTotals, usageSums } from "./usage-totals.js";

export { binValue } from "./latency-bins.js";

const binOf = (column: "latency_ms" | "ttft_ms") => binOfValue(sql.ref(column));

/** Per time slot (its start, unix ms): bin → count. */
export type Histogram = Map<number, Map<number, number>>;

export interface SlotStats {
  sums: Map<number, UsageTotals>;
  latency: Histogram;
  ttft: Histogram;
  /** Per slot: error class ("other" when none was noted) → failed or refused requests. */
  errors: Map<number, Record<string, number>>;
}

/** The filtered request log in slots of `sizeMs`: sums, histograms and errors, each one grouped query. */
export async function statsBySlot(data: Data, f: RequestFilter, sizeMs: number): Promise<SlotStats> {
  const db = await data.db();
  const slot = sql<number>`(at - (at % ${sql.lit(sizeMs)}))`;
  // Model traffic only: listing models or reading a stored response is not a request the counts are about.
  const where = matching({ ...f, calls: "model" });
  const sumRows = await db
    .selectFrom("request_log")
    .select([slot.as("slot"), ...usageSums()])
    .where(where)
    .groupBy(slot)
    .execute();
  const histogram = async (column: "latency_ms" | "ttft_ms"): Promise<Histogram> => {
    const bin = binOf(column);
    const rows = await db
      .selectFrom("request_log")
      .select([slot.as("slot"), bin.as("bin"), sql<number>`count(*)`.as("n")])
      .where(where)
      .where(column, "is not", null)
      .groupBy([slot, bin])
      .execute();
    const out: Histogram = new Map();
    for (const r of rows) {
      const m = out.get(Number(r.slot)) ?? new Map<number, number>();
      m.set(Number(r.bin), Number(r.n));
      out.set(Number(r.slot), m);
    }
    return out;
  };
  const [latency, ttft] = await Promise.all([histogram("latency_ms"), histogram("ttft_ms")]);
  const errorRows = await db
    .selectFrom("request_log")
    .select([slot.as("slot"), "error_class", sql<number>`count(*)`.as("n")])
    .where(where)
    .where("outcome", "in", ["error", "refused"])
    .groupBy([slot, "error_class"])
    .execute();
  const errors = new Map<number, Record<string, number>>();
  for (const r of errorRows) {
    const e = errors.get(Number(r.slot)) ?? {};
    e[r.error_class ?? "other"] = Number(r.n);
    errors.set(Number(r.slot), e);
  }
  return { sums: new Map(sumRows.map((r) => [Number(r.slot), totalsOf(r)])), latency, ttft, errors };
}

export interface TopRow {
  id: string;
  name: string | null;
  requests: number;
  cost_nanos: number;
}

export interface TopGroups {
  keys: TopRow[];
  teams: TopRow[];
  models: TopRow[];
}

/** How many of each the top lists show. */
export const TOP = 10;

/**
 * The keys, teams and models (alias, else the model asked for) with the most model calls let through in the
 * filter (refusals are not requests served), the first `limit` of each (ties by id), or all of them; team
 * names are filled in by `withTeamNames`.
 */
export async function topGroups(data: Data, f: RequestFilter, limit?: number): Promise<TopGroups> {
  const db = await data.db();
  const n = sql<number>`sum(case when outcome = 'refused' then 0 else 1 end)`;
  const top = async (group: RawBuilder<string | null>, name: RawBuilder<string | null>) => {
    let q = db
      .selectFrom("request_log")
      .select([
        group.as("grp"),
        name.as("name"),
        n.as("requests"),
        sql<number | string | null>`sum(cost_nanos)`.as("cost"),
      ])
      .where(matching({ ...f, calls: "model" }))
      .where(group, "is not", null)
      .groupBy(group)
      .orderBy(n, "desc")
      .orderBy(group);
    if (limit !== undefined) q = q.limit(limit);
    const rows = await q.execute();
    return rows.map((r) => ({
      id: r.grp!,
      name: r.name,
      requests: Number(r.requests),
      cost_nanos: Number(r.cost ?? 0),
    }));
  };
  const none = sql<null>`null`;
  const keys = await top(sql<string | null>`key_id`, sql<string | null>`max(key_name)`);
  const teams = await top(sql<string | null>`team_id`, none);
  const models = await top(sql<string | null>`coalesce(alias, requested_model)`, none);
  return { keys, teams, models };
}

/** The teams' names, from the teams table (a deleted team's is null). */
export async function withTeamNames(data: Data, groups: TopGroups): Promise<TopGroups> {
  const ids = groups.teams.map((t) => t.id);
  if (ids.length === 0) return groups;
  const db = await data.db();
  const names = new Map(
    (await db.selectFrom("teams").select(["id", "name"]).where("id", "in", ids).execute()).map((t) => [t.id, t.name]),
  );
  return { ...groups, teams: groups.teams.map((t) => ({ ...t, name: names.get(t.id) ?? null })) };
}

/** The ten keys, teams and models with the most model calls let through in the filter (see topGroups). */
export async function topOf(data: Data, f: RequestFilter): Promise<TopGroups> {
  return withTeamNames(data, await topGroups(data, f, TOP));
}
