import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import type { JsonObject } from "../ir/types.js";
import type { KeyValueCache, ResponseStore, Store, StoredResponse } from "../store/types.js";
import { Data, nowSeconds } from "./data.js";
import type { Database } from "./schema.js";

type Db = () => Promise<Kysely<Database>>;

class Responses implements ResponseStore {
  constructor(private readonly db: Db) {}

  async put(owner: string, r: StoredResponse): Promise<void> {
    const db = await this.db();
    const items = [...r.input, ...(Array.isArray(r.response.output) ? (r.response.output as JsonObject[]) : [])];
    await db.transaction().execute(async (tx) => {
      const row = {
        owner,
        id: r.id,
        previous_id: r.previousId ?? null,
        created_at: r.createdAt,
        input: JSON.stringify(r.input),
        response: JSON.stringify(r.response),
      };
      await tx
        .insertInto("responses")
        .values(row)
        .onConflict((oc) => oc.columns(["owner", "id"]).doUpdateSet(row))
        .execute();
      for (const item of items) {
        if (typeof item.id !== "string" || !item.id) continue;
        const it = { owner, id: item.id, response_id: r.id, item: JSON.stringify(item) };
        await tx
          .insertInto("items")
          .values(it)
          .onConflict((oc) => oc.columns(["owner", "id"]).doUpdateSet({ response_id: r.id, item: it.item }))
          .execute();
      }
    });
  }

  async get(owner: string, id: string): Promise<StoredResponse | undefined> {
    const row = await (await this.db())
      .selectFrom("responses")
      .select(["id", "previous_id", "created_at", "input", "response"])
      .where("owner", "=", owner)
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      previousId: row.previous_id ?? undefined,
      createdAt: Number(row.created_at),
      input: JSON.parse(row.input) as JsonObject[],
      response: JSON.parse(row.response) as JsonObject,
    };
  }

  async item(owner: string, id: string): Promise<JsonObject | undefined> {
    const row = await (await this.db())
      .selectFrom("items")
      .select("item")
      .where("owner", "=", owner)
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? (JSON.parse(row.item) as JsonObject) : undefined;
  }

  async delete(owner: string, id: string): Promise<boolean> {
    const db = await this.db();
    await db.deleteFrom("items").where("owner", "=", owner).where("response_id", "=", id).execute();
    const r = await db.deleteFrom("responses").where("owner", "=", owner).where("id", "=", id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async prune(before: number): Promise<number> {
    const db = await this.db();
    const old = db.selectFrom("responses").select("id").where("created_at", "<", before);
    await db.deleteFrom("items").where("response_id", "in", old).execute();
    const r = await db.deleteFrom("responses").where("created_at", "<", before).executeTakeFirst();
    await db.deleteFrom("upstream_owners").where("created_at", "<", before).execute();
    return Number(r.numDeletedRows);
  }

  async claim(owner: string, ids: readonly string[], createdAt: number): Promise<void> {
    if (ids.length === 0) return;
    await (await this.db())
      .insertInto("upstream_owners")
      .values([...new Set(ids)].map((id) => ({ id, owner, created_at: createdAt })))
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
  }

  async owners(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await (await this.db())
      .selectFrom("upstream_owners")
      .select(["id", "owner"])
      .where("id", "in", [...ids])
      .execute();
    return new Map(rows.map((r) => [r.id, r.owner]));
  }
}

class Reasoning implements KeyValueCache {
  private writes = 0;
  constructor(
    private readonly db: Db,
    private readonly maxEntries: number,
    private readonly ttl: number,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const db = await this.db();
    const row = await db
      .selectFrom("reasoning")
      .select(["value", "expires_at"])
      .where("key", "=", key)
      .executeTakeFirst();
    const t = nowSeconds();
    if (!row || Number(row.expires_at) < t) return undefined;
    await db.updateTable("reasoning").set({ used_at: t }).where("key", "=", key).execute();
    return row.value;
  }

  async put(key: string, value: string): Promise<void> {
    const t = nowSeconds();
    const row = { key, value, expires_at: t + this.ttl, used_at: t };
    await (await this.db())
      .insertInto("reasoning")
      .values(row)
      .onConflict((oc) => oc.column("key").doUpdateSet({ value, expires_at: row.expires_at, used_at: t }))
      .execute();
    // Bounded in time and size: every so often, drop the expired and then the least recently used.
    if (++this.writes % 256 === 0) await this.trim(t);
  }

  async trim(t = nowSeconds()): Promise<void> {
    const db = await this.db();
    await db.deleteFrom("reasoning").where("expires_at", "<", t).execute();
    const { n } = await db
      .selectFrom("reasoning")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const over = Number(n) - this.maxEntries;
    if (over > 0) {
      const oldest = db.selectFrom("reasoning").select("key").orderBy("used_at", "asc").limit(over);
      await db.deleteFrom("reasoning").where("key", "in", oldest).execute();
    }
  }
}

export interface DataStoreOptions {
  reasoningMaxEntries: number;
  reasoningTtlSeconds: number;
}

/** The Store (stored Responses, reasoning cache, envelope secret) on the data layer, either engine. */
export class DataStore implements Store {
  readonly responses: ResponseStore;
  readonly reasoning: Reasoning;
  private secretValue: string | undefined;

  constructor(
    readonly data: Data,
    opts: DataStoreOptions,
  ) {
    const db = () => data.db();
    this.responses = new Responses(db);
    this.reasoning = new Reasoning(db, opts.reasoningMaxEntries, opts.reasoningTtlSeconds);
  }

  async secret(): Promise<string> {
    if (this.secretValue) return this.secretValue;
    const db = await this.data.db();
    await db
      .insertInto("meta")
      .values({ key: "envelope_secret", value: randomBytes(32).toString("base64url") })
      .onConflict((oc) => oc.column("key").doNothing())
      .execute();
    // Another instance may have written it first: what is stored wins.
    const row = await db
      .selectFrom("meta")
      .select("value")
      .where("key", "=", "envelope_secret")
      .executeTakeFirstOrThrow();
    this.secretValue = row.value;
    return row.value;
  }

  async close(): Promise<void> {
    await this.data.close();
  }
}

/** A Store on its own data layer (the location as in the config's `store`). */
export function openDataStore(opts: DataStoreOptions & { path: string; url?: string | undefined }): DataStore {
  return new DataStore(new Data({ path: opts.path, url: opts.url }), opts);
}
