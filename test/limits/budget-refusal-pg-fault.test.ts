/**
 * A request that may cost more than a key's whole budget is refused before anything is held; the refusal names
 * the spend the database holds (src/limits/budget-escrow.ts reads it first, bounded), which an instance that
 * never read this window does not know. PostgreSQL is hung, then cut, through a TCP proxy the test controls:
 * the refusal then names no spend (never a made-up $0.00), and once the database answers again it names the
 * ledger's figure.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Billing } from "../../src/billing/billing.js";
import { PriceTable } from "../../src/billing/prices.js";
import { writeSettled } from "../../src/data/settled-writes.js";
import type { Principal } from "../../src/identity/principal.js";
import type { ErrorInfo } from "../../src/ir/types.js";
import { limitsAdmission } from "../../src/limits/admission.js";
import { isAdmitted } from "../../src/request/admission.js";
import type { Plan } from "../../src/request/plan.js";
import { MemoryState } from "../../src/state/memory.js";
import { ledgerRow } from "../support/ledger-row.js";
import { pgThroughProxyForTests } from "../support/pg-through-proxy.js";

const billing = new Billing(new PriceTable(), undefined);
/** gpt-4.1 at $2 / $8 per million, max_tokens 25: each request may cost at most 400,000 nano-dollars. */
const plan = {
  route: { upstreamModel: "gpt-4.1", requested: "gpt", alias: "gpt" },
  client: "openai-chat",
  upstreamStream: true,
  maxOutputTokens: 25,
} as unknown as Plan;
const WORST = 100 * 2000 + 25 * 8000;
/** What the key spent before (on another instance): $0.000123. */
const SPENT = 123_000;

describe("a request larger than the whole budget, on an instance that never read the window", () => {
  const db = pgThroughProxyForTests();

  const instance = () =>
    limitsAdmission({
      hot: new MemoryState(),
      billing,
      data: db.viaProxy,
      timezone: "UTC",
      alertAt: 1,
      warn: () => undefined,
      budgetWaitMs: 200,
    });

  /** A key with half a request's worst as its daily budget, which spent SPENT on another instance. */
  async function key(): Promise<Principal> {
    const id = `k_${randomBytes(4).toString("hex")}`;
    const row = ledgerRow({ id: `req_${randomBytes(6).toString("hex")}`, key_id: id, cost_nanos: SPENT });
    await writeSettled(db.direct, { ledger: [row], requestLog: [], bodies: [] });
    return {
      owner: id,
      kind: "minted",
      keyId: id,
      quotas: [{ scope: "key", id, budget: { usd: WORST / 2 / 1e9, period: "day" } }],
    };
  }

  async function refusal(p: Principal): Promise<ErrorInfo> {
    const a = instance();
    try {
      const r = await a.admit({ principal: p, plan, requestBytes: 400 });
      expect(isAdmitted(r)).toBe(false);
      return r as ErrorInfo;
    } finally {
      a.escrow.close();
    }
  }

  for (const fault of ["hang", "cut"] as const)
    it(`PostgreSQL ${fault === "hang" ? "hung" : "cut"}: refused, naming no spend; back: naming the ledger's`, async () => {
      const p = await key();
      if (fault === "hang") db.pg.hang();
      else db.pg.cut();
      try {
        const away = await refusal(p);
        expect(away).toMatchObject({ status: 429, code: "insufficient_quota" });
        expect(away.message).toMatch(/^Budget too small: this request may cost \$0\.0004, more than/);
        expect(away.message).not.toContain("spent");
      } finally {
        db.pg.restore();
      }
      const back = await refusal(p);
      expect(back.message).toMatch(
        /^Budget nearly exhausted: this API key has spent \$0\.000123 of its daily budget of \$0\.0002;/,
      );
    });
});
