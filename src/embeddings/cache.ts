import { createHash } from "node:crypto";
import type { EmbeddingCacheRows } from "../data/embedding-cache.js";
import type { HotState } from "../state/hot-state.js";
import { hotKeys } from "../state/keys.js";
import type { EmbedInput } from "./ask.js";

/** An alias's cache settings (`embeddings.cache`). */
export interface CacheSettings {
  readonly store: "hot" | "data";
  readonly ttl_hours: number;
  readonly max_entries: number;
}

/** Where cached vectors live: base64 float32 text by digest, per alias. */
export interface VectorStore {
  get(alias: string, digests: readonly string[], s: CacheSettings): Promise<(string | undefined)[]>;
  put(alias: string, entries: readonly { digest: string; vector: string }[], s: CacheSettings): Promise<void>;
}

/**
 * The digest a vector is cached by: the upstream model, the dimensions and the input (a text, or token ids),
 * so that the same input asked of another model or size is never answered with this one.
 */
export function digestOf(model: string, dimensions: number | undefined, input: EmbedInput): string {
  const h = createHash("sha256");
  h.update(`${model}\n${dimensions ?? ""}\n`);
  h.update(typeof input === "string" ? `s:${input}` : `t:${input.join(",")}`);
  return h.digest("base64url");
}

const ttlMs = (s: CacheSettings) => Math.round(s.ttl_hours * 3600_000);

/** The data layer's table (src/data/embedding-cache.ts). */
export function dataVectors(rows: EmbeddingCacheRows): VectorStore {
  return {
    get: (alias, digests, s) => rows.get(alias, digests, ttlMs(s)),
    put: (alias, entries, s) => rows.put(alias, entries, ttlMs(s), s.max_entries),
  };
}

/**
 * The hot state (memory or Redis): each vector under its own key for the TTL; an alias's writes are counted
 * for a TTL from the first, and stop at `max_entries` until the counter expires with the vectors it counted.
 */
export function hotVectors(hot: HotState): VectorStore {
  return {
    get: (alias, digests) => hot.getMany(digests.map((d) => hotKeys.embedding(alias, d))),
    async put(alias, entries, s) {
      const ttl = ttlMs(s);
      const within = await hot.addWithin(hotKeys.embeddingCount(alias), entries.length, s.max_entries, ttl);
      if (!within.ok) return;
      await Promise.all(entries.map((e) => hot.set(hotKeys.embedding(alias, e.digest), e.vector, ttl)));
    },
  };
}
