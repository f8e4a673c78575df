/**
 * A failover seen by the PostgreSQL pool: connections opened while the database was read-only (a standby)
 * stay read-only after it takes writes again. The first write that finds one is refused (25006); from then
 * on every connection opened before it is closed, idle ones included, so the next write succeeds. Without
 * that, each idle stale connection fails one more write (three here).
 */
import { createRequire } from "node:module";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Engine, openEngine } from "../../src/data/engine.js";
import { freshPostgres, type TestLocation } from "../support/engines.js";

const require = createRequire(import.meta.url);

describe("the PostgreSQL pool after a failover", () => {
  let where: TestLocation;
  let engine: Engine;
  let owner: import("pg").Client;
  let dbName: string;
  beforeAll(async () => {
    where = await freshPostgres();
    dbName = new URL(where.url!).pathname.slice(1);
    const pg = require("pg") as typeof import("pg");
    owner = new pg.Client({ connectionString: where.url });
    await owner.connect();
    engine = openEngine({
      path: where.path,
      url: where.url,
      pool: { size: 3, connectTimeoutMs: 5000, statementTimeoutMs: 5000 },
    });
  });
  afterAll(async () => {
    await engine.release();
    await owner.end();
    await where.drop();
  });

  /** Three connections at once (each held until all three are open), each making a read. */
  async function fillPoolWithReads(): Promise<number[]> {
    let arrived = 0;
    let go!: () => void;
    const all = new Promise<void>((r) => {
      go = r;
    });
    return Promise.all(
      [0, 1, 2].map(() =>
        engine.db.connection().execute(async (c) => {
          const r = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(c);
          if (++arrived === 3) go();
          await all;
          return r.rows[0]!.pid;
        }),
      ),
    );
  }

  const write = (n: number) => sql`create table written_${sql.raw(String(n))} (x int)`.execute(engine.db);

  it("refuses at most one write on a stale connection once the database takes writes again", async () => {
    await owner.query(`alter database ${dbName} set default_transaction_read_only = on`);
    const stalePids = await fillPoolWithReads();
    expect(new Set(stalePids).size).toBe(3);
    await owner.query(`alter database ${dbName} reset default_transaction_read_only`);

    // Every idle connection is a stale one: the first write finds one.
    const first = await write(1).then(
      () => "written",
      (e: Error & { code?: string }) => e.code,
    );
    expect(first).toBe("25006");
    await write(2);
    await write(3);
    // None of the stale connections is open any more.
    const { rows } = await owner.query("select pid from pg_stat_activity where datname = $1", [dbName]);
    const open = new Set(rows.map((r: { pid: number }) => r.pid));
    expect(stalePids.filter((p) => open.has(p))).toEqual([]);
  });

  it("keeps connections of the present era: writes after a failover reuse them", async () => {
    const pids = await fillPoolWithReads();
    await write(4);
    await write(5);
    const { rows } = await owner.query("select pid from pg_stat_activity where datname = $1", [dbName]);
    const open = new Set(rows.map((r: { pid: number }) => r.pid));
    expect(pids.filter((p) => open.has(p)).length).toBe(3);
  });
});
