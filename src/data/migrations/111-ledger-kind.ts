import type { Migration } from "./migration.js";

export const m111: Migration = {
  id: "111_ledger_kind",
  /**
   * What kind of call a ledger row is (`generate`, `embeddings`, `completions`, `rerank`: the request log's
   * `kind`), so the spend report can group by it (`llmux spend --by kind`). A new nullable column only; rows
   * written before are null (reported as none).
   */
  async up(db) {
    await db.schema.alterTable("ledger").addColumn("kind", "text").execute();
  },
};
