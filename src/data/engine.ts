import { createRequire } from "node:module";
import { resolve } from "node:path";
import { prepareStoreFile } from "../store/store-file.js";
import { type CompiledOp, writeThrough } from "./batch-write.js";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from "./kysely.js";
import { loadLibsql } from "./libsql-load.js";
import type { Database } from "./schema.js";
import { SqliteWriter } from "./sqlite-writer.js";
import { BUSY_TIMEOUT_MS, hereWriter } from "./write-here.js";

export type EngineName = "sqlite" | "postgres";

/** Where the data lives: an SQLite file (the default) or a PostgreSQL URL. */
export interface DataLocation {
  path: string;
  url?: string | undefined;
  /** PostgreSQL: the pool's size and timeouts (defaults: 10 connections, 5 s to connect, 15 s a statement). */
  pool?: PoolSettings | undefined;
}

export interface PoolSettings {
  size: number;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

const POOL_DEFAULTS: PoolSettings = { size: 10, connectTimeoutMs: 5000, statementTimeoutMs: 15_000 };

export interface Engine {
  readonly name: EngineName;
  readonly db: Kysely<Database>;
  /** Writes a batch in one transaction (on SQLite, in the writer thread: see SqliteWriter). */
  write(ops: readonly CompiledOp[]): Promise<number[]>;
  /** Lets go of the engine (the last holder of a shared SQLite file closes it). */
  release(): Promise<void>;
}

const require = createRequire(import.meta.url);

/**
 * Opens the embedded SQLite file through libsql (better-sqlite3's API, which Kysely's SqliteDialect drives).
 * Files written before the data layer (user_version < 2: responses without an owner) lose those tables, which
 * nobody could read back; later files are adopted as they are.
 */
function openSqlite(path: string): { db: Kysely<Database>; raw: InstanceType<ReturnType<typeof loadLibsql>> } {
  prepareStoreFile(path);
  const Database = loadLibsql();
  const raw = new Database(path);
  // First: what follows may need the file's lock (WAL on a new file takes it whole), which another process
  // (a worker starting at the same moment) may hold; without a busy timeout that is "database is locked".
  raw.exec(`pragma busy_timeout = ${BUSY_TIMEOUT_MS}`);
  raw.exec("pragma journal_mode = wal");
  raw.exec("pragma synchronous = normal");
  const version = (raw.prepare("pragma user_version").get() as { user_version: number }).user_version;
  if (version < 2) {
    raw.exec("drop table if exists items; drop table if exists responses;");
    raw.exec("pragma user_version = 2");
  }
  const db = new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: raw as unknown as SqliteDatabase }),
  });
  return { db, raw };
}

/**
 * Transactions that take the write lock when they begin (`BEGIN IMMEDIATE`), waiting for it (the busy timeout)
 * while the writer thread or another process holds it. A transaction begun as a reader (`BEGIN`) that reads,
 * then writes, cannot become a writer once another connection committed since its read: SQLite answers
 * "database is locked" at once, whatever the busy timeout (an admin minting a key while the request log was
 * written). Every transaction here writes, so each begins as the writer it will be.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings);
  }
}

/**
 * SQLite files open once per process, shared by every holder: libsql waits for a busy database
 * synchronously, so two handles on one file in one thread would wait on each other forever. The one other
 * connection is the writer thread's (src/data/sqlite-writer.ts): in a thread of its own, it finishes its
 * transaction while this thread waits, and the other way round.
 */
const sqliteFiles = new Map<string, { db: Kysely<Database>; holders: number; writer: SqliteWriter | undefined }>();

function sharedSqlite(path: string): Engine {
  const key = resolve(path);
  let entry = sqliteFiles.get(key);
  if (!entry) {
    // The batched writes go through a thread of their own, with its own connection (an in-memory database
    // has no file a second connection could open: written here).
    // A small batch while the thread is not running is written here (write-here.ts).
    const { db, raw } = openSqlite(path);
    const writer = path === ":memory:" ? undefined : new SqliteWriter(key, hereWriter(db, raw));
    entry = { db, holders: 0, writer };
    sqliteFiles.set(key, entry);
  }
  entry.holders++;
  const held = entry;
  let released = false;
  return {
    name: "sqlite",
    db: held.db,
    write: (ops) => (held.writer ? held.writer.write(ops) : writeThrough(held.db, ops)),
    async release() {
      if (released) return;
      released = true;
      if (--held.holders > 0) return;
      sqliteFiles.delete(key);
      await held.writer?.close();
      await held.db.destroy();
    },
  };
}

