import { sql } from "kysely";
import type { Data } from "../data/data.js";

/** What a key, team or user spent since a time (and before another, when given), in nano-dollars, from the ledger. */
export async function spentSince(
  data: Data,
  scope: "key" | "team" | "user",
  id: string,
  sinceMs: number,
  beforeMs?: number,
): Promise<number> {
  const db = await data.db();
  let q = db
    .selectFrom("ledger")
    .select(sql<string | number | null>`sum(cost_nanos)`.as("nanos"))
    .where(scope === "key" ? "key_id" : scope === "team" ? "team_id" : "user_label", "=", id)
    .where("at", ">=", sinceMs);
  if (beforeMs !== undefined) q = q.where("at", "<", beforeMs);
  const row = await q.executeTakeFirst();
  return Number(row?.nanos ?? 0);
}

export type GroupBy = "key" | "team" | "model" | "user" | "day";

export interface SpendRow {
  group: string | null;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  /** Summed as integer nano-dollars; reported in USD. */
  cost_usd: number;
  cost_nanos: number;
}

/** Spend grouped by key, team, model, user or UTC day, between two times (ms), summed in the database. */
export async function spendBy(
  data: Data,
  by: GroupBy,
  fromMs: number,
  toMs: number,
  keyId?: string,
): Promise<SpendRow[]> {
  const db = await data.db();
  const group =
    by === "key"
      ? sql<string>`key_id`
      : by === "team"
        ? sql<string>`team_id`
        : by === "model"
          ? sql<string>`alias`
          : by === "user"
            ? sql<string>`user_label`
            : data.engine === "postgres"
              ? sql<string>`to_char(to_timestamp(at / 1000) at time zone 'UTC', 'YYYY-MM-DD')`
              : sql<string>`strftime('%Y-%m-%d', at / 1000, 'unixepoch')`;
  const rows = await db
    .selectFrom("ledger")
    .select([
      group.as("grp"),
      sql<number>`count(*)`.as("requests"),
      sql<number>`sum(input_tokens)`.as("input_tokens"),
      sql<number>`sum(output_tokens)`.as("output_tokens"),
      sql<number>`sum(cache_read_tokens)`.as("cache_read_tokens"),
      sql<number>`sum(cache_write_tokens)`.as("cache_write_tokens"),
      sql<number>`sum(reasoning_tokens)`.as("reasoning_tokens"),
      sql<number>`sum(cost_nanos)`.as("cost_nanos"),
    ])
    .where("at", ">=", fromMs)
    .where("at", "<", toMs)
    .$if(keyId !== undefined, (q) => q.where("key_id", "=", keyId!))
    .groupBy(group)
    .orderBy(group)
    .execute();
  return rows.map((r) => {
    const nanos = Number(r.cost_nanos ?? 0);
    return {
      group: r.grp ?? null,
      requests: Number(r.requests),
      input_tokens: Number(r.input_tokens ?? 0),
      output_tokens: Number(r.output_tokens ?? 0),
      cache_read_tokens: Number(r.cache_read_tokens ?? 0),
      cache_write_tokens: Number(r.cache_write_tokens ?? 0),
      reasoning_tokens: Number(r.reasoning_tokens ?? 0),
      cost_nanos: nanos,
      cost_usd: nanos / 1e9,
    };
  });
}

/** The upstream models of the ledger's rows between two times (ms), with their request counts. */
export async function modelsUsed(
  data: Data,
  fromMs: number,
  toMs: number,
  keyId?: string,
): Promise<{ model: string; requests: number }[]> {
  const db = await data.db();
  const rows = await db
    .selectFrom("ledger")
    .select(["model", sql<number>`count(*)`.as("requests")])
    .where("at", ">=", fromMs)
    .where("at", "<", toMs)
    .where("model", "is not", null)
    .$if(keyId !== undefined, (q) => q.where("key_id", "=", keyId!))
    .groupBy("model")
    .orderBy("model")
    .execute();
  return rows.map((r) => ({ model: r.model!, requests: Number(r.requests) }));
}
