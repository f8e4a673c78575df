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
      // Many items (an answer of thousands of reasoning parts) are a few statements, not one each.
      const byId = new Map<string, { owner: string; id: string; response_id: string; item: string }>();
      for (const item of items) {
        if (typeof item.id !== "string" || !item.id) continue;
        byId.set(item.id, { owner, id: item.id, response_id: r.id, item: JSON.stringify(item) });
      }
      for (const part of chunks([...byId.values()], WRITE_CHUNK))
        await tx
          .insertInto("items")
          .values(part)
          .onConflict((oc) =>
            oc
              .columns(["owner", "id"])
              .doUpdateSet((eb) => ({ response_id: eb.ref("excluded.response_id"), item: eb.ref("excluded.item") })),
          )
          .execute();
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

/** Keys per query of a batched read (well below both engines' limits on bound parameters). */
const READ_CHUNK = 5000;
/** Rows per statement of a batched write. */
const WRITE_CHUNK = 500;

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

class Reasoning implements KeyValueCache {
  private writes = 0;
  constructor(
    private readonly db: Db,
    private readonly maxEntries: number,
    private readonly ttl: number,
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.getMany([key])).get(key);
  }

  async getMany(keys: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    if (keys.length === 0) return found;
    const db = await this.db();
    const t = nowSeconds();
    for (const part of chunks([...new Set(keys)], READ_CHUNK)) {
      const rows = await db
        .selectFrom("reasoning")
        .select(["key", "value"])
        .where("key", "in", part)
        .where("expires_at", ">=", t)
        .execute();
      for (const r of rows) found.set(r.key, r.value);
    }
    // What was read is recently used (the size bound drops the least recently used first).
    for (const part of chunks([...found.keys()], READ_CHUNK))
      await db.updateTable("reasoning").set({ used_at: t }).where("key", "in", part).execute();
    return found;
  }

  async put(key: string, value: string): Promise<void> {
    await this.putMany(new Map([[key, value]]));
  }

  async putMany(entries: ReadonlyMap<string, string>): Promise<void> {
    if (entries.size === 0) return;
    const t = nowSeconds();
    const rows = [...entries].map(([key, value]) => ({ key, value, expires_at: t + this.ttl, used_at: t }));
    const db = await this.db();
    for (const part of chunks(rows, WRITE_CHUNK))
      await db
        .insertInto("reasoning")
        .values(part)
        .onConflict((oc) =>
          oc.column("key").doUpdateSet((eb) => ({
            value: eb.ref("excluded.value"),
            expires_at: eb.ref("excluded.expires_at"),
            used_at: eb.ref("excluded.used_at"),
          })),
        )
        .execute();
    // Bounded in time and size: every so often, drop the expired and then the least recently used.
    const before = this.writes;
    this.writes += rows.length;
    if (Math.floor(before / 256) !== Math.floor(this.writes / 256)) await this.trim(t);
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
