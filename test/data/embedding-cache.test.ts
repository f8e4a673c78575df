/** The embeddings cache's table (src/data/embedding-cache.ts) on both engines: lookups, expiry, the per-alias bound. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Data } from "../../src/data/data.js";
import { EmbeddingCacheRows } from "../../src/data/embedding-cache.js";
import { ENGINES, type TestLocation } from "../support/engines.js";

const HOUR = 3600_000;

describe.each(ENGINES)("embeddings cache rows on $engine", ({ fresh }) => {
  let where: TestLocation;
  let data: Data;
  let rows: EmbeddingCacheRows;
  beforeAll(async () => {
    where = await fresh();
    data = new Data({ path: where.path, url: where.url });
    rows = new EmbeddingCacheRows(data);
  });
  afterAll(async () => {
    await data.close();
    await where.drop();
  });

  it("answers held digests in order, per alias; a digest already held keeps its first vector", async () => {
    const t = 1_000_000;
    await rows.put(
      "a",
      [
        { digest: "d1", vector: "v1" },
        { digest: "d2", vector: "v2" },
      ],
      HOUR,
      100,
      t,
    );
    await rows.put("a", [{ digest: "d1", vector: "other" }], HOUR, 100, t + 1);
    expect(await rows.get("a", ["d2", "dx", "d1"], HOUR, t + 2)).toEqual(["v2", undefined, "v1"]);
    expect(await rows.get("b", ["d1"], HOUR, t + 2)).toEqual([undefined]);
  });

  it("expired vectors are not answered, and are deleted by the next write", async () => {
    const t = 5_000_000;
    await rows.put("e", [{ digest: "old", vector: "v" }], HOUR, 100, t);
    expect(await rows.get("e", ["old"], HOUR, t + HOUR + 1)).toEqual([undefined]);
    await rows.put("e", [{ digest: "new", vector: "w" }], HOUR, 100, t + HOUR + 1);
    const db = await data.db();
    const left = await db.selectFrom("embedding_cache").select("digest").where("alias", "=", "e").execute();
    expect(left.map((r) => r.digest)).toEqual(["new"]);
  });

  it("past max_entries the oldest are dropped; many digests at once (over one statement's list)", async () => {
    const t = 9_000_000;
    const many = Array.from({ length: 900 }, (_, i) => ({ digest: `m${i}`, vector: `v${i}` }));
    await rows.put("m", many.slice(0, 500), HOUR, 600, t);
    await rows.put("m", many.slice(500), HOUR, 600, t + 10);
    const got = await rows.get(
      "m",
      many.map((m) => m.digest),
      HOUR,
      t + 20,
    );
    expect(got.filter((v) => v !== undefined)).toHaveLength(600);
    // the newer write is kept whole
    expect(got.slice(500)).toEqual(many.slice(500).map((m) => m.vector));
  });
});
