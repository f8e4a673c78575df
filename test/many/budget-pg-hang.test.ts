/**
 * PostgreSQL hung for 60 s under load (its proxy accepts and never answers), three instances on PostgreSQL +
 * Redis behind HAProxy: each admits within the slices it holds, refuses beyond them with the budget's
 * refusal, never overspends, and admits a key with room at its first request after the database answers
 * again (test/support/pg-fault-run.ts says what is checked).
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

describe("PostgreSQL hung 60 s under load, three instances", () => {
  it("admission within the slices held, spend within the bound, a key with room admitted after", async () => {
    const f = await pgFaultRun(c, "hang", 60_000);
    console.log(`budget-pg-hang figures: ${JSON.stringify(f)}`);
    // The slices held kept serving for a while (then, their leases lapsing, refused).
    expect(f.admittedWhileAway).toBeGreaterThan(0);
    expect(f.refusedWhileAway).toBeGreaterThan(0);
  }, 150_000);
});
