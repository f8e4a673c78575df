/**
 * Budgets across faults of the hot state: a budget window's counter that Redis lost is seeded again from
 * the ledger (never from zero), and spend made while Redis was unreachable is added back when it returns.
 * On SQLite and PostgreSQL (the ledger), with memory and Redis (the counters).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Billing } from "../../src/billing/billing.js";
import { PriceTable } from "../../src/billing/prices.js";
import { Data } from "../../src/data/data.js";
import type { Principal } from "../../src/identity/principal.js";
import { limitsAdmission } from "../../src/limits/admission.js";
import { windowOf } from "../../src/limits/windows.js";
import { type Admitted, isAdmitted } from "../../src/request/admission.js";
import type { Plan } from "../../src/request/plan.js";
import { newRecord, type RequestRecord } from "../../src/request/record.js";
import type { HotState } from "../../src/state/hot-state.js";
import { hotKeys } from "../../src/state/keys.js";
import { MemoryState } from "../../src/state/memory.js";
import { openHotState } from "../../src/state/open.js";
import { RedisState } from "../../src/state/redis.js";
import type { ResilientState } from "../../src/state/resilient.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { ledgerRow } from "../support/ledger-row.js";
import { tcpProxy } from "../support/tcp-proxy.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const prefix = () => `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`;
const HOT = [
  { hot: "memory", open: (): HotState => new MemoryState() },
  { hot: "redis", open: (): HotState => new RedisState({ url: REDIS, prefix: prefix() }) },
];

/** gpt-4.1 at $2 / $8 per million: 400 bytes and max_tokens 25 reserve (and here cost) 400,000 nano-dollars. */
const billing = new Billing(new PriceTable(), undefined);
const UNIT = 100 * 2000 + 25 * 8000;
const plan = {
  route: { upstreamModel: "gpt-4.1", requested: "gpt", alias: "gpt" },
  client: "openai-chat",
  maxOutputTokens: 25,
} as unknown as Plan;
const NOW = Date.parse("2026-11-22T10:00:00Z");

function spent(): RequestRecord {
  const rec = newRecord(`req_${randomBytes(6).toString("hex")}`, "POST", "/v1/chat/completions");
  rec.requestBytes = 400;
  rec.model = "gpt-4.1";
  rec.status = 200;
  rec.usage = { inputTokens: 100, outputTokens: 25 };
  return rec;
}

describe.each(ENGINES)("budgets across hot-state faults, ledger on $engine", ({ fresh }) => {
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

  const ledger = (keyId: string, n: number) =>
    data.write([
      {
        insert: "ledger",
        rows: Array.from({ length: n }, () =>
          ledgerRow({
            id: `req_${randomBytes(6).toString("hex")}`,
            key_id: keyId,
            at: NOW - 3_600_000,
            cost_nanos: UNIT,
          }),
        ),
      },
    ]);

  it.each(HOT)(
    "$hot: a window's counter that was lost is seeded again from the ledger at once, not from zero",
    async ({ open }) => {
      const hot = open();
      try {
        const id = `lost-${randomBytes(3).toString("hex")}`;
        await ledger(id, 20);
        const admission = limitsAdmission({
          hot,
          billing,
          data,
          timezone: "UTC",
          alertAt: 1,
          warn: () => undefined,
          now: () => NOW,
        });
        const p: Principal = {
          owner: `key:${id}`,
          kind: "minted",
          keyId: id,
          quotas: [{ scope: "key", id, budget: { usd: (25 * UNIT) / 1e9, period: "day" } }],
        };
        const admit = async () => isAdmitted(await admission.admit({ principal: p, plan, requestBytes: 400 }));
        for (let i = 0; i < 3; i++) expect(await admit()).toBe(true);
        // Redis restarts (or evicts the key): the window's counter is gone, within the same second.
        await hot.del(hotKeys.budget("key", id, windowOf("day", NOW).start));
        const after: boolean[] = [];
        for (let i = 0; i < 10; i++) after.push(await admit());
        // The ledger's 20 requests' worth counts again: 5 more fit, not 25.
        expect(after.filter(Boolean)).toHaveLength(5);
      } finally {
        await hot.close();
      }
    },
  );

  it("redis: spend made while Redis was unreachable is added to its counter when it returns", async () => {
    const proxy = await tcpProxy("127.0.0.1", Number(new URL(REDIS).port || 6379));
    const hot = openHotState({ url: `redis://127.0.0.1:${proxy.port}`, prefix: prefix(), timeoutMs: 300 });
    try {
      const id = `outage-${randomBytes(3).toString("hex")}`;
      const admission = limitsAdmission({
        hot,
        billing,
        data,
        timezone: "UTC",
        alertAt: 1,
        warn: () => undefined,
        now: () => NOW,
      });
      const p: Principal = {
        owner: `key:${id}`,
        kind: "minted",
        keyId: id,
        quotas: [{ scope: "key", id, budget: { usd: (25 * UNIT) / 1e9, period: "day" } }],
      };
      const admit = () => admission.admit({ principal: p, plan, requestBytes: 400 });
      // Three requests before, each settled at its cost (and in the ledger, as the settle stage writes it).
      const serve = async () => {
        const a = (await admit()) as Admitted;
        expect(isAdmitted(a)).toBe(true);
        await a.release!(spent());
        await ledger(id, 1);
      };
      for (let i = 0; i < 3; i++) await serve();
      // Redis goes away; four more are served meanwhile (per-instance counting).
      proxy.cut();
      for (let i = 0; i < 4; i++) await serve();
      expect((hot as ResilientState).isDegraded).toBe(true);
      // Back: Redis's counter gets the four requests' spend; 25 - 7 = 18 more fit, not 22.
      proxy.restore();
      const end = Date.now() + 10_000;
      while ((hot as ResilientState).isDegraded && Date.now() < end) {
        await hot.count("ping");
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((hot as ResilientState).isDegraded).toBe(false);
      let more = 0;
      while (isAdmitted(await admit()) && more < 30) more++;
      expect(more).toBe(18);
    } finally {
      await hot.close();
      await proxy.close();
    }
  });
});
