/**
 * The stats read from the hourly rollup (src/data/stats-rollup.ts) instead of the request log's rows: the
 * same answers as statsBySlot and the top lists of stats-queries.ts, for whole hours and a filter the
 * rollup can answer (every caller, or one key).
 */

import type { Data } from "./data.js";
import { sql } from "./kysely.js";
import { SUMMED } from "./rollup-sql.js";
import type { SlotStats, TopRow } from "./stats-queries.js";
import { totalsOf, type UsageTotals } from "./usage-totals.js";

/** What the rollup can be asked: whole hours [from, to), every caller or one key's. */
export interface RollupRange {
  from: number;
  to: number;
  key_id?: string | undefined;
}

/** '' stands for none in the rollup. */
const orNull = (v: string | null | undefined): string | null => (v ? v : null);

/** The rollup in slots of `sizeMs` (a whole number of hours): sums, histograms and errors. */
export async function rollupBySlot(data: Data, r: RollupRange, sizeMs: number): Promise<SlotStats> {
  const db = await data.db();
  const slot = sql<number>`(hour - (hour % ${sql.lit(sizeMs)}))`;
  let groups = db.selectFrom("request_rollup").where("hour", ">=", r.from).where("hour", "<", r.to);
  if (r.key_id !== undefined) groups = groups.where("key_id", "=", r.key_id);
  let failed = db
    .selectFrom("request_rollup_errors")
    .select([slot.as("slot"), "error_class", sql<number | string>`sum(n)`.as("n")])
    .where("hour", ">=", r.from)
    .where("hour", "<", r.to);
  if (r.key_id !== undefined) failed = failed.where("key_id", "=", r.key_id);
  // At once: on PostgreSQL each on a connection of its own (SQLite runs them one after the other).
  const [sumRows, errorRows, binRows] = await Promise.all([
    groups
      .select([slot.as("slot"), ...SUMMED.map((c) => sql<number | string>`sum(${sql.ref(c)})`.as(c))])
      .groupBy(slot)
      .execute(),
    failed.groupBy([slot, "error_class"]).execute(),
    db
      .selectFrom("request_rollup_latency")
      .select([
        slot.as("slot"),
        "bin",
        sql<number | string>`sum(latency)`.as("latency"),
        sql<number | string>`sum(ttft)`.as("ttft"),
      ])
      .where("scope", "=", r.key_id ?? "*")
      .where("hour", ">=", r.from)
      .where("hour", "<", r.to)
      .groupBy([slot, "bin"])
      .execute(),
  ]);
  const sums = new Map<number, UsageTotals>();
  for (const s of sumRows) sums.set(Number(s.slot), totalsOf(s));
  const errors = new Map<number, Record<string, number>>();
  for (const e of errorRows) {
    if (Number(e.n) <= 0) continue;
    const m = errors.get(Number(e.slot)) ?? {};
    const cls = orNull(e.error_class) ?? "other";
    m[cls] = (m[cls] ?? 0) + Number(e.n);
    errors.set(Number(e.slot), m);
  }
  const latency: SlotStats["latency"] = new Map();
  const ttft: SlotStats["ttft"] = new Map();
  const count = (h: SlotStats["latency"], s: number, bin: number, n: number) => {
    if (n <= 0) return;
    const m = h.get(s) ?? new Map<number, number>();
    m.set(bin, (m.get(bin) ?? 0) + n);
    h.set(s, m);
  };
  for (const b of binRows) {
    count(latency, Number(b.slot), Number(b.bin), Number(b.latency));
    count(ttft, Number(b.slot), Number(b.bin), Number(b.ttft));
  }
  return { sums, latency, ttft, errors };
}

/**
 * Every key, team and model (alias, else the model asked for) of the rollup in range, with its model calls
 * let through and its cost (unranked, team names not filled in: see topOf).
 */
export async function rollupGroups(
  data: Data,
  r: RollupRange,
): Promise<{ keys: TopRow[]; teams: TopRow[]; models: TopRow[] }> {
  const db = await data.db();
  const groups = async (column: "key_id" | "team_id" | "model") => {
    let q = db
      .selectFrom("request_rollup")
      .select([
        sql.ref<string>(column).as("grp"),
        column === "key_id" ? sql<string>`max(key_name)`.as("name") : sql<string>`''`.as("name"),
        sql<number | string>`sum(requests)`.as("requests"),
        sql<number | string | null>`sum(cost_nanos)`.as("cost"),
      ])
      .where("hour", ">=", r.from)
      .where("hour", "<", r.to)
      .where(column, "<>", "");
    if (r.key_id !== undefined) q = q.where("key_id", "=", r.key_id);
    const rows = await q.groupBy(column).execute();
    return rows.map(
      (g): TopRow => ({
        id: g.grp,
        name: orNull(g.name),
        requests: Number(g.requests),
        cost_nanos: Number(g.cost ?? 0),
      }),
    );
  };
  // At once: on PostgreSQL each on a connection of its own (SQLite runs them one after the other).
  const [keys, teams, models] = await Promise.all([groups("key_id"), groups("team_id"), groups("model")]);
  return { keys, teams, models };
}
