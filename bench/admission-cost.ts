/**
 * The admit stage's own cost for a request under a budget and rpm/tpm/concurrency limits on its key and its
 * team: admit, then settle, one request at a time, in this process (no HTTP), on the in-process hot state or
 * on Redis. The end-to-end difference the soak measures adds the noise of two HTTP hops; this is the part
 * budgets and limits add.
 */
import { randomBytes } from "node:crypto";
import { Billing } from "../src/billing/billing.js";
import { PriceTable } from "../src/billing/prices.js";
import type { Principal } from "../src/identity/principal.js";
import { limitsAdmission } from "../src/limits/admission.js";
import { isAdmitted } from "../src/request/admission.js";
import type { Plan } from "../src/request/plan.js";
import { newRecord } from "../src/request/record.js";
import type { HotState } from "../src/state/hot-state.js";
import { MemoryState } from "../src/state/memory.js";
import { RedisState } from "../src/state/redis.js";
import { benchRedisUrl } from "./endpoints.js";

export interface AdmissionCost {
  p50Ms: number;
  p90Ms: number;
}

export async function admissionCost(state: "memory" | "redis", samples: number): Promise<AdmissionCost> {
  const hot: HotState =
    state === "memory"
      ? new MemoryState()
      : new RedisState({ url: benchRedisUrl(), prefix: `llmux-bench:${randomBytes(4).toString("hex")}:` });
  try {
    const admission = limitsAdmission({
      hot,
      billing: new Billing(new PriceTable(), undefined),
      timezone: "UTC",
      alertAt: 0.8,
      warn: () => undefined,
    });
    const quotas = {
      budget: { usd: 100_000, period: "day" as const },
      limits: { rpm: 1e6, tpm: 1e9, concurrency: 200 },
    };
    const principal: Principal = {
      owner: "key:bench",
      kind: "minted",
      keyId: "bench",
      quotas: [
        { scope: "key", id: "bench", ...quotas },
        { scope: "team", id: "bench-team", ...quotas },
      ],
    };
    const plan = {
      route: { upstreamModel: "gpt-4.1", requested: "soak", alias: "soak" },
      client: "openai-chat",
      body: JSON.stringify({ max_tokens: 64 }),
      maxOutputTokens: 64,
    } as unknown as Plan;
    const times: number[] = [];
    for (let i = 0; i < samples + 300; i++) {
      const rec = newRecord(`req_${i}`, "POST", "/v1/chat/completions");
      rec.requestBytes = 300;
      const t = performance.now();
      const admitted = await admission.admit({ principal, plan, requestBytes: rec.requestBytes });
      if (!isAdmitted(admitted)) throw new Error(`refused: ${admitted.message}`);
      rec.model = "gpt-4.1";
      rec.usage = { inputTokens: 100, outputTokens: 20 };
      await admitted.release?.(rec);
      if (i >= 300) times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const r = (x: number) => Math.round(x * 1000) / 1000;
    return { p50Ms: r(times[Math.floor(times.length / 2)]!), p90Ms: r(times[Math.floor(times.length * 0.9)]!) };
  } finally {
    await hot.close();
  }
}
