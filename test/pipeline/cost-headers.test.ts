/**
 * The developer's running cost in the answer's headers (src/pipeline/cost-headers.ts), on SQLite with the
 * in-process state and on PostgreSQL with Redis: a whole answer carries its cost (the same as its request-log
 * row's), the session's cost and the budget left after it; a stream carries the session's cost and the budget
 * left before it. The figures are checked against the request log's rows.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPostgres, freshSqlite, type TestLocation } from "../support/engines.js";
import type { Body, Harness } from "../support/gateway.js";
import { admin, teamHarness, within } from "../support/team.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const SETUPS = [
  { name: "SQLite, in-process state", fresh: freshSqlite, redis: false },
  { name: "PostgreSQL, Redis", fresh: freshPostgres, redis: true },
];
const BUDGET = 5;

describe.each(SETUPS)("cost headers on $name", ({ fresh, redis }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where, {
      ...(redis
        ? { state: { url: REDIS, prefix: `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:` } }
        : {}),
      prices: { "claude-sonnet-4-5": { input: 3, output: 15 }, "gpt-4.1": { input: 2, output: 8 } },
    });
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  const ask = async (key: string, session: string, stream: boolean, model = "via-anthropic") => {
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "llmux-session": session },
      body: JSON.stringify({ model, stream, messages: [{ role: "user", content: "a question ".repeat(50) }] }),
    });
    const headers = {
      id: res.headers.get("x-request-id")!,
      cost: res.headers.get("llmux-cost-usd"),
      session: res.headers.get("llmux-session-cost-usd"),
      left: res.headers.get("llmux-budget-remaining-usd"),
    };
    await res.text();
    expect(res.status).toBe(200);
    return headers;
  };

  it("a whole answer: its cost, the session's and the budget left after it; a stream: those before it", async () => {
    const minted = await admin(h, "POST", "/keys", {
      name: `c-${randomBytes(3).toString("hex")}`,
      budget: { usd: BUDGET, period: "month" },
    });
    const key = minted.body.key as string;
    const session = `ses-${randomBytes(4).toString("hex")}`;
    const first = await ask(key, session, false);
    const second = await ask(key, session, false, "via-openai-chat");
    const third = await ask(key, session, true);
    const other = await ask(key, `${session}-other`, false);

    let rows: Body[] = [];
    await within(10_000, async () => {
      rows = (await admin(h, "GET", `/requests?key_id=${minted.body.id}`)).body.rows ?? [];
      return rows.length === 4;
    });
    const cost = (id: string) => rows.find((r) => r.id === id)!.cost_usd as number;
    const [c1, c2, c3] = [cost(first.id), cost(second.id), cost(third.id)];
    expect(c1).toBeGreaterThan(0);
    expect(c2).toBeGreaterThan(0);
    expect(Number(first.cost)).toBeCloseTo(c1, 6);
    expect(Number(second.cost)).toBeCloseTo(c2, 6);
    // The session so far, this request included for a whole answer.
    expect(Number(first.session)).toBeCloseTo(c1, 6);
    expect(Number(second.session)).toBeCloseTo(c1 + c2, 6);
    expect(Number(first.left)).toBeCloseTo(BUDGET - c1, 6);
    expect(Number(second.left)).toBeCloseTo(BUDGET - c1 - c2, 6);
    // A stream's cost is known only at its end: the figures from before it, and no cost of its own.
    expect(third.cost).toBeNull();
    expect(Number(third.session)).toBeCloseTo(c1 + c2, 6);
    expect(Number(third.left)).toBeCloseTo(BUDGET - c1 - c2, 6);
    // Another session starts from nothing; the budget is the key's, whatever the session.
    expect(Number(other.session)).toBeCloseTo(cost(other.id), 6);
    expect(Number(other.left)).toBeCloseTo(BUDGET - c1 - c2 - c3 - cost(other.id), 6);
  });

  it("no session, no budget: no session or budget header, the cost still", async () => {
    const minted = await admin(h, "POST", "/keys", { name: `n-${randomBytes(3).toString("hex")}` });
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${minted.body.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "via-anthropic", messages: [{ role: "user", content: "hi" }] }),
    });
    await res.text();
    expect(Number(res.headers.get("llmux-cost-usd"))).toBeGreaterThan(0);
    expect(res.headers.get("llmux-session-cost-usd")).toBeNull();
    expect(res.headers.get("llmux-budget-remaining-usd")).toBeNull();
  });
});
