/**
 * The tables of one row, `current`, replaced whole, whose `version` moves with each store so that every instance
 * notices it on its next poll: the stored price list (046_prices) and routing rules (140_routing_rules).
 */
import type { Data } from "./data.js";
import type { Database } from "./schema.js";

export const CURRENT = "current";

export type OneRowTable = "price_lists" | "routing_rules";

/** What such a table stores: its row less the id, the version and the time, which storing sets. */
export type OneRowValues<T extends OneRowTable> = Omit<Database[T], "id" | "version" | "updated_at">;

/** Stores the row (replacing the one before) in one transaction; returns its version. */
export async function storeOneRow<T extends OneRowTable>(
  data: Data,
  table: T,
  values: OneRowValues<T>,
): Promise<number> {
  // One statement text for every such table: typed as one of them.
  const t = table as OneRowTable as "routing_rules";
  const db = await data.db();
  return db.transaction().execute(async (tx) => {
    const had = await tx.selectFrom(t).select("version").where("id", "=", CURRENT).executeTakeFirst();
    const version = Number(had?.version ?? 0) + 1;
    const row = { ...(values as OneRowValues<"routing_rules">), version, updated_at: Date.now() };
    if (had) await tx.updateTable(t).set(row).where("id", "=", CURRENT).execute();
    else
      await tx
        .insertInto(t)
        .values({ id: CURRENT, ...row })
        .execute();
    return version;
  });
}

/** The stored row's version (0: none), read on every poll. */
export async function oneRowVersion(data: Data, table: OneRowTable): Promise<number> {
  const db = await data.db();
  const r = await db
    .selectFrom(table as "routing_rules")
    .select("version")
    .where("id", "=", CURRENT)
    .executeTakeFirst();
  return Number(r?.version ?? 0);
}

/**
 * The stored row less its id (undefined: none stored), its version, time and the columns `numbers` names read
 * as numbers (PostgreSQL answers a bigint as a string).
 */
export async function readOneRow<T extends OneRowTable>(
  data: Data,
  table: T,
  numbers: readonly (keyof Database[T] & string)[] = [],
): Promise<Omit<Database[T], "id"> | undefined> {
  const db = await data.db();
  const r = await db
    .selectFrom(table as OneRowTable as "routing_rules")
    .selectAll()
    .where("id", "=", CURRENT)
    .executeTakeFirst();
  if (!r) return undefined;
  const { id: _, ...row }: Record<string, unknown> = r;
  for (const column of ["version", "updated_at", ...numbers]) row[column] = Number(row[column]);
  return row as Omit<Database[T], "id">;
}
