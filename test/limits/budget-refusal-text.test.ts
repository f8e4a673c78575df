/**
 * The budget refusal's advice: "retry once requests in flight have finished" only when something is held that a
 * request's end gives back, and the request could fit the budget at all. Otherwise a retry gets the same answer
 * until the window resets, and a tool that follows the advice only loops: such a refusal also tells the client's
 * SDK not to retry (`x-should-retry: false`), and one a retry may pass leaves it its own retries.
 */
import { describe, expect, it } from "vitest";
import { nanosOf } from "../../src/billing/cost.js";
import type { Quota } from "../../src/identity/principal.js";
import { budgetRefusal } from "../../src/limits/budget.js";

const q: Quota = { scope: "key", id: "k1", budget: { usd: 1, period: "day" } };
const limit = nanosOf(1);
const end = Date.UTC(2026, 10, 27);
const RETRY = "retry once requests in flight have finished";
const NO_RETRY = { "x-should-retry": "false" };

describe("budget refusal text", () => {
  it("advises a retry when requests in flight hold part of what is left", () => {
    const r = budgetRefusal(q, nanosOf(0.5), nanosOf(0.3), nanosOf(0.4), limit, end);
    expect(r.message).toMatch(/^Budget nearly exhausted: this API key has spent \$0\.50 of its daily budget of \$1;/);
    expect(r.message).toContain("(requests in flight hold $0.30 of it)");
    expect(r.message).toContain(RETRY);
    expect([r.status, r.code]).toEqual([429, "insufficient_quota"]);
    expect(r.headers).toBeUndefined();
  });

  it("does not advise a retry when nothing is held", () => {
    const r = budgetRefusal(q, nanosOf(0.9), 0, nanosOf(0.2), limit, end);
    expect(r.message).toMatch(/The \$0\.10 left does not fit what this request may cost, \$0\.20: ask for fewer/);
    expect(r.message).not.toContain(RETRY);
    expect(r.headers).toEqual(NO_RETRY);
  });

  it("does not advise a retry when the request may cost more than the whole budget", () => {
    const r = budgetRefusal(q, 0, nanosOf(0.1), nanosOf(2), limit, end);
    expect(r.message).toContain("does not fit what this request may cost, $2.00");
    expect(r.message).not.toContain(RETRY);
    expect(r.headers).toEqual(NO_RETRY);
  });

  it("tells the client not to retry a spent budget", () => {
    const r = budgetRefusal(q, nanosOf(1.2), 0, nanosOf(0.2), limit, end);
    expect(r.message).toMatch(/^Budget exhausted: this API key has spent \$1\.20 of its daily budget of \$1;/);
    expect(r.headers).toEqual(NO_RETRY);
  });

  it("leaves the client its retries when the book did not answer, not when the request cannot fit at all", () => {
    const away = budgetRefusal(q, undefined, 0, nanosOf(0.2), limit, end);
    expect(away.message).toMatch(/^Budget not checked: .* Retry shortly\.$/);
    expect(away.headers).toBeUndefined();
    const tooBig = budgetRefusal(q, undefined, 0, nanosOf(2), limit, end);
    expect(tooBig.message).toMatch(/^Budget too small: this request may cost \$2\.00/);
    expect(tooBig.headers).toEqual(NO_RETRY);
  });
});
