/**
 * Budgets kept by the database (src/limits/budget-escrow.ts over src/data/budget-leases.ts), on SQLite and
 * PostgreSQL, with two instances' admissions sharing the database and Redis reached through a proxy the test
 * cuts: many requests at once whose answers bill far more than they hold stay within the limit but for one
 * request's overshoot; a Redis fault changes nothing; the state after equals the ledger plus what is held;
 * a dead instance's requests count until its journal's rows are written, then exactly once.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Billing } from "../../src/billing/billing.js";
import { PriceTable } from "../../src/billing/prices.js";
import { budgetState, releaseLeasesOf } from "../../src/data/budget-leases.js";
import { Data } from "../../src/data/data.js";
import { writeSettled } from "../../src/data/settled-writes.js";
import type { Principal } from "../../src/identity/principal.js";
import type { ErrorInfo } from "../../src/ir/types.js";
import { limitsAdmission } from "../../src/limits/admission.js";
import { windowOf } from "../../src/limits/windows.js";
import { type Admitted, isAdmitted } from "../../src/request/admission.js";
import type { Plan } from "../../src/request/plan.js";
import { newRecord, type RequestRecord } from "../../src/request/record.js";
import { SettledWriter } from "../../src/requestlog/settled-writer.js";
import { MemoryState } from "../../src/state/memory.js";
import { RedisState } from "../../src/state/redis.js";
import { ENGINES, freshPostgres, type TestLocation } from "../support/engines.js";
import { ledgerRow } from "../support/ledger-row.js";
import { type TcpProxy, tcpProxy } from "../support/tcp-proxy.js";

const billing = new Billing(new PriceTable(), undefined);
/** gpt-4.1 at $2 / $8 per million; max_tokens 32,000: a request may cost $0.2562 at worst. */
const plan = {
  route: { upstreamModel: "gpt-4.1", requested: "gpt", alias: "gpt" },
  client: "openai-chat",
  upstreamStream: true,
  maxOutputTokens: 32_000,
} as unknown as Plan;
const WORST = 100 * 2000 + 32_000 * 8000;
/** A typical request of a key nothing is known of: 4,096 output tokens. */
const TYPICAL = 100 * 2000 + 4096 * 8000;
/** What each answer bills: 30,000 output tokens it never streams. */
const HIDDEN = 100 * 2000 + 30_000 * 8000;

