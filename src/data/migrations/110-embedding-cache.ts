import type { Migration } from "./migration.js";

export const m110: Migration = {
  id: "110_embedding_cache",
  async up(db) {
    // Vectors of the embeddings cache (an alias's opt-in `embeddings.cache`), by a digest of the upstream
    // model, the dimensions and the input: base64 float32, never the input itself.
    await db.schema
      .createTable("embedding_cache")
      .addColumn("alias", "text", (c) => c.notNull())
      .addColumn("digest", "text", (c) => c.notNull())
      .addColumn("vector", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("embedding_cache_pk", ["alias", "digest"])
      .execute();
    await db.schema
      .createIndex("embedding_cache_alias_created")
      .on("embedding_cache")
      .columns(["alias", "created_at"])
      .execute();
  },
};
