/** Budgets and rate limits of the admit stage, on both hot-state engines, with an injected clock. */
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { Billing } from "../../src/billing/billing.js";
import { PriceTable } from "../../src/billing/prices.js";
import { Data } from "../../src/data/data.js";
import type { Principal, Quota } from "../../src/identity/principal.js";
import type { ErrorInfo } from "../../src/ir/types.js";
import { limitsAdmission } from "../../src/limits/admission.js";
import { type Admitted, isAdmitted } from "../../src/request/admission.js";
import type { Plan } from "../../src/request/plan.js";
import { newRecord, type RequestRecord } from "../../src/request/record.js";
import type { HotState } from "../../src/state/hot-state.js";
import { hotKeys } from "../../src/state/keys.js";
import { MemoryState } from "../../src/state/memory.js";
import { RedisState } from "../../src/state/redis.js";
import { freshSqlite } from "../support/engines.js";
import { ledgerRow } from "../support/ledger-row.js";

const prefix = () => `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`;
const ENGINES: { name: string; open: () => HotState }[] = [
  { name: "memory", open: () => new MemoryState() },
  {
    name: "redis",
    open: () => new RedisState({ url: process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379", prefix: prefix() }),
  },
];

/** gpt-4.1 at $2 in / $8 out per million tokens: a 400-byte request with max_tokens 25 reserves 100 + 25 tokens. */
const billing = new Billing(new PriceTable(), undefined);
const RESERVE_NANOS = 100 * 2000 + 25 * 8000;

function plan(client: Plan["client"] = "openai-chat"): Plan {
  return {
    route: { upstreamModel: "gpt-4.1", requested: "gpt", alias: "gpt" },
    client,
    body: JSON.stringify({ max_tokens: 25 }),
    maxOutputTokens: 25,
  } as unknown as Plan;
}

function record(): RequestRecord {
  const rec = newRecord(`req_${randomBytes(6).toString("hex")}`, "POST", "/v1/chat/completions");
  rec.requestBytes = 400;
  return rec;
}

const principal = (quotas: Quota[]): Principal => ({ owner: "key:k", kind: "minted", keyId: "k", quotas });

describe.each(ENGINES)("limits and budgets on $name", ({ open }) => {
  const opened: HotState[] = [];
  afterAll(async () => {
    for (const s of opened) await s.close();
  });
  const setup = (now: { t: number }, timezone = "UTC") => {
    const hot = open();
    opened.push(hot);
    const warnings: string[] = [];
    const admission = limitsAdmission({
      hot,
      billing,
      timezone,
      alertAt: 0.8,
      warn: (_f, msg) => warnings.push(msg),
      now: () => now.t,
      budgetWaitMs: 0,
    });
    const admit = async (p: Principal, client?: Plan["client"]) => {
      const rec = record();
      const r = await admission.admit({ principal: p, plan: plan(client), requestBytes: rec.requestBytes });
      return { r, rec };
    };
    return { admit, warnings, hot };
  };

  it("rpm: admits the limit, then 429 with retry-after and OpenAI rate-limit headers; no burst at the minute's edge", async () => {
    const now = { t: Date.parse("2026-11-22T10:00:50Z") };
    const { admit } = setup(now);
    const p = principal([{ scope: "key", id: "k1", limits: { rpm: 5 } }]);
    const results = [];
    for (let i = 0; i < 8; i++) results.push((await admit(p)).r);
    expect(results.filter(isAdmitted)).toHaveLength(5);
    const refused = results.find((r) => !isAdmitted(r)) as ErrorInfo;
    expect(refused.status).toBe(429);
    expect(refused.kind).toBe("rate_limit");
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(refused.headers).toMatchObject({ "x-ratelimit-limit-requests": "5", "x-ratelimit-remaining-requests": "0" });
    // 25 s later, 15 s into the next minute: GCRA has refilled one request per 12 s, so 2 more, not 5.
    now.t = Date.parse("2026-11-22T10:01:15Z");
    const next = [];
    for (let i = 0; i < 5; i++) next.push((await admit(p)).r);
    expect(next.filter(isAdmitted)).toHaveLength(2);
  });

  it("Anthropic clients get anthropic-ratelimit-* headers", async () => {
    const { admit } = setup({ t: Date.parse("2026-11-22T10:00:00Z") });
    const p = principal([{ scope: "key", id: "k2", limits: { rpm: 1 } }]);
    await admit(p, "anthropic");
    const r = (await admit(p, "anthropic")).r as ErrorInfo;
    expect(r.headers?.["anthropic-ratelimit-requests-limit"]).toBe("1");
    expect(r.headers?.["anthropic-ratelimit-requests-reset"]).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it("tpm: reserves the estimate (input + max_tokens), settles to the reported usage", async () => {
    const { admit } = setup({ t: Date.parse("2026-11-22T10:00:00Z") });
    const p = principal([{ scope: "team", id: "t1", limits: { tpm: 300 } }]);
    const a = await admit(p);
    const b = await admit(p);
    expect(isAdmitted(a.r) && isAdmitted(b.r)).toBe(true);
    expect(isAdmitted((await admit(p)).r)).toBe(false);
    // The first two used far less than reserved: settling frees the rest.
    for (const x of [a, b]) {
      x.rec.model = "gpt-4.1";
      x.rec.usage = { inputTokens: 10, outputTokens: 5 };
      await (x.r as Admitted).release!(x.rec);
    }
    expect(isAdmitted((await admit(p)).r)).toBe(true);
  });

  it("concurrency: a slot per request in flight, given back when it is settled", async () => {
    const { admit } = setup({ t: Date.parse("2026-11-22T10:00:00Z") });
    const p = principal([{ scope: "key", id: "k3", limits: { concurrency: 2 } }]);
    const a = await admit(p);
    await admit(p);
    const third = (await admit(p)).r as ErrorInfo;
    expect(third.status).toBe(429);
    expect(third.message).toMatch(/2 concurrent requests/);
    await (a.r as Admitted).release!(a.rec);
    expect(isAdmitted((await admit(p)).r)).toBe(true);
  });

  it("budget: 50 concurrent requests against 10 requests' worth admit 10; out of quota names the budget and its reset", async () => {
    const { admit, warnings } = setup({ t: Date.parse("2026-11-22T10:00:00Z") });
    const p = principal([{ scope: "key", id: "k4", budget: { usd: (10 * RESERVE_NANOS) / 1e9, period: "day" } }]);
    const results = await Promise.all(Array.from({ length: 50 }, () => admit(p)));
    expect(results.filter((x) => isAdmitted(x.r))).toHaveLength(10);
    const refused = results.find((x) => !isAdmitted(x.r))!.r as ErrorInfo;
    expect(refused).toMatchObject({ status: 429, kind: "billing", code: "insufficient_quota" });
    expect(refused.message).toMatch(/daily budget of \$0\.004.*resets at 2026-11-23T00:00:00\.000Z/);
    expect(refused.retryAfter).toBeUndefined();
    expect(warnings.some((w) => /used 80% of its day budget|used \d+% of its day budget/.test(w))).toBe(true);
  });

  it("budget: settles to the real cost, so what was reserved and not spent can be used again", async () => {
    const { admit } = setup({ t: Date.parse("2026-11-22T10:00:00Z") });
    const p = principal([{ scope: "key", id: "k5", budget: { usd: (2 * RESERVE_NANOS) / 1e9, period: "day" } }]);
    const a = await admit(p);
    const b = await admit(p);
    expect(isAdmitted((await admit(p)).r)).toBe(false);
    for (const x of [a, b]) {
      x.rec.model = "gpt-4.1";
      x.rec.usage = { inputTokens: 10, outputTokens: 5 };
      await (x.r as Admitted).release!(x.rec);
    }
    expect(isAdmitted((await admit(p)).r)).toBe(true);
  });

  it("the soft alert is logged once per window, and again in the next one", async () => {
    const now = { t: Date.parse("2026-11-22T10:00:00Z") };
    const { admit, warnings } = setup(now);
    const p = principal([{ scope: "key", id: "k-alert", budget: { usd: (5 * RESERVE_NANOS) / 1e9, period: "day" } }]);
    const alerts = () => warnings.filter((w) => /key k-alert has used \d+% of its day budget/.test(w)).length;
    for (let i = 0; i < 3; i++) await admit(p);
    expect(alerts()).toBe(0); // 60%
    await admit(p);
    expect(alerts()).toBe(1); // 80%
    await admit(p);
    expect(alerts()).toBe(1); // 100%: still the one
    now.t = Date.parse("2026-11-23T10:00:00Z");
    for (let i = 0; i < 3; i++) await admit(p);
    expect(alerts()).toBe(1);
    await admit(p);
    expect(alerts()).toBe(2);
  });

  it("the soft alert's log line names the key by its name, with its id", async () => {
    const { admit, warnings } = setup({ t: Date.parse("2026-11-22T10:00:00Z") });
    const q = { scope: "key" as const, id: "key_7f3a", name: "alice-laptop" };
    const p = principal([{ ...q, budget: { usd: (5 * RESERVE_NANOS) / 1e9, period: "day" } }]);
    for (let i = 0; i < 4; i++) await admit(p);
    expect(warnings.filter((w) => w.includes("has used"))).toEqual([
      "key alice-laptop (key_7f3a) has used 80% of its day budget of $" + (5 * RESERVE_NANOS) / 1e9,
    ]);
  });

  it("budget windows reset at midnight without a request having to come (injected clock)", async () => {
    const now = { t: Date.parse("2026-11-22T23:59:30Z") };
    const { admit } = setup(now);
    const p = principal([{ scope: "key", id: "k6", budget: { usd: RESERVE_NANOS / 1e9, period: "day" } }]);
    expect(isAdmitted((await admit(p)).r)).toBe(true);
    expect(isAdmitted((await admit(p)).r)).toBe(false);
    now.t = Date.parse("2026-11-23T00:00:01Z");
    expect(isAdmitted((await admit(p)).r)).toBe(true);
  });

  it("budget windows follow the configured time zone's calendar (Tokyo's midnight is 15:00 UTC)", async () => {
    const now = { t: Date.parse("2026-11-22T14:59:30Z") };
    const { admit } = setup(now, "Asia/Tokyo");
    const p = principal([{ scope: "team", id: "t-tokyo", budget: { usd: RESERVE_NANOS / 1e9, period: "day" } }]);
    expect(isAdmitted((await admit(p)).r)).toBe(true);
    const refused = (await admit(p)).r as ErrorInfo;
    expect(refused.message).toMatch(/resets at 2026-11-22T15:00:00\.000Z/);
    now.t = Date.parse("2026-11-22T15:00:01Z");
    expect(isAdmitted((await admit(p)).r)).toBe(true);
  });

  it("a request that failed upstream releases its reservation (it cost nothing)", async () => {
    const { admit } = setup({ t: Date.parse("2026-11-22T10:00:00Z") });
    const p = principal([{ scope: "key", id: "k-fail", budget: { usd: RESERVE_NANOS / 1e9, period: "day" } }]);
    const a = await admit(p);
    expect(isAdmitted(a.r)).toBe(true);
    expect(isAdmitted((await admit(p)).r)).toBe(false);
    a.rec.model = "gpt-4.1";
    a.rec.status = 500;
    await (a.r as Admitted).release!(a.rec);
    expect(isAdmitted((await admit(p)).r)).toBe(true);
  });

  it("a key's and its team's quotas both apply; a refusal gives back what the other took", async () => {
    const { admit, hot } = setup({ t: Date.parse("2026-11-22T10:00:00Z") });
    const p = principal([
      { scope: "key", id: "k7", limits: { concurrency: 5 } },
      { scope: "team", id: "t7", limits: { rpm: 1 } },
    ]);
    expect(isAdmitted((await admit(p)).r)).toBe(true);
    expect(isAdmitted((await admit(p)).r)).toBe(false);
    expect(await hot.count(hotKeys.concurrency("key", "k7"))).toBe(1);
  });

  it("a window the database cannot be asked about refuses (no slice held); once it answers, the ledger's spend counts", async () => {
    const where = await freshSqlite();
    const data = new Data({ path: where.path });
    try {
      const now = { t: Date.now() };
      const id = `k-seed-${randomBytes(3).toString("hex")}`;
      // Earlier today this key spent 20 requests' worth (in the ledger); its budget is 25 requests' worth.
      await data.write([
        {
          insert: "ledger",
          rows: [ledgerRow({ id: `req_${id}`, key_id: id, at: now.t - 1000, cost_nanos: 20 * RESERVE_NANOS })],
        },
      ]);
      let down = true;
      const away = () => Promise.reject(new Error("connection refused"));
      const reachable = {
        engine: "sqlite",
        db: () => (down ? away() : data.db()),
        write: (ops: Parameters<Data["write"]>[0]) => (down ? away() : data.write(ops)),
      } as unknown as Data;
      const hot = open();
      opened.push(hot);
      const admission = limitsAdmission({
        hot,
        billing,
        data: reachable,
        timezone: "UTC",
        alertAt: 1,
        warn: () => undefined,
        now: () => now.t,
        budgetWaitMs: 0,
      });
      const p = principal([{ scope: "key", id, budget: { usd: (25 * RESERVE_NANOS) / 1e9, period: "day" } }]);
      const admit = async () =>
        isAdmitted(await admission.admit({ principal: p, plan: plan(), requestBytes: record().requestBytes }));
      // Away, with no slice of this window held: refused (a budget is never started from nothing).
      expect(await admit()).toBe(false);
      down = false;
      // Back: the 20 requests' worth counts, 5 are left.
      const after: boolean[] = [];
      for (let i = 0; i < 6; i++) after.push(await admit());
      expect(after).toEqual([true, true, true, true, true, false]);
      admission.escrow.close();
    } finally {
      await data.close();
      await where.drop();
    }
  });
});