/**
 * A PostgreSQL pool; `bigint` columns are read back as numbers (times, nano-dollars: exact below 2^53).
 * Bounded in time: opening a connection and each statement (by the server, and by the client for a server
 * that stopped answering). A connection that turned read-only (a failover left it on a standby) is closed
 * when it is given back, not reused, and so is every connection opened before it (see `replacingBroken`).
 */
function openPostgres(url: string, settings: PoolSettings): Engine {
  const pg = require("pg") as typeof import("pg");
  const era = { now: 0 };
  // Each connection remembers the era it was made in (before its backend started: a connection begun
  // before a failover and finished after it is still of the old era).
  class EraClient extends pg.Client {
    readonly era = era.now;
  }
  const pool = new pg.Pool({
    Client: EraClient,
    connectionString: url,
    max: settings.size,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    statement_timeout: settings.statementTimeoutMs,
    // The client's own bound comes a little after the server's, for a server that no longer answers at all.
    query_timeout: settings.statementTimeoutMs + 1000,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === 20 ? Number : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
    },
  });
  // A connection that drops (PostgreSQL restarted, a network cut) fails the query using it, which the
  // caller handles; the client's own error event must not crash the process, idle or checked out.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => {
    client.on("error", () => undefined);
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: replacingBroken(pool, era) }) });
  return { name: "postgres", db, write: (ops) => writeThrough(db, ops, true), release: () => db.destroy() };
}

/**
 * SQLSTATEs that say the server itself changed role or went down (read-only after a failover, shut down): every
 * connection opened before is suspect, idle ones included (a read made on a standby succeeds and leaves its
 * connection in the pool, read-only, for the next write).
 */
const NEW_ERA = new Set(["25006", "57P01", "57P02", "57P03"]);
/** SQLSTATEs after which a connection is not given back to the pool: those, and a connection gone. */
const BROKEN = new Set([...NEW_ERA, "08006", "08003"]);

/**
 * The pool as Kysely uses it. A connection on which a query found it broken is closed, not reused; one that
 * found a failover starts a new era, and connections of an earlier era are closed when next checked out or
 * given back, so that once the database takes writes again at most one write fails on a stale connection.
 */
function replacingBroken(pool: import("pg").Pool, era: { now: number }): PostgresPool {
  const stale = (client: import("pg").PoolClient) => (client as unknown as { era: number }).era < era.now;
  return {
    async connect() {
      let client = await pool.connect();
      // Each pass closes one stale connection; connections made from here on are of this era.
      while (stale(client)) {
        client.release(true);
        client = await pool.connect();
      }
      let broken: Error | undefined;
      return {
        query: (async (...args: unknown[]) => {
          try {
            return await (client.query as (...a: unknown[]) => Promise<unknown>)(...args);
          } catch (err) {
            const e = err as Error & { code?: string };
            if ((e.code && BROKEN.has(e.code)) || /timeout|terminated/i.test(e.message)) broken = e;
            if (e.code && NEW_ERA.has(e.code) && !stale(client)) era.now++;
            throw err;
          }
        }) as PostgresPoolClient["query"],
        release: () => client.release(broken ?? (stale(client) ? true : undefined)),
      };
    },
    end: () => pool.end(),
  };
}

export function openEngine(where: DataLocation): Engine {
  if (where.url) {
    if (!/^postgres(ql)?:\/\//.test(where.url))
      throw new Error(
        `store.url '${where.url}' is not a postgres:// URL (the only database llmux speaks besides its SQLite file)`,
      );
    return openPostgres(where.url, { ...POOL_DEFAULTS, ...where.pool });
  }
  return sharedSqlite(where.path);
}
