import { afterAll, beforeAll } from "vitest";
import { Data } from "../../src/data/data.js";
import { freshPostgres, type TestLocation } from "./engines.js";
import { type TcpProxy, tcpProxy } from "./tcp-proxy.js";

/**
 * A fresh PostgreSQL database that two instances reach: one through a TCP proxy the test cuts, hangs and
 * restores (`viaProxy`), the other directly (`direct`). `close()` restores the proxy, closes both and drops the
 * database.
 */
export interface PgThroughProxy {
  readonly where: TestLocation;
  readonly pg: TcpProxy;
  readonly viaProxy: Data;
  readonly direct: Data;
  close(): Promise<void>;
}

export async function pgThroughProxy(): Promise<PgThroughProxy> {
  const where = await freshPostgres();
  const url = new URL(where.url!);
  const pg = await tcpProxy(url.hostname, Number(url.port || 5432));
  url.port = String(pg.port);
  const viaProxy = new Data({ path: where.path, url: url.toString() });
  const direct = new Data({ path: where.path, url: where.url! });
  await viaProxy.db();
  await direct.db();
  return {
    where,
    pg,
    viaProxy,
    direct,
    async close() {
      pg.restore();
      await viaProxy.close();
      await direct.close();
      await pg.close();
      await where.drop();
    },
  };
}

/**
 * pgThroughProxy() for the tests of the describe it is called in: made before them, closed after them. Its
 * fields are read when a test runs (`db.pg.cut()`, `db.direct`), once the database is made.
 */
export function pgThroughProxyForTests(): PgThroughProxy {
  let db: PgThroughProxy | undefined;
  beforeAll(async () => {
    db = await pgThroughProxy();
  });
  afterAll(async () => {
    await db?.close();
  });
  const made = (): PgThroughProxy => {
    if (!db)
      throw new Error("pgThroughProxyForTests: read before the database was made (in a test, not at describe time)");
    return db;
  };
  return {
    get where() {
      return made().where;
    },
    get pg() {
      return made().pg;
    },
    get viaProxy() {
      return made().viaProxy;
    },
    get direct() {
      return made().direct;
    },
    close: () => made().close(),
  };
}
