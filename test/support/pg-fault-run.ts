/**
 * A PostgreSQL fault under load on three instances (test/many/budget-pg-*.test.ts): streamed requests
 * against a budget through the balancer, the database made unreachable through the proxy (`hang`: it
 * stops answering; `cut`: connections reset and refused, as a restart does) for `faultMs`, then restored.
 * What is checked: requests admitted while it was away cost no more than the leases held when it went;
 * nothing but budget refusals failed; after, every admitted request has one ledger row, the spend is within
 * the limit but for one request's overshoot, the budget is its ledger exactly once idle, and a key with room
 * is admitted by each instance at its first request after the restore. After the restore the load goes on
 * until the budget refuses, so the bound is tested with the budget spent.
 */
import { expect } from "vitest";
import {
  admitted,
  budgetTruth,
  ledgerOnce,
  loadUntil,
  mintBudgeted,
  refusedForBudget,
  settledTruth,
  streamChat,
  WORST_NANOS,
} from "./budget-faults.js";
import { type Cluster, pgQuery } from "./many.js";

export interface PgFaultFigures {
  admitted: number;
  admittedWhileAway: number;
  refusedWhileAway: number;
  /** What requests admitted while the database was away cost, and what the leases held when it went. */
  costWhileAway: number;
  leasedAtFault: number;
  limit: number;
  spent: number;
  /** What the budget was spent beyond its limit (nano-dollars; at most one request's overshoot). */
  over: number;
  /** Per instance: ms from the restore to the headers of its first request (admitted) of a key with room. */
  readmitMs: number[];
}

export async function pgFaultRun(c: Cluster, fault: "hang" | "cut", faultMs: number): Promise<PgFaultFigures> {
  // Worth about 30 answers: the load spends it by the end; the fault must not let it overspend.
  const LIMIT = 30 * 3_220_000;
  const k = await mintBudgeted(c.lb.url, LIMIT / 1e9);
  const roomy = await mintBudgeted(c.lb.url, 100);
  // Every instance knows both keys and holds a slice of each before the fault.
  for (const i of c.instances) {
    expect((await streamChat(i.url, k.key)).status).toBe(200);
    expect((await streamChat(i.url, roomy.key)).status).toBe(200);
  }
  let faultAt = 0;
  let restoredAt = 0;
  // After the restore, the load goes on until the budget refuses (spent: the bound is then tested), 20 s at most.
  let exhausted = false;
  const load = loadUntil(
    6,
    async () => {
      const r = await streamChat(c.lb.url, k.key);
      if (restoredAt > 0 && r.at > restoredAt + 2_000 && refusedForBudget(r)) exhausted = true;
      return r;
    },
    () => restoredAt > 0 && (exhausted || Date.now() - restoredAt > 20_000),
  );
  await new Promise((r) => setTimeout(r, 1_500));
  if (fault === "hang") c.pg.hang();
  else c.pg.cut();
  faultAt = Date.now();
  // What every lease of the key counts as the database goes away (read directly, not through the proxy).
  const [l] = await pgQuery<{ n: string }>(
    c.where,
    "select coalesce(sum(nanos), 0) as n from budget_leases where scope = 'key' and subject = $1 and expires_at > $2",
    [k.id, faultAt],
  );
  const leasedAtFault = Number(l!.n);
  await new Promise((r) => setTimeout(r, faultMs - (Date.now() - faultAt)));
  c.pg.restore();
  restoredAt = Date.now();
  // The first request after the restore on each instance, for a key with room: admitted.
  const readmitMs = await Promise.all(
    c.instances.map(async (i) => {
      const r = await streamChat(i.url, roomy.key);
      expect(`${r.status} ${r.body.slice(0, 160)}`).toMatch(/^200 /);
      return r.headersAt! - restoredAt;
    }),
  );
  const results = await load;
  expect(exhausted).toBe(true);

  // Sent while the database was away, and answered before it came back (a request waits for a slice at
  // most its budget wait, 3 s, after a first try of 2 s).
  const away = results.filter((r) => r.at >= faultAt && r.at < restoredAt - 5_500);
  const admittedAway = away.filter(admitted);
  // Nothing failed but budget refusals (a known key keeps working; its budget is refused when no slice covers it).
  const other = results.filter((r) => !admitted(r) && !refusedForBudget(r));
  expect(other.map((r) => `${r.status} ${r.broken ?? r.body.slice(0, 160)}`)).toEqual([]);
  const ids = results.filter(admitted).map((r) => r.id!);
  expect(await ledgerOnce(c.where, ids, 60_000)).toEqual({ missing: [], twice: [] });
  // Admitted while away within the slices held: their rows' cost fits in what the leases held.
  const rows = await pgQuery<{ n: string }>(
    c.where,
    "select coalesce(sum(cost_nanos), 0) as n from ledger where id = any($1)",
    [admittedAway.map((r) => r.id!)],
  );
  const costWhileAway = Number(rows[0]!.n);
  expect(costWhileAway).toBeLessThanOrEqual(leasedAtFault);
  // No overspend, and the budget is then the ledger exactly (the two counted from the rows and the leases).
  const t = await budgetTruth(c.where, k.id);
  expect(t.rows).toBe(ids.length + 3);
  // Within the limit but for one request's overshoot — while the outage is shorter than a lease (30 s). Longer,
  // every lease lapses while the database is away, and a lapsed lease counts only what was in flight at its
  // last renewal: what its instance settled meanwhile (rows still in its journal) is counted by no one until
  // the journal is written, and a slice granted in between may be spent on it again. That is a known gap
  // (docs/teams.md "How budgets hold", the fault matrix): the bound it is held to here is the documented one,
  // one request plus what was admitted while the database was away.
  const gap = faultMs >= 30_000 ? costWhileAway : 0;
  expect(t.spent).toBeLessThanOrEqual(LIMIT + WORST_NANOS + gap);
  const settled = await settledTruth(c.where, k.id);
  expect(settled.spent).toBe(t.spent);
  return {
    admitted: ids.length,
    admittedWhileAway: admittedAway.length,
    refusedWhileAway: away.filter(refusedForBudget).length,
    costWhileAway,
    leasedAtFault,
    limit: LIMIT,
    spent: settled.spent,
    over: Math.max(0, settled.spent - LIMIT),
    readmitMs,
  };
}
