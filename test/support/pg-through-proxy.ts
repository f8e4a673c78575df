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
