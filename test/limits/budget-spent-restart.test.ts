/**
 * A budget refusal names the spend it was decided on, the database's: after a restart (a new gateway on the
 * same store) and a budget lowered below one request's cost, the key's or team's refusal says what the ledger
 * holds, not the $0.00 this instance had counted since it started. On SQLite and on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nanosOf } from "../../src/billing/cost.js";
import type { Quota } from "../../src/identity/principal.js";
import { budgetRefusal, dollars } from "../../src/limits/budget.js";
import { type BudgetBook, memoryBook } from "../../src/limits/budget-book.js";
import { Escrow } from "../../src/limits/budget-escrow.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { ADMIN, call, MASTER } from "../support/team.js";

/** $3 / $15 per million tokens: a request with max_tokens 200 may cost about $0.003; its echo costs far less. */
const config = (where: TestLocation) => () => ({
  store: where.url ? { url: where.url } : { path: where.path },
  admin: { keys: [ADMIN] },
  secrets: { master_key: MASTER },
  providers: { priced: { type: "mock", dialect: "openai-chat", price: { input: 3, output: 15 } } },
  models: { "priced-mock": { provider: "priced" } },
});

const ask = (h: Harness, key: string) =>
  fetch(`${h.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({
      model: "priced-mock",
      max_tokens: 200,
      messages: [{ role: "user", content: "hello there, write a lot please" }],
    }),
  });

const refusal = async (r: Response): Promise<string> => {
  expect(r.status).toBe(429);
  const body = (await r.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("insufficient_quota");
  return body.error.message;
};

describe.each(ENGINES)("a budget refusal after a restart on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness | undefined;
  /** What each first request cost (its llmux-cost-usd), by key. */
  const cost = new Map<string, number>();
  let keyA: { key: string; id: string };
  let keyB: { key: string; id: string };
  let teamId: string;

  beforeAll(async () => {
    where = await fresh();
    const first = await startHarness(config(where));
    try {
      const team = await call(first.url, "POST", "/admin/v1/teams", ADMIN, {
        name: "spenders",
        budget: { usd: 5, period: "month" },
      });
      expect(team.status, JSON.stringify(team.body)).toBe(201);
      teamId = team.body.id;
      const mint = async (body: object) => {
        const r = await call(first.url, "POST", "/admin/v1/keys", ADMIN, body);
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        return { key: r.body.key as string, id: r.body.id as string };
      };
      keyA = await mint({ name: "own-budget", budget: { usd: 5, period: "month" } });
      keyB = await mint({ name: "team-budget", team_id: teamId });
      for (const k of [keyA, keyB]) {
        const r = await ask(first, k.key);
        expect(r.status).toBe(200);
        await r.text();
        cost.set(k.id, nanosOf(Number(r.headers.get("llmux-cost-usd"))));
      }
    } finally {
      await first.close();
    }
    // A new instance on the same store: it has read nothing of the budgets' windows yet.
    h = await startHarness(config(where));
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await where.drop();
  });

  it("the ledger holds the first requests' cost", async () => {
    for (const k of [keyA, keyB]) {
      expect(cost.get(k.id)).toBeGreaterThan(0);
      const r = await call(h!.url, "GET", `/admin/v1/keys/${k.id}`, ADMIN);
      expect(r.status).toBe(200);
      expect(nanosOf(r.body.spend_usd)).toBe(cost.get(k.id));
    }
  });

  it("a key's budget lowered below one request: the refusal names the key's real spend", async () => {
    const spent = cost.get(keyA.id)!;
    // Above what was spent, below what the next request may cost: "nearly exhausted", with the spend and what is left.
    const budget = Number(((spent * 1.5) / 1e9).toPrecision(2));
    const r = await call(h!.url, "PATCH", `/admin/v1/keys/${keyA.id}`, ADMIN, {
      budget: { usd: budget, period: "month" },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const message = await refusal(await ask(h!, keyA.key));
    expect(message).toContain(
      `Budget nearly exhausted: this API key has spent $${dollars(spent)} of its monthly budget of $${budget};`,
    );
    expect(message).toContain(`The $${dollars(nanosOf(budget) - spent)} left does not fit`);
    expect(message).not.toContain("$0.00 of");
  });

  it("a team's budget lowered below what it spent: the refusal names the team's real spend", async () => {
    const spent = cost.get(keyB.id)!;
    const r = await call(h!.url, "PATCH", `/admin/v1/teams/${teamId}`, ADMIN, {
      budget: { usd: 0.0001, period: "month" },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(spent).toBeGreaterThan(nanosOf(0.0001));
    const message = await refusal(await ask(h!, keyB.key));
    expect(message).toMatch(
      new RegExp(
        `^Budget exhausted: this team has spent \\$${dollars(spent).replace(".", "\\.")} of its monthly budget of \\$0\\.0001;`,
      ),
    );
  });
});

describe("a refusal while the budget book does not answer", () => {
  it("names no spend it never read (not $0.00): too small for the whole budget, or not checked", async () => {
    // The book away from the start: nothing of the window was ever read here.
    const book: BudgetBook = { ...memoryBook(), state: () => Promise.reject(new Error("database away")) };
    const escrow = new Escrow(book, { waitMs: 0 });
    const q: Quota = { scope: "key", id: "key_x", budget: { usd: 0.0001, period: "month" } };
    const w = { scope: "key" as const, subject: "key_x", start: 0, end: Number.POSITIVE_INFINITY };
    try {
      const over = await escrow.take(w, nanosOf(0.0001), 3_000_000);
      expect(over).toMatchObject({ ok: false, spent: undefined });
      const tooSmall = budgetRefusal(q, undefined, 0, 3_000_000, nanosOf(0.0001), w.end).message;
      expect(tooSmall).toBe(
        "Budget too small: this request may cost $0.003, more than this API key's whole monthly budget of $0.0001; it does not reset. Ask for fewer output tokens (max_tokens), or ask your llmux administrator to raise the budget.",
      );
      const within = await escrow.take(w, nanosOf(5), 3_000_000);
      expect(within).toMatchObject({ ok: false, spent: undefined });
      const big: Quota = { ...q, budget: { usd: 5, period: "month" } };
      expect(budgetRefusal(big, undefined, 0, 3_000_000, nanosOf(5), w.end).message).toMatch(
        /^Budget not checked: what this API key has spent of its monthly budget of \$5 could not be read .* may cost \$0\.003, was refused\./,
      );
    } finally {
      escrow.close();
    }
  });
});
