import type { Migration } from "./migration.js";

export const m046: Migration = {
  id: "046_prices",
  /**
   * `ledger.price`: the prices a row was costed at (JSON `{input, output, cache_read?, …, source, date}`, USD
   * per million tokens; null: unpriced, or written before), so a row's cost can be explained long after the
   * price table changed. `price_lists`: the list `llmux prices update` stored (one row, `current`), read by
   * every instance; `version` moves with each update. Additive: the release before neither reads nor writes them.
   */
  async up(db) {
    await db.schema.alterTable("ledger").addColumn("price", "text").execute();
    await db.schema
      .createTable("price_lists")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("version", "bigint", (c) => c.notNull())
      .addColumn("source", "text", (c) => c.notNull())
      .addColumn("models", "integer", (c) => c.notNull())
      .addColumn("rows", "text", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();
  },
};
