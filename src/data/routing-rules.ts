/**
 * The routing rules the admin API stored (140_routing_rules): one row, replaced whole, its `version` moving
 * with each update so that every instance notices it on its next poll. No row: the configuration's rules.
 */
import type { Data } from "./data.js";

export interface StoredRoutingRules {
  version: number;
  /** JSON array of rules. */
  rules: string;
  /** Unix milliseconds. */
  updated_at: number;
}

const ID = "current";

/** Stores a list of rules (replacing the one before); returns its version. */
export async function storeRoutingRules(data: Data, rules: string): Promise<number> {
  const db = await data.db();
  return db.transaction().execute(async (tx) => {
    const had = await tx.selectFrom("routing_rules").select("version").where("id", "=", ID).executeTakeFirst();
    const version = Number(had?.version ?? 0) + 1;
    const row = { rules, version, updated_at: Date.now() };
    if (had) await tx.updateTable("routing_rules").set(row).where("id", "=", ID).execute();
    else
      await tx
        .insertInto("routing_rules")
        .values({ id: ID, ...row })
        .execute();
    return version;
  });
}

/** The stored rules' version (0: none), read on every poll. */
export async function routingRulesVersion(data: Data): Promise<number> {
  const db = await data.db();
  const r = await db.selectFrom("routing_rules").select("version").where("id", "=", ID).executeTakeFirst();
  return Number(r?.version ?? 0);
}

export async function storedRoutingRules(data: Data): Promise<StoredRoutingRules | undefined> {
  const db = await data.db();
  const r = await db
    .selectFrom("routing_rules")
    .select(["version", "rules", "updated_at"])
    .where("id", "=", ID)
    .executeTakeFirst();
  return r ? { version: Number(r.version), rules: r.rules, updated_at: Number(r.updated_at) } : undefined;
}