describe.each(ENGINES)("budgets kept by $engine", { timeout: 90_000 }, ({ fresh }) => {
  let where: TestLocation;
  let data: Data;
  let proxy: TcpProxy;
  let hot: RedisState;
  beforeAll(async () => {
    where = await fresh();
    data = new Data({ path: where.path, ...(where.url ? { url: where.url } : {}) });
    await data.db();
    proxy = await tcpProxy("127.0.0.1", 6379);
    hot = new RedisState({
      url: `redis://127.0.0.1:${proxy.port}`,
      prefix: `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`,
    });
  });
  afterAll(async () => {
    await hot.close().catch(() => undefined);
    await proxy.close();
    await data.close();
    await where.drop();
  });

  const instance = (waitMs = 2000, leaseMs?: number) =>
    limitsAdmission({
      hot,
      billing,
      data,
      timezone: "UTC",
      alertAt: 1,
      warn: () => undefined,
      budgetWaitMs: waitMs,
      budgetLeaseMs: leaseMs,
    });
  const keyOf = (usd: number): Principal => {
    const id = `k_${randomBytes(4).toString("hex")}`;
    return { owner: id, kind: "minted", keyId: id, quotas: [{ scope: "key", id, budget: { usd, period: "day" } }] };
  };
  /** The request served: its ledger row written (as the settle stage's writer does), then released. */
  async function serve(p: Principal, a: Admitted, nanos: number): Promise<void> {
    const rec: RequestRecord = newRecord(`req_${randomBytes(6).toString("hex")}`, "POST", "/v1/chat/completions");
    rec.keyId = p.keyId;
    rec.model = "gpt-4.1";
    rec.status = 200;
    rec.usage = { inputTokens: 100, outputTokens: 30_000 };
    rec.cost = { nanos, estimated: false, priced: true };
    const row = ledgerRow({ id: rec.id, key_id: p.keyId!, cost_nanos: nanos, output_tokens: 30_000 });
    await writeSettled(data, {
      ledger: [{ ...row, lease_holder: a.lease?.holder ?? null, lease_at: a.lease?.at ?? null }],
      requestLog: [],
      bodies: [],
    });
    await a.release!(rec);
  }
  const windowRef = (p: Principal) => ({
    scope: "key" as const,
    subject: p.keyId!,
    start: windowOf("day", Date.now()).start,
    end: windowOf("day", Date.now()).end,
  });

  it("200 requests at once on two instances, each billing 30,000 hidden output tokens, stay within $1 but for one request; Redis cut throughout", async () => {
    proxy.cut();
    const a = instance();
    const b = instance();
    const p = keyOf(1);
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const r = await (i % 2 ? a : b).admit({ principal: p, plan, requestBytes: 400 });
        if (isAdmitted(r)) await serve(p, r, HIDDEN);
        return r;
      }),
    );
    const served = results.filter(isAdmitted).length;
    const st = await budgetState(data, windowRef(p), "nobody", Date.now());
    expect(served).toBeGreaterThan(0);
    expect(st.spent).toBe(served * HIDDEN);
    // Within the limit but for one request's overshoot (its cost less what it held).
    expect(st.spent).toBeLessThanOrEqual(1e9 + HIDDEN);
    // Refused with the true spend.
    const refused = results.find((r) => !isAdmitted(r)) as ErrorInfo;
    expect(refused.code).toBe("insufficient_quota");
    // Nothing in flight: what the leases count is only what they hold unused, given back once idle (a give-back
    // the database did not take is tried again later): wait for the ticks to give it all back.
    await vi.waitFor(
      async () => {
        await a.escrow.tick();
        await b.escrow.tick();
        expect((await budgetState(data, windowRef(p), "nobody", Date.now())).leased).toBe(0);
      },
      { timeout: 30_000, interval: 200 },
    );
    expect((await budgetState(data, windowRef(p), "nobody", Date.now())).spent).toBe(served * HIDDEN);
    a.escrow.close();
    b.escrow.close();
    proxy.restore();
  });

  it("a budget lowered below what was spent refuses the next request at once, though a slice granted before is still held", async () => {
    const a = instance();
    const p = keyOf(100);
    const first = await a.admit({ principal: p, plan, requestBytes: 400 });
    expect(isAdmitted(first)).toBe(true);
    await serve(p, first as Admitted, TYPICAL);
    // The slice granted under $100 (room for many requests' worst) is still this instance's (nothing has given it back): the key's budget is now
    // lowered below what it spent, as `llmux keys update --budget` does, and its next request comes at once.
    const lowered: Principal = {
      ...p,
      quotas: [{ scope: "key", id: p.keyId!, budget: { usd: TYPICAL / 2e9, period: "day" } }],
    };
    const next = (await a.admit({ principal: lowered, plan, requestBytes: 400 })) as ErrorInfo;
    expect(isAdmitted(next)).toBe(false);
    expect(next.code).toBe("insufficient_quota");
    expect(next.message).toMatch(
      /^Budget exhausted: this API key has spent \$0\.033 of its daily budget of \$0\.016484;/,
    );
    // Raised again, it admits.
    const raised = await a.admit({ principal: p, plan, requestBytes: 400 });
    expect(isAdmitted(raised)).toBe(true);
    await serve(p, raised as Admitted, TYPICAL);
    a.escrow.close();
  });

  it("30 requests at once against 5.5 requests' worth are served 5 across two instances; the sixth is refused with the true spend", async () => {
    // Requests beyond the slices held wait for those in flight to settle (then the budget is full: refused at
    // once), however long a loaded machine takes to settle them: no refusal for a wait that ran out.
    const a = instance(60_000);
    const b = instance(60_000);
    // Worth 5.5 typical requests (nothing known of the key: 4,096 output tokens, what each then bills).
    const p = keyOf((5.5 * TYPICAL) / 1e9);
    const results = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const r = await (i % 2 ? a : b).admit({ principal: p, plan, requestBytes: 400 });
        if (isAdmitted(r)) await serve(p, r, TYPICAL);
        return r;
      }),
    );
    expect(results.filter(isAdmitted)).toHaveLength(5);
    expect((results.find((r) => !isAdmitted(r)) as ErrorInfo).code).toBe("insufficient_quota");
    // Asked once all five settled: refused with the true spend.
    const after = (await a.admit({ principal: p, plan, requestBytes: 400 })) as ErrorInfo;
    expect(after.message).toMatch(
      /^Budget nearly exhausted: this API key has spent \$0\.165 of its daily budget of \$0\.181/,
    );
    a.escrow.close();
    b.escrow.close();
  });

  it("a blocked key stays blocked and a key with room is admitted while Redis is cut, and after", async () => {
    proxy.cut();
    const a = instance(200);
    // Its first answer bills more than the budget: blocked from then on.
    const blocked = keyOf(0.2);
    const first = (await a.admit({ principal: blocked, plan, requestBytes: 400 })) as Admitted;
    await serve(blocked, first, HIDDEN);
    expect(isAdmitted(await a.admit({ principal: blocked, plan, requestBytes: 400 }))).toBe(false);
    const roomy = keyOf(5);
    expect(isAdmitted(await a.admit({ principal: roomy, plan, requestBytes: 400 }))).toBe(true);
    proxy.restore();
    expect(isAdmitted(await a.admit({ principal: blocked, plan, requestBytes: 400 }))).toBe(false);
    expect(isAdmitted(await a.admit({ principal: roomy, plan, requestBytes: 400 }))).toBe(true);
    a.escrow.close();
  });

  it("a configuration file's key under a user budget (no ledger row): its settled spend is the window's, not a lease's", async () => {
    const a = instance();
    const user = `u_${randomBytes(4).toString("hex")}`;
    const p: Principal = {
      owner: "config:ci",
      kind: "config",
      user,
      quotas: [{ scope: "user", id: user, budget: { usd: (2 * WORST) / 1e9, period: "day" } }],
    } as unknown as Principal;
    const w = { scope: "user" as const, subject: user, ...windowOf("day", Date.now()) };
    for (let i = 0; i < 2; i++) {
      const r = (await a.admit({ principal: p, plan, requestBytes: 400 })) as Admitted;
      expect(isAdmitted(r)).toBe(true);
      const rec = newRecord(`req_${randomBytes(6).toString("hex")}`, "POST", "/v1/chat/completions");
      rec.model = "gpt-4.1";
      rec.status = 200;
      rec.cost = { nanos: WORST, estimated: false, priced: true };
      await r.release!(rec);
    }
    a.escrow.close();
    // The two requests' cost is the window's spend (the ledger's and the unledgered), not a lease's that
    // lapses: the budget, worth two worst cases, stays spent for another instance.
    await vi.waitFor(async () => expect((await budgetState(data, w, "nobody", Date.now())).spent).toBe(2 * WORST), {
      timeout: 30_000,
      interval: 50,
    });
    const b = instance(0);
    expect((await b.admit({ principal: p, plan, requestBytes: 400 })) as ErrorInfo).toMatchObject({
      code: "insufficient_quota",
    });
    b.escrow.close();
  });

  it("a process that stops with every row written releases its leases (nothing left counted for it)", async () => {
    // Its own data layer, as a process has: the leases its escrow holds there are its to release.
    const mine = new Data({ path: where.path, ...(where.url ? { url: where.url } : {}) });
    const writer = new SettledWriter(mine, mkdtempSync(join(tmpdir(), "llmux-stop-")), {
      spooled: () => undefined,
      caughtUp: () => undefined,
    });
    const a = limitsAdmission({ hot, billing, data: mine, timezone: "UTC", alertAt: 1, warn: () => undefined });
    const p = keyOf((20 * WORST) / 1e9);
    const r = (await a.admit({ principal: p, plan, requestBytes: 400 })) as Admitted;
    expect(isAdmitted(r)).toBe(true);
    await r.release!(undefined);
    expect((await budgetState(data, windowRef(p), "nobody", Date.now())).leased).toBe(5 * WORST);
    await writer.close();
    expect((await budgetState(data, windowRef(p), "nobody", Date.now())).leased).toBe(0);
    a.escrow.close();
    await mine.close();
  });

  it("a refusal names as held what requests in flight hold, not the part of this instance's slice no request holds", async () => {
    const a = instance(0);
    const limit = 10_000_000;
    const p = keyOf(limit / 1e9);
    const first = await a.escrow.take(windowRef(p), limit, 3_400_000);
    if (!first.ok) throw new Error("the first request did not fit");
    // Settled below its hold: the rest of the slice stays this instance's, held by no request.
    a.escrow.settle(first.held, 2_600_000, false);
    const refused = await a.escrow.take(windowRef(p), limit, 8_000_000);
    expect(refused).toMatchObject({ ok: false, spent: 2_600_000, held: 0, limit });
    // With a request in flight, what it holds is named.
    const inFlight = await a.escrow.take(windowRef(p), limit, 1_000_000);
    if (!inFlight.ok) throw new Error("the request in flight did not fit");
    expect(await a.escrow.take(windowRef(p), limit, 8_000_000)).toMatchObject({ ok: false, held: 1_000_000 });
    a.escrow.settle(inFlight.held, 0, false);
    a.escrow.close();
  });

  it("a dead instance's lease counts whole until its journal's rows are written (each once) and it is released", async () => {
    const dead = instance(0, 600);
    // Worth 20 worst cases: its slice (a quarter of it) is more than its two requests in flight hold.
    const p = keyOf((20 * WORST) / 1e9);
    const inFlight = [
      (await dead.admit({ principal: p, plan, requestBytes: 400 })) as Admitted,
      (await dead.admit({ principal: p, plan, requestBytes: 400 })) as Admitted,
    ];
    expect(inFlight.every(isAdmitted)).toBe(true);
    dead.escrow.close();
    // Its lease lapses; a live instance still counts it whole (its requests may have spent all of it, their
    // rows still in its journal).
    await new Promise((r) => setTimeout(r, 700));
    const live = instance(0);
    const st = await budgetState(data, windowRef(p), live.escrow.holder, Date.now());
    expect(st.spent).toBe(0);
    expect(st.leased).toBe(5 * WORST);
    // Its journal is replayed (the rows of the two, written again by another writer: counted once).
    for (const a of inFlight) {
      const row = ledgerRow({ id: `dead_${randomBytes(4).toString("hex")}`, key_id: p.keyId!, cost_nanos: WORST });
      const withLease = { ...row, lease_holder: a.lease!.holder, lease_at: a.lease!.at };
      await writeSettled(data, { ledger: [withLease], requestLog: [], bodies: [] });
      await writeSettled(data, { ledger: [withLease], requestLog: [], bodies: [] });
    }
    const written = await budgetState(data, windowRef(p), live.escrow.holder, Date.now());
    expect(written.spent).toBe(2 * WORST);
    expect(written.leased).toBe(3 * WORST);
    // The replayer releases what is left in it (what the dead one never used): the budget is its ledger.
    await releaseLeasesOf(data, [dead.escrow.holder]);
    const after = await budgetState(data, windowRef(p), live.escrow.holder, Date.now());
    expect(after).toEqual({ spent: 2 * WORST, leased: 0, mine: 0 });
    // No false refusal: four more at once, each with its worst covered.
    const more = await Promise.all(
      Array.from({ length: 4 }, () => live.admit({ principal: p, plan, requestBytes: 400 })),
    );
    expect(more.filter(isAdmitted)).toHaveLength(4);
    live.escrow.close();
  });
});

