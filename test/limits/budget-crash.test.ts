import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Billing } from "../../src/billing/billing.js";
import { PriceTable } from "../../src/billing/prices.js";
import { Data } from "../../src/data/data.js";
import type { Principal } from "../../src/identity/principal.js";
import { limitsAdmission } from "../../src/limits/admission.js";
import { isAdmitted } from "../../src/request/admission.js";
import type { Plan } from "../../src/request/plan.js";
import { MemoryState } from "../../src/state/memory.js";
import { ENGINES, type TestLocation } from "../support/engines.js";

const _REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const billing = new Billing(new PriceTable(), undefined);
const plan = {
  route: { upstreamModel: "gpt-4.1", requested: "gpt", alias: "gpt" },
  client: "openai-chat",
  maxOutputTokens: 25,
} as unknown as Plan;
const _sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(ENGINES)("after a crash, ledger on $engine", ({ fresh }) => {
  let where: TestLocation;
  let data: Data;
  beforeAll(async () => {
    where = await fresh();
    data = new Data({ path: where.path, ...(where.url ? { url: where.url } : {}) });
  });
  afterAll(async () => {
    await data.close();
    await where.drop();
  });

  it("memory: a concurrency slot of a request that never settled expires", async () => {
    const clock = { t: Date.now() };
    const hot = new MemoryState(() => clock.t);
    try {
      const admission = limitsAdmission({
        hot,
        billing,
        timezone: "UTC",
        alertAt: 1,
        warn: () => undefined,
        now: () => clock.t,
      });
      const p: Principal = {
        owner: "key:c",
        kind: "minted",
        keyId: "c",
        quotas: [{ scope: "key", id: "c", limits: { concurrency: 1 } }],
      };
      expect(isAdmitted(await admission.admit({ principal: p, plan, requestBytes: 400 }))).toBe(true);
      expect(isAdmitted(await admission.admit({ principal: p, plan, requestBytes: 400 }))).toBe(false);
      clock.t += 11 * 60_000;
      expect(isAdmitted(await admission.admit({ principal: p, plan, requestBytes: 400 }))).toBe(true);
    } finally {
      await hot.close();
    }
  });
});
