/**
 * PostgreSQL out of reach: cut (connections refused), hung (connections accepted and never answered) or
 * turned read-only (a failover). A request that needs the database is answered 503 with `retry-after`,
 * within the configured timeouts rather than never; the outage is one line in the log, not one per batch
 * of settled requests; connections that turned read-only are replaced, not reused; the pool's size is
 * the configured one. The database is a real PostgreSQL behind a TCP proxy the test cuts and hangs.
 */
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPostgres, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { type TcpProxy, tcpProxy } from "../support/tcp-proxy.js";
import { admin, call, SERVICE, sleep, teamHarness } from "../support/team.js";

const require = createRequire(import.meta.url);

describe("PostgreSQL out of reach", () => {
  let where: TestLocation;
  let proxy: TcpProxy;
  let h: Harness;
  let dbName: string;
  let sql: import("pg").Client;
  beforeAll(async () => {
    where = await freshPostgres();
    const url = new URL(where.url!);
    dbName = url.pathname.slice(1);
    proxy = await tcpProxy(url.hostname, Number(url.port || 5432));
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    h = await teamHarness(
      { ...where, url: url.toString() },
      {
        store: { url: url.toString(), pool_size: 3, connect_timeout_ms: 500, statement_timeout_ms: 1500 },
        // The writer's batches spooled after the first are debug lines: the test waits for each of them.
        logging: { level: "debug" },
      },
    );
    const pg = require("pg") as typeof import("pg");
    sql = new pg.Client({ connectionString: where.url });
    await sql.connect();
  });
  afterAll(async () => {
    proxy.restore();
    await sql.query(`alter database ${dbName} reset default_transaction_read_only`).catch(() => undefined);
    await sql.end();
    await h.close();
    await proxy.close();
    await where.drop();
  });

  it("keeps no more connections than store.pool_size", async () => {
    await Promise.all(Array.from({ length: 12 }, (_, i) => admin(h, "POST", "/teams", { name: `pool-${i}` })));
    const { rows } = await sql.query("select count(*)::int as n from pg_stat_activity where datname = $1", [dbName]);
    // Our own connection, and the gateway's pool.
    expect(rows[0].n - 1).toBeLessThanOrEqual(3);
    expect(rows[0].n - 1).toBeGreaterThan(0);
  });

  it("a key unseen while the database is cut is answered 503 with retry-after", async () => {
    const minted = await admin(h, "POST", "/keys", { name: "cut" });
    proxy.cut();
    try {
      const res = await call(h.url, "POST", "/v1/chat/completions", minted.body.key, {
        model: "via-openai-chat",
        messages: [{ role: "user", content: "hi" }],
      });
      expect(res.status).toBe(503);
      expect(res.body.error.message).toMatch(/database/);
    } finally {
      proxy.restore();
    }
  });

  it("a key unseen while the database hangs is answered 503 with retry-after, not never", async () => {
    const minted = await admin(h, "POST", "/keys", { name: "hang" });
    proxy.hang();
    try {
      const res = await fetch(`${h.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${minted.body.key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "via-openai-chat", messages: [{ role: "user", content: "hi" }] }),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
    } finally {
      proxy.restore();
    }
  });

  it("an outage is one error line in the log, however many batches of settled requests it spools", async () => {
    // An outage the tests above caused (a refused request's row spooled) is over first: its rows written
    // ("caught up"), so that this one is said anew rather than counted as the same outage.
    const earlierOutage = () => {
      let open = false;
      for (const l of h.logs) {
        const msg = String(l.msg);
        if (/did not take .* settled request/.test(msg)) open = true;
        else if (/the ledger caught up/.test(msg)) open = false;
      }
      return open;
    };
    while (earlierOutage()) await sleep(50);
    const before = h.logs.length;
    const outageLines = () => h.logs.slice(before).filter((l) => /did not take/.test(String(l.msg)));
    const spooled = () =>
      h.logs.slice(before).filter((l) => /did not take|more settled request\(s\) spooled/.test(String(l.msg)));
    proxy.cut();
    try {
      for (let i = 0; i < 4; i++) {
        h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
        expect((await call(h.url, "POST", "/v1/chat/completions", SERVICE, CHAT)).status).toBe(200);
        // Each request settles in a batch of its own: the next is sent once the writer's attempt with this
        // one failed and spooled it (waited for, however loaded the machine: the test's timeout bounds it).
        while (spooled().length < i + 1) await sleep(50);
      }
    } finally {
      proxy.restore();
    }
    expect(outageLines().length).toBe(1);
  });

  it("connections that turned read-only are replaced once the database takes writes again", async () => {
    await sql.query(`alter database ${dbName} set default_transaction_read_only = on`);
    // New connections (a failover: the pool reconnects to a standby) are read-only.
    proxy.cut();
    proxy.restore();
    for (let i = 0; i < 4; i++) expect((await admin(h, "POST", "/teams", { name: `ro-${i}` })).status).not.toBe(201);
    await sql.query(`alter database ${dbName} reset default_transaction_read_only`);
    // A connection opened while the database was read-only (the version pollers' reads succeed on one and
    // leave it idle) refuses the first write after, 503 as any outage; that retires every connection of
    // before, so the next write is taken (test/data/pool-failover.test.ts pins this down on the pool).
    const first = await admin(h, "POST", "/teams", { name: "writable-again" });
    expect([201, 503]).toContain(first.status);
    const second = await admin(h, "POST", "/teams", { name: "writable-again-2" });
    expect(second.status).toBe(201);
  });
});

const CHAT = { model: "via-openai-chat", messages: [{ role: "user", content: "hi" }] };

describe("a graceful stop while PostgreSQL hangs", () => {
  it("ends within the grace period, with one line saying what it could not close", async () => {
    const where = await freshPostgres();
    const url = new URL(where.url!);
    const proxy = await tcpProxy(url.hostname, Number(url.port || 5432));
    url.hostname = "127.0.0.1";
    url.port = String(proxy.port);
    // Timeouts far beyond the grace: the stop must not wait for them.
    const h = await teamHarness(
      { ...where, url: url.toString() },
      {
        store: { url: url.toString(), connect_timeout_ms: 60_000, statement_timeout_ms: 60_000 },
        server: { shutdown_grace_ms: 500 },
      },
    );
    try {
      h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
      expect((await call(h.url, "POST", "/v1/chat/completions", SERVICE, CHAT)).status).toBe(200);
      proxy.hang();
      await h.gateway.shutdown();
      expect(h.logs.some((l) => /did not finish within the grace period/.test(String(l.msg)))).toBe(true);
    } finally {
      proxy.restore();
      await h.close();
      await proxy.close();
      await where.drop();
    }
  }, 20_000);
});
