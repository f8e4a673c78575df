import type { Data } from "./data.js";

/** Rows per statement (a digest list within every engine's bound on parameters). */
const CHUNK = 400;

function chunks<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

/**
 * The embeddings cache on the data layer: an alias's vectors by digest, each kept `ttlMs` from when it was
 * written and at most `maxEntries` per alias (the oldest dropped first, as new ones are written).
 */
export class EmbeddingCacheRows {
  constructor(private readonly data: Data) {}

  /** The vectors held for these digests (absent or expired: undefined), in their order. */
  async get(
    alias: string,
    digests: readonly string[],
    ttlMs: number,
    now = Date.now(),
  ): Promise<(string | undefined)[]> {
    const db = await this.data.db();
    const found = new Map<string, string>();
    for (const part of chunks(digests)) {
      const rows = await db
        .selectFrom("embedding_cache")
        .select(["digest", "vector"])
        .where("alias", "=", alias)
        .where("digest", "in", part)
        .where("created_at", ">=", now - ttlMs)
        .execute();
      for (const r of rows) found.set(r.digest, r.vector);
    }
    return digests.map((d) => found.get(d));
  }

  /** Keeps vectors (a digest already held is left as it is), then drops the expired and the oldest past the bound. */
  async put(
    alias: string,
    entries: readonly { digest: string; vector: string }[],
    ttlMs: number,
    maxEntries: number,
    now = Date.now(),
  ): Promise<void> {
    if (entries.length === 0) return;
    const db = await this.data.db();
    const unique = [...new Map(entries.map((e) => [e.digest, e])).values()];
    for (const part of chunks(unique))
      await db
        .insertInto("embedding_cache")
        .values(part.map((e) => ({ alias, digest: e.digest, vector: e.vector, created_at: now })))
        .onConflict((oc) => oc.columns(["alias", "digest"]).doNothing())
        .execute();
    await db
      .deleteFrom("embedding_cache")
      .where("alias", "=", alias)
      .where("created_at", "<", now - ttlMs)
      .execute();
    const row = await db
      .selectFrom("embedding_cache")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("alias", "=", alias)
      .executeTakeFirst();
    const over = Number(row?.n ?? 0) - maxEntries;
    if (over > 0)
      await db
        .deleteFrom("embedding_cache")
        .where("alias", "=", alias)
        .where("digest", "in", (eb) =>
          eb
            .selectFrom("embedding_cache")
            .select("digest")
            .where("alias", "=", alias)
            .orderBy("created_at", "asc")
            .orderBy("digest", "asc")
            .limit(over),
        )
        .execute();
  }
}