describe("budgets kept by PostgreSQL while it hangs", () => {
  let where: TestLocation;
  let pg: TcpProxy;
  let data: Data;
  beforeAll(async () => {
    where = await freshPostgres();
    const url = new URL(where.url!);
    pg = await tcpProxy(url.hostname, Number(url.port || 5432));
    url.port = String(pg.port);
    data = new Data({ path: where.path, url: url.toString() });
    await data.db();
  });
  afterAll(async () => {
    await data.close();
    await pg.close();
    await where.drop();
  });

  it("admits within the slice it holds, refuses beyond it with no overspend, and admits again once it answers", async () => {
    /** max_tokens 25: each request holds, and may cost at most, 400,000 nano-dollars. */
    const UNIT = 100 * 2000 + 25 * 8000;
    const small = { ...plan, maxOutputTokens: 25 } as Plan;
    const admission = limitsAdmission({
      hot: new MemoryState(),
      billing,
      data,
      timezone: "UTC",
      alertAt: 1,
      warn: () => undefined,
      budgetWaitMs: 200,
    });
    const id = `k_${randomBytes(4).toString("hex")}`;
    const p: Principal = {
      owner: id,
      kind: "minted",
      keyId: id,
      quotas: [{ scope: "key", id, budget: { usd: (10 * UNIT) / 1e9, period: "day" } }],
    };
    const admit = () => admission.admit({ principal: p, plan: small, requestBytes: 400 });
    // The first request leases a slice: a quarter of the budget (2.5 requests).
    const first = (await admit()) as Admitted;
    expect(isAdmitted(first)).toBe(true);
    pg.hang();
    // Hung: the slice held admits one more; beyond it, refused (after the lease's try), never admitted.
    const second = await admit();
    expect(isAdmitted(second)).toBe(true);
    const third = (await admit()) as ErrorInfo;
    expect(third.code).toBe("insufficient_quota");
    // Both settle while it hangs (their rows wait in the journal): what they cost has left the slice, and the
    // half request it still holds admits nothing.
    const done: Admitted[] = [first, second as Admitted];
    for (const a of done) {
      const rec = newRecord(`req_${randomBytes(6).toString("hex")}`, "POST", "/v1/chat/completions");
      rec.keyId = id;
      rec.model = "gpt-4.1";
      rec.cost = { nanos: UNIT, estimated: false, priced: true };
      await a.release!(rec);
    }
    expect(isAdmitted(await admit())).toBe(false);
    pg.restore();
    // Back: the journal's rows are written; the budget is the ledger plus what is held, and admits again.
    for (const a of done) {
      const row = ledgerRow({ id: `r_${randomBytes(4).toString("hex")}`, key_id: id, cost_nanos: UNIT });
      await writeSettled(data, {
        ledger: [{ ...row, lease_holder: a.lease!.holder, lease_at: a.lease!.at }],
        requestLog: [],
        bodies: [],
      });
    }
    expect(isAdmitted(await admit())).toBe(true);
    const st = await budgetState(data, { scope: "key", subject: id, ...windowOf("day", Date.now()) }, "x", Date.now());
    expect(st.spent).toBe(2 * UNIT);
    expect(st.spent + st.leased).toBeLessThanOrEqual(10 * UNIT);
    admission.escrow.close();
  });
});
