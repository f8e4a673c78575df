/**
 * A small batch written on the main thread's own SQLite connection while the writer thread is not running
 * (src/data/write-here.ts): the thread does not start for it; a larger batch starts the thread, and every batch
 * goes to the thread while it runs; a write lock held by another connection sends the batch to the thread at
 * once instead of holding the event loop (libsql waits for a lock synchronously); the connection's busy
 * timeout is back afterwards, and a failing batch leaves nothing.
 */
import type DatabaseType from "libsql";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LedgerRow } from "../../src/billing/ledger-row.js";
import type { CompiledOp } from "../../src/data/batch-write.js";
import { Data } from "../../src/data/data.js";
import { Kysely, type SqliteDatabase, SqliteDialect } from "../../src/data/kysely.js";
import { loadLibsql } from "../../src/data/libsql-load.js";
import type { Database } from "../../src/data/schema.js";
import { SqliteWriter } from "../../src/data/sqlite-writer.js";
import { BUSY_TIMEOUT_MS, HERE_MAX_ROWS, hereWriter } from "../../src/data/write-here.js";
import { freshSqlite } from "../support/engines.js";
import { ledgerRow } from "../support/ledger-row.js";

const row = (id: string, i: number): LedgerRow =>
  ledgerRow({ id, key_id: "key_here", at: 1_700_000_000_000 + i, model: "m", cost_nanos: i });
const rows = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => row(`${prefix}${i}`, i));
const batch = (r: LedgerRow[]): CompiledOp[] => [{ insert: "ledger", rows: r }];

describe("small batches written on the main thread's connection (SQLite)", () => {
  let data: Data;
  let raw: InstanceType<typeof DatabaseType>;
  let db: Kysely<Database>;
  let writer: SqliteWriter;
  let hereCalls: number;
  let path: string;

  beforeEach(async () => {
    path = (await freshSqlite()).path;
    // The schema, made by the data layer; then a connection of the test's own, as the engine opens one.
    data = new Data({ path });
    await data.db();
    const Database = loadLibsql();
    raw = new Database(path);
    raw.exec(`pragma busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw as unknown as SqliteDatabase }) });
    const here = hereWriter(db, raw);
    hereCalls = 0;
    writer = new SqliteWriter(path, (ops) => {
      hereCalls++;
      return here(ops);
    });
  });
  afterEach(async () => {
    await writer.close();
    await db.destroy();
    await data.close();
  });

  const count = () => (raw.prepare("select count(*) as n from ledger").get() as { n: number }).n;
  const busyTimeout = () => (raw.prepare("pragma busy_timeout").get() as { timeout: number }).timeout;

  it("writes a small batch here without starting the thread; a row already there counts nothing", async () => {
    expect(await writer.write(batch(rows("a", 2)))).toEqual([2]);
    expect(await writer.write(batch([row("a1", 1), row("b0", 0)]))).toEqual([1]);
    expect(writer.running).toBe(false);
    expect(hereCalls).toBe(2);
    expect(count()).toBe(3);
    expect(busyTimeout()).toBe(BUSY_TIMEOUT_MS);
  });

  it("starts the thread for a larger batch, then sends every batch there while it runs", async () => {
    expect(await writer.write(batch(rows("big", HERE_MAX_ROWS + 1)))).toEqual([HERE_MAX_ROWS + 1]);
    expect(hereCalls).toBe(0);
    expect(writer.running).toBe(true);
    expect(await writer.write(batch(rows("small", 2)))).toEqual([2]);
    expect(hereCalls).toBe(0);
    // A statement of its own (a delete of any size) never runs here either.
    const del: CompiledOp = { sql: "delete from ledger where id like ?", parameters: ["small%"] };
    expect(await writer.write([del])).toEqual([2]);
    expect(count()).toBe(HERE_MAX_ROWS + 1);
  });

  it("a write lock held elsewhere sends the batch to the thread at once: the event loop keeps turning", async () => {
    const Database = loadLibsql();
    const other = new Database(path);
    try {
      other.exec("begin immediate");
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 5);
      const written = writer.write(batch(rows("l", 2)));
      // The other connection commits 300 ms later, from this thread: possible only if the loop was not held.
      await new Promise((r) => setTimeout(r, 300));
      const before = ticks;
      other.exec("commit");
      expect(await written).toEqual([2]);
      clearInterval(ticker);
      expect(before).toBeGreaterThan(5);
      expect(hereCalls).toBe(1);
      expect(writer.running).toBe(true);
      expect(count()).toBe(2);
      expect(busyTimeout()).toBe(BUSY_TIMEOUT_MS);
    } finally {
      if (other.inTransaction) other.exec("rollback");
      other.close();
    }
  });

  it("a failing batch leaves nothing of itself, and the connection as it was", async () => {
    const bad = { ...row("bad", 0), key_id: null } as unknown as LedgerRow;
    await expect(writer.write([...batch([row("ok", 1)]), ...batch([bad])])).rejects.toThrow(/NOT NULL/i);
    expect(hereCalls).toBe(1);
    expect(writer.running).toBe(false);
    expect(count()).toBe(0);
    expect(busyTimeout()).toBe(BUSY_TIMEOUT_MS);
    expect(await writer.write(batch([row("ok", 1)]))).toEqual([1]);
  });
});
