/**
 * The data layer once closed stays closed, on SQLite and PostgreSQL: a use after `close()` (a late timer, a
 * request finishing during a stop) is refused with DataClosed, saying so, and never opens the database again (a
 * connection, or a SQLite file and writer, that nobody would close). Closing while the database is being opened
 * releases what the opening made; closing twice is a no-op.
 */
import { existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Data, DataClosed } from "../../src/data/data.js";
import { ENGINES, type TestLocation } from "../support/engines.js";

const require = createRequire(import.meta.url);

/** Connections open to the test's PostgreSQL database (other than the one asking). */
async function connections(url: string): Promise<number> {
  const pg = require("pg") as typeof import("pg");
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query(
      "select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
    );
    return (r.rows[0] as { n: number }).n;
  } finally {
    await c.end();
  }
}

/** What the engine holds open for `where`: PostgreSQL connections, or whether the SQLite file exists. */
const held = async (where: TestLocation) => (where.url ? await connections(where.url) : existsSync(where.path));

/**
 * Once the engine is closed: PostgreSQL ends a closed connection's backend after the client has gone (the
 * client's close resolves first), so its row leaves pg_stat_activity a moment later; waited for, bounded by the
 * test's timeout. A connection the engine still held would never leave.
 */
async function released(where: TestLocation): Promise<number | boolean> {
  if (!where.url) return existsSync(where.path);
  for (;;) {
    const n = await connections(where.url);
    if (n === 0) return 0;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(ENGINES)("a closed data layer on $engine", ({ fresh }) => {
  let where: TestLocation;
  beforeAll(async () => {
    where = await fresh();
  });
  afterAll(() => where.drop());

  const forget = () => {
    // SQLite: the file removed once closed, so that opening it again would show (it would be created anew).
    if (!where.url) for (const s of ["", "-wal", "-shm"]) rmSync(`${where.path}${s}`, { force: true });
  };

  it("refuses db() and writes after close, and opens nothing again", async () => {
    const data = new Data(where);
    const db = await data.db();
    await db.selectFrom("meta").select("key").execute();
    await data.close();
    expect(data.isClosed).toBe(true);
    forget();
    expect(await released(where)).toBe(where.url ? 0 : false);

    await expect(data.db()).rejects.toBeInstanceOf(DataClosed);
    await expect(data.db()).rejects.toThrow(/the database was closed: opening it again was refused/);
    await expect(data.write([{ query: db.selectFrom("meta").select("key") }])).rejects.toBeInstanceOf(DataClosed);
    await expect(data.writeCompiled([])).rejects.toBeInstanceOf(DataClosed);
    expect(await held(where)).toBe(where.url ? 0 : false);
    // Closing again does nothing.
    await data.close();
  });

  it("closed while it is being opened: the opening's connection released, later uses refused", async () => {
    const data = new Data(where);
    const opening = data.db();
    const closing = data.close();
    // The opening itself ends (opened or refused); either way, nothing stays open once close resolves.
    await opening.then(
      () => undefined,
      () => undefined,
    );
    await closing;
    forget();
    expect(await released(where)).toBe(where.url ? 0 : false);
    await expect(data.db()).rejects.toBeInstanceOf(DataClosed);
    expect(await held(where)).toBe(where.url ? 0 : false);
  });
});
