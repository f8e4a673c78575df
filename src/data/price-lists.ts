/**
 * The price list `llmux prices update` stores (046_prices): one row, replaced whole, its `version` moving
 * with each update so that every instance notices it on its next poll.
 */
import type { Data } from "./data.js";

export interface StoredPriceList {
  version: number;
  /** Where the list came from (a URL, a file, `@pydantic/genai-prices <version>`). */
  source: string;
  models: number;
  /** JSON array of price rows. */
  rows: string;
  /** Unix milliseconds. */
  updated_at: number;
}

const ID = "current";

/** Stores a list (replacing the one before); returns its version. */
export async function storePriceList(
  data: Data,
  list: { source: string; models: number; rows: string },
): Promise<number> {
  const db = await data.db();
  return db.transaction().execute(async (tx) => {
    const had = await tx.selectFrom("price_lists").select("version").where("id", "=", ID).executeTakeFirst();
    const version = Number(had?.version ?? 0) + 1;
    const row = { ...list, version, updated_at: Date.now() };
    if (had) await tx.updateTable("price_lists").set(row).where("id", "=", ID).execute();
    else
      await tx
        .insertInto("price_lists")
        .values({ id: ID, ...row })
        .execute();
    return version;
  });
}

/** The stored list's version (0: none), read on every poll. */
export async function priceListVersion(data: Data): Promise<number> {
  const db = await data.db();
  const r = await db.selectFrom("price_lists").select("version").where("id", "=", ID).executeTakeFirst();
  return Number(r?.version ?? 0);
}

export async function storedPriceList(data: Data): Promise<StoredPriceList | undefined> {
  const db = await data.db();
  const r = await db
    .selectFrom("price_lists")
    .select(["version", "source", "models", "rows", "updated_at"])
    .where("id", "=", ID)
    .executeTakeFirst();
  return r
    ? { ...r, version: Number(r.version), models: Number(r.models), updated_at: Number(r.updated_at) }
    : undefined;
}
