/**
 * PostgreSQL restarted under load (its proxy resets every connection and refuses new ones for 10 s, then
 * accepts again), three instances on PostgreSQL + Redis behind HAProxy: admission within the slices held,
 * no overspend, the budget equal to its ledger after, a key with room admitted at once
 * (test/support/pg-fault-run.ts says what is checked).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockServer } from "../../src/mock/server.js";
import { startSlowMock, upstreamAt } from "../support/budget-faults.js";
import { type Cluster, startCluster } from "../support/many.js";
import { pgFaultRun } from "../support/pg-fault-run.js";

let mock: MockServer;
let c: Cluster;

beforeAll(async () => {
  mock = await startSlowMock();
  c = await startCluster(upstreamAt(mock));
}, 120_000);

afterAll(async () => {
  await c?.close();
  await mock?.close();
});

describe("PostgreSQL restarted under load, three instances", () => {
  it("admission within the slices held, spend within the bound, a key with room admitted after", async () => {
    const f = await pgFaultRun(c, "cut", 10_000);
    console.log(`budget-pg-restart figures: ${JSON.stringify(f)}`);
    expect(f.admittedWhileAway).toBeGreaterThan(0);
  }, 120_000);
});
