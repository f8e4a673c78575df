/**
 * A lease that lapses while PostgreSQL is away (src/data/budget-leases.ts): its holder settled requests
 * meanwhile whose rows are still in its journal, so the lease keeps counting whole when the database is back,
 * and another instance is never granted the same money before those rows are written; the holder, back,
 * gives back only what it left unused, whichever of its rows and its next grant reaches the database first.
 * PostgreSQL is hung through a TCP proxy the test controls.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Billing } from "../../src/billing/billing.js";
import { PriceTable } from "../../src/billing/prices.js";
import { budgetState } from "../../src/data/budget-leases.js";
import type { Data } from "../../src/data/data.js";
import { writeSettled } from "../../src/data/settled-writes.js";
import type { Principal } from "../../src/identity/principal.js";
import { limitsAdmission } from "../../src/limits/admission.js";
import { windowOf } from "../../src/limits/windows.js";
import { type Admitted, isAdmitted } from "../../src/request/admission.js";
import type { Plan } from "../../src/request/plan.js";
import { newRecord } from "../../src/request/record.js";
import { MemoryState } from "../../src/state/memory.js";
import { ledgerRow } from "../support/ledger-row.js";
import { pgThroughProxyForTests } from "../support/pg-through-proxy.js";

const billing = new Billing(new PriceTable(), undefined);
/** gpt-4.1 at $2 / $8 per million, max_tokens 25: each request holds, and may cost at most, 400,000 nano-dollars. */
const plan = {
  route: { upstreamModel: "gpt-4.1", requested: "gpt", alias: "gpt" },
  client: "openai-chat",
  upstreamStream: true,
  maxOutputTokens: 25,
} as unknown as Plan;
const UNIT = 100 * 2000 + 25 * 8000;

describe("a lease that lapsed while PostgreSQL hung", () => {
  /** Instance A reaches the database through the proxy; instance B directly. */
  const db = pgThroughProxyForTests();

  const instance = (data: Data, leaseMs?: number) =>
    limitsAdmission({
      hot: new MemoryState(),
      billing,
      data,
      timezone: "UTC",
      alertAt: 1,
      warn: () => undefined,
      budgetWaitMs: 200,
      budgetLeaseMs: leaseMs,
    });

  /** Settles a request at UNIT; `write`: its ledger row is written now (else the test writes it later). */
  async function settle(p: Principal, a: Admitted, write: boolean) {
    const rec = newRecord(`req_${randomBytes(6).toString("hex")}`, "POST", "/v1/chat/completions");
    rec.keyId = p.keyId;
    rec.model = "gpt-4.1";
    rec.status = 200;
    rec.cost = { nanos: UNIT, estimated: false, priced: true };
    const row = {
      ...ledgerRow({ id: rec.id, key_id: p.keyId!, cost_nanos: UNIT }),
      lease_holder: a.lease!.holder,
      lease_at: a.lease!.at,
    };
    if (write) await writeSettled(db.direct, { ledger: [row], requestLog: [], bodies: [] });
    await a.release!(rec);
    return row;
  }

  it("counts what its holder settled unwritten: the other instance is not granted it again; the holder gives back only its unused part", async () => {
    const id = `k_${randomBytes(4).toString("hex")}`;
    const p: Principal = {
      owner: id,
      kind: "minted",
      keyId: id,
      quotas: [{ scope: "key", id, budget: { usd: (10 * UNIT) / 1e9, period: "day" } }],
    };
    const w = { scope: "key" as const, subject: id, ...windowOf("day", Date.now()) };
    // A leases a quarter of the budget (2.5 requests) on a lease of 1.2 s, then the database hangs.
    const a = instance(db.viaProxy, 1200);
    const first = (await a.admit({ principal: p, plan, requestBytes: 400 })) as Admitted;
    expect(isAdmitted(first)).toBe(true);
    db.pg.hang();
    const second = (await a.admit({ principal: p, plan, requestBytes: 400 })) as Admitted;
    expect(isAdmitted(second)).toBe(true);
    // Both settle while it hangs: their rows wait (in the journal, here in the test's hands).
    const unwritten = [await settle(p, first, false), await settle(p, second, false)];
    // The lease lapses while the database is away, then it answers again.
    await new Promise((r) => setTimeout(r, 1500));
    db.pg.restore();
    // What the database counts as it answers again (checked below, after what it lets B spend).
    const st = await budgetState(db.direct, w, "nobody", Date.now());
    // B spends all it is granted before A's rows are written: never what A spent.
    const b = instance(db.direct);
    let byB = 0;
    for (let i = 0; i < 20; i++) {
      const r = await b.admit({ principal: p, plan, requestBytes: 400 });
      if (!isAdmitted(r)) break;
      await settle(p, r, true);
      byB++;
    }
    expect(byB).toBeGreaterThan(0);
    // A's rows are written now (its spool, replayed): each takes its cost off A's lease, once.
    for (const row of unwritten) {
      await writeSettled(db.direct, { ledger: [row], requestLog: [], bodies: [] });
      await writeSettled(db.direct, { ledger: [row], requestLog: [], bodies: [] });
    }
    const written = await budgetState(db.direct, w, a.escrow.holder, Date.now());
    expect(written.spent).toBe((2 + byB) * UNIT);
    // Within the limit (each request cost at most its worst case, so no overshoot beyond it).
    expect(written.spent).toBeLessThanOrEqual(10 * UNIT);
    // Because the lapsed lease counted whole (its holder's settled spend in it): B was granted only what it
    // left, 7.5 requests' worth (the last one admitted with only its estimate held).
    expect(st).toMatchObject({ spent: 0, leased: Math.floor((10 * UNIT) / 4) });
    expect(byB).toBeLessThanOrEqual(8);
    // A, back, leases again: the half request its lapsed lease left unused is given back, not kept.
    const third = await a.admit({ principal: p, plan, requestBytes: 400 });
    if (isAdmitted(third)) await settle(p, third, true);
    const after = await budgetState(db.direct, w, a.escrow.holder, Date.now());
    expect(after.spent).toBeLessThanOrEqual(10 * UNIT);
    expect(after.spent + after.leased).toBeLessThanOrEqual(10 * UNIT);
    // Idle, each gives its slice back: the budget is its ledger, A's lapsed lease held for nothing.
    await new Promise((r) => setTimeout(r, 1100));
    await a.escrow.tick();
    await b.escrow.tick();
    const idle = await budgetState(db.direct, w, "nobody", Date.now());
    expect(idle).toEqual({ spent: after.spent, leased: 0, mine: 0 });
    a.escrow.close();
    b.escrow.close();
  });
});
