import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import type DatabaseType from "libsql";
import type { JsonObject } from "../ir/types.js";
import { prepareStoreFile } from "./store-file.js";
import type { KeyValueCache, ResponseStore, Store, StoredResponse } from "./types.js";

type DB = InstanceType<typeof DatabaseType>;

/** The native SQLite binding, loaded with the store's first use: a gateway that never needs state never pays for it. */
const load = (): typeof DatabaseType => createRequire(import.meta.url)("libsql") as typeof DatabaseType;

/**
 * Version 2 keys stored responses and their items by owner. Version 1 tables (no owner) cannot be given
 * one safely, so they are replaced: their responses could not have been read back by anyone anyway.
 */
const VERSION = 2;

const SCHEMA = `
create table if not exists meta (key text primary key, value text not null);
create table if not exists responses (
  owner text not null,
  id text not null,
  previous_id text,
  created_at integer not null,
  input text not null,
  response text not null,
  primary key (owner, id)
);
create index if not exists responses_created on responses (created_at);
create table if not exists items (
  owner text not null,
  id text not null,
  response_id text not null,
  item text not null,
  primary key (owner, id)
);
create index if not exists items_response on items (owner, response_id);
create table if not exists reasoning (
  key text primary key,
  value text not null,
  expires_at integer not null,
  used_at integer not null
);
create index if not exists reasoning_used on reasoning (used_at);
`;

export interface SqliteStoreOptions {
  path: string;
  /** Reasoning cache bounds. */
  reasoningMaxEntries: number;
  reasoningTtlSeconds: number;
}

