/**
 * Realistic reservations: a streamed request holds what its key lately produces with its model (capped
 * by max_tokens), its worst case covered while the budget has room for it; refusals say whether the budget is spent or this request does not
 * fit what is left, with digits below a cent; the meter of a streamed answer reserves more as it grows and
 * ends it when the budget cannot cover more. On both hot-state engines.
 */
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { Billing } from "../../src/billing/billing.js";
import { PriceTable } from "../../src/billing/prices.js";
import type { Principal, Quota } from "../../src/identity/principal.js";
import type { ErrorInfo } from "../../src/ir/types.js";
import { limitsAdmission } from "../../src/limits/admission.js";
import { type Admitted, isAdmitted } from "../../src/request/admission.js";
import type { Plan } from "../../src/request/plan.js";
import { newRecord, type RequestRecord } from "../../src/request/record.js";
import type { HotState } from "../../src/state/hot-state.js";
import { MemoryState } from "../../src/state/memory.js";
import { RedisState } from "../../src/state/redis.js";

const prefix = () => `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`;
const ENGINES: { name: string; open: () => HotState }[] = [
  { name: "memory", open: () => new MemoryState() },
  {
    name: "redis",
    open: () => new RedisState({ url: process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379", prefix: prefix() }),
  },
];

/** gpt-4.1 at $2 in / $8 out per million: 400 bytes (100 input tokens) and 300 output tokens cost $0.0026. */
const billing = new Billing(new PriceTable(), undefined);
const TYPICAL_NANOS = 100 * 2000 + 300 * 8000;

const streamed: Plan = {
  route: { upstreamModel: "gpt-4.1", requested: "gpt", alias: "gpt" },
  client: "openai-chat",
  upstreamStream: true,
  clientStream: true,
  maxOutputTokens: 32_000,
} as unknown as Plan;

function record(outputTokens: number): RequestRecord {
  const rec = newRecord(`req_${randomBytes(6).toString("hex")}`, "POST", "/v1/chat/completions");
  rec.requestBytes = 400;
  rec.model = "gpt-4.1";
  rec.status = 200;
  rec.usage = { inputTokens: 100, outputTokens };
  return rec;
}

describe.each(ENGINES)("realistic budget reservations on $name", ({ open }) => {
  const opened: HotState[] = [];
  afterAll(async () => {
    for (const s of opened) await s.close();
  });
  const setup = () => {
    const hot = open();
    opened.push(hot);
    const admission = limitsAdmission({
      hot,
      billing,
      timezone: "UTC",
      alertAt: 1,
      warn: () => undefined,
      now: () => Date.parse("2026-11-22T10:00:00Z"),
    });
    const owner = `key:${randomBytes(3).toString("hex")}`;
    const as = (quotas: Quota[]): Principal => ({ owner, kind: "minted", keyId: owner, quotas });
    const admit = (p: Principal) => admission.admit({ principal: p, plan: streamed, requestBytes: 400 });
    return { admit, as };
  };

  it("30 requests at once against a budget worth 5.5 typical requests are served 5; the sixth is refused with the true spend", async () => {
    const { admit, as } = setup();
    // The key's last answers with this model: about 300 output tokens each, though it asks for 32,000.
    const warm = as([
      { scope: "key", id: `warm-${randomBytes(3).toString("hex")}`, budget: { usd: 10, period: "day" } },
    ]);
    for (const out of [280, 300, 290, 300, 250]) {
      const a = (await admit(warm)) as Admitted;
      await a.release!(record(out));
    }
    const p = as([
      {
        scope: "key",
        id: `burst-${randomBytes(3).toString("hex")}`,
        budget: { usd: (5.5 * TYPICAL_NANOS) / 1e9, period: "day" },
      },
    ]);
    // Each is served (settled at its typical cost) as soon as it is admitted: those that do not fit for the
    // others' holds wait for them rather than being refused.
    const results = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const r = await admit(p);
        if (isAdmitted(r)) await r.release!(record(300));
        return r;
      }),
    );
    expect(results.filter(isAdmitted)).toHaveLength(5);
    const refused = results.find((r) => !isAdmitted(r)) as ErrorInfo;
    expect(refused).toMatchObject({ status: 429, kind: "billing", code: "insufficient_quota" });
    // What it may cost: its usual answer (300 tokens) as the stream's meter counts text (high: 400 tokens),
    // $0.0034, so that a usual answer is not cut at the budget's edge once it is under way. Nothing is in
    // flight any more (the part of this instance's slice no request holds is not named as held), so a retry
    // would get the same answer: it says so.
    expect(refused.message).toMatch(
      /^Budget nearly exhausted: this API key has spent \$0\.013 of its daily budget of \$0\.0143; it resets at 2026-11-23T00:00:00\.000Z\. The \$0\.0013 left does not fit what this request may cost, \$0\.0034: ask for fewer/,
    );
    expect(refused.headers).toEqual({ "x-should-retry": "false" });
  });

  it("a request whose web tools llmux runs holds what its rounds may cost: the conversation sent each round", async () => {
    const { as } = setup();
    const admission = limitsAdmission({ hot: open(), billing, timezone: "UTC", alertAt: 1, warn: () => undefined });
    const p = as([{ scope: "key", id: `web-${randomBytes(3).toString("hex")}`, budget: { usd: 1, period: "day" } }]);
    const plain = (await admission.admit({ principal: p, plan: streamed, requestBytes: 4000 })) as Admitted;
    const web = (await admission.admit({
      principal: p,
      plan: { ...streamed, web: { search: { name: "web_search" } } } as unknown as Plan,
      requestBytes: 4000,
    })) as Admitted;
    // 1,000 input tokens at $2 per million: $0.002 a round, eight rounds at most.
    expect(web.estimateNanos! - plain.estimateNanos!).toBe(7 * 1000 * 2000);
    await plain.release!(record(0));
    await web.release!(record(0));
  });

  it("a request whose search llmux runs holds max_uses (or 10) × the price per search on top of its rounds", async () => {
    const { as } = setup();
    const admission = limitsAdmission({ hot: open(), billing, timezone: "UTC", alertAt: 1, warn: () => undefined });
    const p = as([{ scope: "key", id: `webp-${randomBytes(3).toString("hex")}`, budget: { usd: 1, period: "day" } }]);
    // Each released before the next is admitted: the estimate is what is compared.
    const admitWith = async (web: object) => {
      const a = (await admission.admit({
        principal: p,
        plan: { ...streamed, web } as unknown as Plan,
        requestBytes: 4000,
      })) as Admitted;
      await a.release!(record(0));
      return a;
    };
    const unpriced = await admitWith({ search: { name: "web_search" } });
    // $5 per 1,000 searches: 5,000,000 nano-dollars each; a fetch at $1 per 1,000.
    const five = await admitWith({ search: { name: "web_search", maxUses: 5, nanosPerCall: 5_000_000 } });
    const dflt = await admitWith({
      search: { name: "web_search", nanosPerCall: 5_000_000 },
      fetch: { name: "web_fetch", maxUses: 2, nanosPerCall: 1_000_000 },
    });
    expect(five.estimateNanos! - unpriced.estimateNanos!).toBe(5 * 5_000_000);
    expect(dflt.estimateNanos! - unpriced.estimateNanos!).toBe(10 * 5_000_000 + 2 * 1_000_000);
  });

  it("an answer of the key's usual length, counted high as its meter counts text, needs no more than its hold", async () => {
    const { admit, as } = setup();
    const p = as([{ scope: "key", id: `usual-${randomBytes(3).toString("hex")}`, budget: { usd: 10, period: "day" } }]);
    // The key's answers with this model: 300 tokens each.
    for (let i = 0; i < 5; i++) {
      const a = (await admit(p)) as Admitted;
      await a.release!(record(300));
    }
    const a = (await admit(p)) as Admitted;
    const grew: number[] = [];
    a.watchEstimate!((nanos) => grew.push(nanos));
    // 300 tokens of text run about 1,200 characters (4 to a token); the meter counts 3 characters a token.
    expect(await a.meter!.output(1200)).toBe(true);
    expect(grew).toEqual([]);
    // Past it, the hold grows (once: a step of at least 1,024 tokens' worth), and the journal hears of it.
    expect(await a.meter!.output(1203)).toBe(true);
    expect(grew).toHaveLength(1);
    expect(grew[0]).toBeGreaterThan(a.estimateNanos!);
    await a.release!(record(301));
  });

  it("a streamed answer's meter reserves more as it grows and ends it when the budget cannot cover more", async () => {
    const { admit, as } = setup();
    // Nothing known of this key yet: 4,096 output tokens are reserved ($0.033); the budget holds $0.1.
    const p = as([
      { scope: "key", id: `meter-${randomBytes(3).toString("hex")}`, budget: { usd: 0.1, period: "day" } },
    ]);
    const a = (await admit(p)) as Admitted;
    expect(a.meter).toBeDefined();
    const meter = a.meter!;
    expect(meter.output(3 * 4000)).toBe(true);
    // Past the reservation: more is reserved, up to what the budget holds.
    expect(await meter.output(3 * 8000)).toBe(true);
    expect(await meter.output(3 * 12_400)).toBe(true);
    // A second request does not fit beside it now.
    expect(isAdmitted(await admit(p))).toBe(false);
    expect(await meter.output(3 * 12_600)).toBe(false);
    expect(meter.cut().message).toMatch(
      /^Budget exhausted during the answer: this API key's daily budget of \$0\.1 cannot cover more output/,
    );
    // Settled at its real cost (12,400 tokens): the budget holds what is left again.
    await a.release!(record(12_400));
    const left = 0.1e9 - (100 * 2000 + 12_400 * 8000);
    expect(left).toBeLessThan(TYPICAL_NANOS);
    expect(isAdmitted(await admit(p))).toBe(false);
  });
});
