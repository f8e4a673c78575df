/**
 * What the keys did lately, read for the admin API's key answers: when each was last used (its latest model
 * call let through, from the ledger), and its latest refusal of a kind since a time (from the request log).
 */

import type { Data } from "./data.js";
import { sql } from "./kysely.js";

/** Ids per statement (a long IN list stays well under either engine's parameter limit). */
const IDS_PER_QUERY = 500;

async function latest(
  ids: readonly string[],
  query: (part: readonly string[]) => Promise<{ id: string; at: number | string | null }[]>,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY)
    for (const r of await query(ids.slice(i, i + IDS_PER_QUERY))) if (r.at !== null) out.set(r.id, Number(r.at));
  return out;
}

/** When each key last made a model call that llmux let through (unix ms); absent: never. */
export async function lastUsedBy(data: Data, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const db = await data.db();
  return latest(ids, (part) =>
    db
      .selectFrom("ledger")
      .select(["key_id as id", sql<number | string | null>`max(at)`.as("at")])
      .where("key_id", "in", part)
      .where("outcome", "!=", "refused")
      .groupBy("key_id")
      .execute(),
  );
}

/** When each key was last refused with this error class since `sinceMs` (unix ms); absent: not since. */
export async function lastRefusedBy(
  data: Data,
  ids: readonly string[],
  errorClass: string,
  sinceMs: number,
): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const db = await data.db();
  return latest(ids, (part) =>
    db
      .selectFrom("request_log")
      .select([sql<string>`key_id`.as("id"), sql<number | string | null>`max(at)`.as("at")])
      .where("key_id", "in", part)
      .where("error_class", "=", errorClass)
      .where("at", ">=", sinceMs)
      .groupBy("key_id")
      .execute(),
  );
}
