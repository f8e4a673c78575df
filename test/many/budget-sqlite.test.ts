/**
 * The budget faults of one instance on SQLite (the embedded default), with a Redis of the test's own for its
 * rate limits, reached through a proxy: Redis hung then flushed under load changes nothing about money; a
 * kill -9 mid-stream, restarted on the same journal directory, bills its streams once and the budget is
 * then its ledger exactly. (PostgreSQL's faults have no SQLite counterpart: the file does not go away.)
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockServer } from "../../src/mock/server.js";
import {
  admitted,
  budgetTruth,
  ledgerOnce,
  loadUntil,
  mintBudgeted,
  refusedForBudget,
  settledTruth,
  startSlowMock,
  streamChat,
  upstreamAt,
  WORST_NANOS,
} from "../support/budget-faults.js";
import { freshSqlite, type TestLocation } from "../support/engines.js";
import { type Instance, startInstance, stopInstance, writeConfig } from "../support/instances.js";
import { ADMIN, MASTER } from "../support/many.js";
import { type RedisServer, startRedisServer } from "../support/redis-server.js";
import { type TcpProxy, tcpProxy } from "../support/tcp-proxy.js";

let mock: MockServer;
let where: TestLocation;
let redis: RedisServer;
let proxy: TcpProxy;
let config: string;
let llmux: Instance;

beforeAll(async () => {
  mock = await startSlowMock();
  where = await freshSqlite();
  redis = await startRedisServer();
  proxy = await tcpProxy("127.0.0.1", redis.port);
  config = writeConfig({
    store: { path: where.path },
    state: { url: `redis://127.0.0.1:${proxy.port}`, prefix: "llmux-test:" },
    billing: { spool_dir: mkdtempSync(join(tmpdir(), "llmux-spool-")) },
    admin: { keys: [ADMIN] },
    secrets: { master_key: MASTER },
    logging: { pretty: false },
    ...upstreamAt(mock),
  });
  llmux = await startInstance(config);
}, 60_000);

afterAll(async () => {
  await stopInstance(llmux);
  await proxy?.close();
  await redis?.close();
  await mock?.close();
  await where?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LIMIT = 30 * 3_220_000;

describe("budget faults of one instance on SQLite", () => {
  it("Redis hung, then flushed, under load: a blocked key stays blocked, a key with room is admitted, the budget is its ledger", async () => {
    const limits = { limits: { rpm: 100_000 } };
    const k = await mintBudgeted(llmux.url, LIMIT / 1e9, limits);
    const roomy = await mintBudgeted(llmux.url, 100, limits);
    const blocked = await mintBudgeted(llmux.url, 0.004, limits);
    expect((await streamChat(llmux.url, blocked.key)).status).toBe(200);
    const check = async (when: string) => {
      const b = await streamChat(llmux.url, blocked.key);
      expect(refusedForBudget(b), `${when}: ${b.status} ${b.body}`).toBe(true);
      expect(`${when}: ${(await streamChat(llmux.url, roomy.key)).status}`).toBe(`${when}: 200`);
    };
    await check("before");
    let done = false;
    let flushedAt = 0;
    let exhausted = false;
    const load = loadUntil(
      4,
      async () => {
        const r = await streamChat(llmux.url, k.key);
        if (flushedAt > 0 && r.at > flushedAt && refusedForBudget(r)) exhausted = true;
        return r;
      },
      () => done,
    );
    await sleep(1_500);
    proxy.hang();
    await sleep(1_000);
    await check("Redis hung");
    await sleep(2_000);
    proxy.restore();
    await sleep(500);
    const direct = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await direct.connect();
    await direct.flushall();
    await direct.quit();
    flushedAt = Date.now();
    await check("Redis flushed");
    // Until the budget refuses (spent: the bound is then tested), 20 s at most.
    for (let t = Date.now(); !exhausted && Date.now() - t < 20_000; ) await sleep(200);
    done = true;
    const results = await load;
    expect(exhausted).toBe(true);
    const other = results.filter((r) => !admitted(r) && !refusedForBudget(r));
    expect(other.map((r) => `${r.status} ${r.broken ?? r.body.slice(0, 160)}`)).toEqual([]);
    const ids = results.filter(admitted).map((r) => r.id!);
    expect(await ledgerOnce(where, ids)).toEqual({ missing: [], twice: [] });
    const t = await budgetTruth(where, k.id);
    expect(t.rows).toBe(ids.length);
    expect(t.spent).toBeLessThanOrEqual(LIMIT + WORST_NANOS);
    expect((await settledTruth(where, k.id)).spent).toBe(t.spent);
    expect((await budgetTruth(where, blocked.id)).rows).toBe(1);
    await check("after");
    console.log(
      `budget-sqlite redis figures: ${JSON.stringify({ admitted: ids.length, limit: LIMIT, spent: t.spent })}`,
    );
  }, 90_000);

  it("kill -9 mid-stream, restarted on the same journal: its streams billed once, then the budget is its ledger", async () => {
    const k = await mintBudgeted(llmux.url, LIMIT / 1e9);
    const start = Date.now();
    const load = loadUntil(
      4,
      () => streamChat(llmux.url, k.key),
      () => Date.now() - start > 1_200,
    );
    await sleep(1_000);
    llmux.child.kill("SIGKILL");
    const results = await load;
    const cut = results.filter((r) => r.broken !== undefined && r.id !== undefined);
    expect(cut.length).toBeGreaterThan(0);
    // Restarted, as a supervisor does: it writes what the dead process's journal held.
    llmux = await startInstance(config);
    const ids = results.filter(admitted).map((r) => r.id!);
    expect(await ledgerOnce(where, ids)).toEqual({ missing: [], twice: [] });
    const t = await budgetTruth(where, k.id);
    expect(t.rows).toBe(ids.length);
    // The dead lease lapses (30 s): then the budget is its ledger, and a request with room is admitted.
    const settled = await settledTruth(where, k.id);
    expect(settled.spent).toBe(t.spent);
    expect((await streamChat(llmux.url, k.key)).status).toBe(200);
    console.log(
      `budget-sqlite kill figures: ${JSON.stringify({ admitted: ids.length, cut: cut.length, spent: t.spent })}`,
    );
  }, 90_000);
});
