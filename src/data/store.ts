import { randomBytes } from "node:crypto";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Kysely } from "kysely";
import type { JsonObject } from "../ir/types.js";
import type { KeyValueCache, ResponseStore, Store, StoredResponse } from "../store/types.js";
import { type CompiledOp, compileOps } from "./batch-write.js";
import { Data, nowSeconds } from "./data.js";
import type { Database } from "./schema.js";

type Db = () => Promise<Kysely<Database>>;

/** Items of a stored Response serialised in one slice of the main thread; the event loop turns between slices. */
export const STORE_SLICE_ITEMS = 500;

/** Each value's JSON text, `STORE_SLICE_ITEMS` at a time with a turn of the event loop between. */
async function serialisedInSlices(values: readonly JsonObject[]): Promise<string[]> {
  const out: string[] = new Array(values.length);
  for (let at = 0; at < values.length; at += STORE_SLICE_ITEMS) {
    if (at > 0) await nextTurn();
    const end = Math.min(values.length, at + STORE_SLICE_ITEMS);
    for (let i = at; i < end; i++) out[i] = JSON.stringify(values[i]);
  }
  return out;
}

/** A Response's JSON text with its `output` given as the items' texts (serialised already, not again). */
function withOutput(response: JsonObject, outputTexts: readonly string[]): string {
  const { output: _output, ...rest } = response;
  const head = JSON.stringify(rest);
  const output = `"output":[${outputTexts.join(",")}]`;
  return head === "{}" ? `{${output}}` : `${head.slice(0, -1)},${output}}`;
}

class Responses implements ResponseStore {
  /** The statement writing `n` items, by `n` (compiled once: only its parameters change). */
  private readonly itemsStatements = new Map<number, string>();

  constructor(
    private readonly db: Db,
    private readonly data: Data,
  ) {}

  /** An upsert of `n` items, whose parameters are each item's owner, id, response_id and item, in turn. */
  private itemsSql(db: Kysely<Database>, n: number): string {
    let sql = this.itemsStatements.get(n);
    if (sql === undefined) {
      const row = { owner: "", id: "", response_id: "", item: "" };
      sql = db
        .insertInto("items")
        .values(Array.from({ length: n }, () => row))
        .onConflict((oc) =>
          oc
            .columns(["owner", "id"])
            .doUpdateSet((eb) => ({ response_id: eb.ref("excluded.response_id"), item: eb.ref("excluded.item") })),
        )
        .compile().sql;
      this.itemsStatements.set(n, sql);
    }
    return sql;
  }

  /**
   * Keeps a Response and its items, in one transaction. An answer may hold tens of thousands of items (60,000
   * reasoning parts took 3 s of the main thread): each item is serialised once, `STORE_SLICE_ITEMS` at a time
   * with a turn of the event loop between, the Response's text put together from those, and the statements
   * compiled in the same slices; on SQLite they run on the writer thread (sqlite-writer.ts), on PostgreSQL
   * one by one.
   */
  async put(owner: string, r: StoredResponse): Promise<void> {
    const db = await this.db();
    const output = Array.isArray(r.response.output) ? (r.response.output as JsonObject[]) : undefined;
    const items = output ? [...r.input, ...output] : r.input;
    const texts = await serialisedInSlices(items);
    const inputTexts = texts.slice(0, r.input.length);
    const outputTexts = texts.slice(r.input.length);
    const row = {
      owner,
      id: r.id,
      previous_id: r.previousId ?? null,
      created_at: r.createdAt,
      input: `[${inputTexts.join(",")}]`,
      response: output ? withOutput(r.response, outputTexts) : JSON.stringify(r.response),
    };
    const ops: CompiledOp[] = compileOps([
      {
        query: db
          .insertInto("responses")
          .values(row)
          // The new values as `excluded` (not bound twice: the texts may be tens of megabytes).
          .onConflict((oc) =>
            oc.columns(["owner", "id"]).doUpdateSet((eb) => ({
              previous_id: eb.ref("excluded.previous_id"),
              created_at: eb.ref("excluded.created_at"),
              input: eb.ref("excluded.input"),
              response: eb.ref("excluded.response"),
            })),
          ),
      },
    ]);
    // Many items (an answer of thousands of reasoning parts) are a few statements, not one each.
    const byId = new Map<string, { owner: string; id: string; response_id: string; item: string }>();
    items.forEach((item, i) => {
      if (typeof item.id === "string" && item.id)
        byId.set(item.id, { owner, id: item.id, response_id: r.id, item: texts[i]! });
    });
    const rows = [...byId.values()];
    for (let at = 0; at < rows.length; at += WRITE_CHUNK) {
      if (at > 0) await nextTurn();
      const part = rows.slice(at, at + WRITE_CHUNK);
      const parameters: string[] = [];
      for (const p of part) parameters.push(p.owner, p.id, p.response_id, p.item);
      ops.push({ sql: this.itemsSql(db, part.length), parameters });
    }
    await this.data.writeCompiled(ops);
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
    this.responses = new Responses(db, data);
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
