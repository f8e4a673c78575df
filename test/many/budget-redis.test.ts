/**
 * Redis hung, then flushed, under load, three instances on PostgreSQL + Redis behind HAProxy: budgets do not
 * read Redis, so nothing about money changes — a blocked key stays blocked on every instance while Redis is
 * away and after its keys are gone, a key with room is admitted throughout, and after the faults the budget
 * is its ledger exactly, within the limit but for one request's overshoot.
 */
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
import { type Cluster, startCluster } from "../support/many.js";

let mock: MockServer;
let c: Cluster;

beforeAll(async () => {
  mock = await startSlowMock();
  c = await startCluster(upstreamAt(mock), { redisProxy: true });
}, 120_000);

afterAll(async () => {
  await c?.close();
  await mock?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Redis hung and flushed under load, three instances", () => {
  it("a blocked key stays blocked, a key with room is admitted, and the budget is its ledger after", async () => {
    const LIMIT = 40 * 3_220_000;
    // Rate limits kept in Redis on every key: each request touches it.
    const limits = { limits: { rpm: 100_000 } };
    const k = await mintBudgeted(c.lb.url, LIMIT / 1e9, limits);
    const roomy = await mintBudgeted(c.lb.url, 100, limits);
    // One answer (2.42 of its 4 m$) leaves it less than a request's worst: blocked from then on.
    const blocked = await mintBudgeted(c.lb.url, 0.004, limits);
    expect((await streamChat(c.instances[0]!.url, blocked.key)).status).toBe(200);
    const everywhere = async (key: string) => Promise.all(c.instances.map((i) => streamChat(i.url, key)));
    const checkBlockedAndRoomy = async (when: string) => {
      for (const r of await everywhere(blocked.key))
        expect(refusedForBudget(r), `${when}: ${r.status} ${r.body}`).toBe(true);
      for (const r of await everywhere(roomy.key)) expect(`${when}: ${r.status}`).toBe(`${when}: 200`);
    };
    await checkBlockedAndRoomy("before");

    let done = false;
    let flushedAt = 0;
    let exhausted = false;
    const load = loadUntil(
      6,
      async () => {
        const r = await streamChat(c.lb.url, k.key);
        if (flushedAt > 0 && r.at > flushedAt && refusedForBudget(r)) exhausted = true;
        return r;
      },
      () => done,
    );
    await sleep(1_500);
    c.redisProxy!.hang();
    await sleep(1_000);
    await checkBlockedAndRoomy("Redis hung");
    await sleep(2_000);
    c.redisProxy!.restore();
    await sleep(1_000);
    const direct = new Redis(c.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await direct.connect();
    await direct.flushall();
    await direct.quit();
    flushedAt = Date.now();
    await checkBlockedAndRoomy("Redis flushed");
    // Until the budget refuses (spent: the bound is then tested), 20 s at most.
    for (let t = Date.now(); !exhausted && Date.now() - t < 20_000; ) await sleep(200);
    done = true;
    const results = await load;
    expect(exhausted).toBe(true);

    const other = results.filter((r) => !admitted(r) && !refusedForBudget(r));
    expect(other.map((r) => `${r.status} ${r.broken ?? r.body.slice(0, 160)}`)).toEqual([]);
    const ids = results.filter(admitted).map((r) => r.id!);
    expect(ids.length).toBeGreaterThan(10);
    expect(await ledgerOnce(c.where, ids)).toEqual({ missing: [], twice: [] });
    const t = await budgetTruth(c.where, k.id);
    expect(t.rows).toBe(ids.length);
    expect(t.spent).toBeLessThanOrEqual(LIMIT + WORST_NANOS);
    // Once idle, the budget is its ledger (no hold left behind, none missing).
    expect((await settledTruth(c.where, k.id)).spent).toBe(t.spent);
    // The blocked key spent its one answer, and stayed blocked after the faults.
    expect((await budgetTruth(c.where, blocked.id)).rows).toBe(1);
    await checkBlockedAndRoomy("after");
    console.log(
      `budget-redis figures: ${JSON.stringify({ admitted: ids.length, limit: LIMIT, spent: t.spent, over: Math.max(0, t.spent - LIMIT) })}`,
    );
  }, 120_000);
});
