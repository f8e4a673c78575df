import { migration } from "./migration.js";

/**
 * Vectors of the embeddings cache (an alias's opt-in `embeddings.cache`), by a digest of the upstream model, the
 * dimensions and the input: base64 float32, never the input itself.
 */
export const m110 = migration("110_embedding_cache", async (s) => {
  await s.table(
    "embedding_cache",
    "alias text not null, digest text not null, vector text not null, created_at bigint not null",
    {
      key: ["alias", "digest"],
      indexes: { embedding_cache_alias_created: "alias, created_at" },
    },
  );
});