function open(path: string): DB {
  prepareStoreFile(path);
  const Database = load();
  const db = new Database(path);
  db.exec("pragma journal_mode = wal");
  db.exec("pragma synchronous = normal");
  db.exec("pragma busy_timeout = 5000");
  const version = (db.prepare("pragma user_version").get() as { user_version: number }).user_version;
  if (version < VERSION) {
    db.exec("drop table if exists items; drop table if exists responses;");
    db.exec(`pragma user_version = ${VERSION}`);
  }
  db.exec(SCHEMA);
  return db;
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

interface ResponseRow {
  id: string;
  previous_id: string | null;
  created_at: number;
  input: string;
  response: string;
}

class SqliteResponses implements ResponseStore {
  private readonly insert;
  private readonly insertItem;
  private readonly select;
  private readonly selectItem;
  private readonly remove;
  private readonly removeItems;
  private readonly pruneItems;
  private readonly pruneResponses;

  constructor(private readonly db: DB) {
    this.insert = db.prepare(
      "insert or replace into responses (owner, id, previous_id, created_at, input, response) values (?, ?, ?, ?, ?, ?)",
    );
    this.insertItem = db.prepare("insert or replace into items (owner, id, response_id, item) values (?, ?, ?, ?)");
    this.select = db.prepare(
      "select id, previous_id, created_at, input, response from responses where owner = ? and id = ?",
    );
    this.selectItem = db.prepare("select item from items where owner = ? and id = ?");
    this.remove = db.prepare("delete from responses where owner = ? and id = ?");
    this.removeItems = db.prepare("delete from items where owner = ? and response_id = ?");
    this.pruneItems = db.prepare(
      "delete from items where (owner, response_id) in (select owner, id from responses where created_at < ?)",
    );
    this.pruneResponses = db.prepare("delete from responses where created_at < ?");
  }

  async put(owner: string, r: StoredResponse): Promise<void> {
    const input = JSON.stringify(r.input);
    const response = JSON.stringify(r.response);
    const tx = this.db.transaction(() => {
      this.insert.run(owner, r.id, r.previousId ?? null, r.createdAt, input, response);
      const items = [...r.input, ...(Array.isArray(r.response.output) ? (r.response.output as JsonObject[]) : [])];
      for (const item of items)
        if (typeof item.id === "string" && item.id) this.insertItem.run(owner, item.id, r.id, JSON.stringify(item));
    });
    tx();
  }

  async get(owner: string, id: string): Promise<StoredResponse | undefined> {
    const row = this.select.get(owner, id) as ResponseRow | undefined;
    if (!row) return undefined;
    return {
      id: row.id,
      previousId: row.previous_id ?? undefined,
      createdAt: row.created_at,
      input: JSON.parse(row.input) as JsonObject[],
      response: JSON.parse(row.response) as JsonObject,
    };
  }

  async item(owner: string, id: string): Promise<JsonObject | undefined> {
    const row = this.selectItem.get(owner, id) as { item: string } | undefined;
    return row ? (JSON.parse(row.item) as JsonObject) : undefined;
  }

  async delete(owner: string, id: string): Promise<boolean> {
    this.removeItems.run(owner, id);
    return this.remove.run(owner, id).changes > 0;
  }

  async prune(before: number): Promise<number> {
    this.pruneItems.run(before);
    return this.pruneResponses.run(before).changes;
  }
}

class SqliteCache implements KeyValueCache {
  private readonly selectRow;
  private readonly touch;
  private readonly upsert;
  private readonly expire;
  private readonly count;
  private readonly evict;
  private writes = 0;

  constructor(
    db: DB,
    private readonly maxEntries: number,
    private readonly ttl: number,
  ) {
    this.selectRow = db.prepare("select value, expires_at from reasoning where key = ?");
    this.touch = db.prepare("update reasoning set used_at = ? where key = ?");
    this.upsert = db.prepare("insert or replace into reasoning (key, value, expires_at, used_at) values (?, ?, ?, ?)");
    this.expire = db.prepare("delete from reasoning where expires_at < ?");
    this.count = db.prepare("select count(*) as n from reasoning");
    this.evict = db.prepare(
      "delete from reasoning where key in (select key from reasoning order by used_at asc limit ?)",
    );
  }

  async get(key: string): Promise<string | undefined> {
    const row = this.selectRow.get(key) as { value: string; expires_at: number } | undefined;
    if (!row) return undefined;
    const t = now();
    if (row.expires_at < t) return undefined;
    this.touch.run(t, key);
    return row.value;
  }

  async put(key: string, value: string): Promise<void> {
    const t = now();
    this.upsert.run(key, value, t + this.ttl, t);
    // Bounded in time and size: every so often, drop the expired and then the least recently used.
    if (++this.writes % 256 === 0) this.trim(t);
  }

  trim(t = now()): void {
    this.expire.run(t);
    const { n } = this.count.get() as { n: number };
    if (n > this.maxEntries) this.evict.run(n - this.maxEntries);
  }
}

/** The embedded store: one SQLite file (0600 in a 0700 directory), opened on first use. */
export class SqliteStore implements Store {
  private db: DB | undefined;
  private responsesTable: SqliteResponses | undefined;
  private cacheTable: SqliteCache | undefined;
  private secretValue: string | undefined;

  constructor(private readonly opts: SqliteStoreOptions) {}

  private handle(): DB {
    this.db ??= open(this.opts.path);
    return this.db;
  }

  get responses(): ResponseStore {
    this.responsesTable ??= new SqliteResponses(this.handle());
    return this.responsesTable;
  }

  get reasoning(): KeyValueCache {
    this.cacheTable ??= new SqliteCache(this.handle(), this.opts.reasoningMaxEntries, this.opts.reasoningTtlSeconds);
    return this.cacheTable;
  }

  async secret(): Promise<string> {
    if (this.secretValue) return this.secretValue;
    const db = this.handle();
    const read = () =>
      (db.prepare("select value from meta where key = 'envelope_secret'").get() as { value: string } | undefined)
        ?.value;
    let value = read();
    if (value === undefined) {
      db.prepare("insert or ignore into meta (key, value) values ('envelope_secret', ?)").run(
        randomBytes(32).toString("base64url"),
      );
      // Another instance may have written it first: read back what is stored.
      value = read()!;
    }
    this.secretValue = value;
    return value;
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
    this.responsesTable = undefined;
    this.cacheTable = undefined;
  }
}
