/**
 * Money under load: many streamed answers at once, each far larger than a reservation of its max_tokens
 * could cover, against one budget. What they all spend stays within the budget but for one request's worth,
 * on the embedded default (SQLite, in-process state) and on PostgreSQL with Redis.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPostgres, freshSqlite, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { ADMIN, call, MASTER, sleep } from "../support/team.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const SETUPS = [
  { name: "SQLite, in-process state", fresh: freshSqlite, redis: false },
  { name: "PostgreSQL, Redis", fresh: freshPostgres, redis: true },
];

/** Every answer: 40,000 characters (10,000 output tokens, $0.15 at claude-sonnet-4-5's $15 per million). */
const ANSWER_CHARS = 40_000;
const ONE_ANSWER_USD = (ANSWER_CHARS / 4) * 15e-6 + 1e-4;
const BUDGET_USD = 0.5;
const CONCURRENT = 40;

/** The key's spend in the ledger, once it stops changing (rows are written in batches). */
async function settledSpend(h: Harness, id: string): Promise<number> {
  let last = -1;
  for (let stable = 0; stable < 3; ) {
    await sleep(200);
    const r = await call(h.url, "GET", `/admin/v1/keys/${id}`, ADMIN);
    const spend = r.body.spend_usd as number;
    stable = spend === last ? stable + 1 : 0;
    last = spend;
  }
  return last;
}

describe.each(SETUPS)("budgets under concurrency on $name", ({ fresh, redis }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await startHarness(
      () => ({
        store: where.url ? { url: where.url } : { path: where.path },
        ...(redis
          ? { state: { url: REDIS, prefix: `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:` } }
          : {}),
        admin: { keys: [ADMIN] },
        secrets: { master_key: MASTER },
      }),
      {
        fallback: () => ({
          blocks: [{ type: "text", text: "x".repeat(ANSWER_CHARS) }],
          chunkChars: 400,
          chunkDelayMs: 1,
        }),
      },
    );
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  it(`${CONCURRENT} concurrent streams of answers far beyond 4,096 tokens spend at most one request's worth over the budget`, async () => {
    const minted = await call(h.url, "POST", "/admin/v1/keys", ADMIN, {
      name: `load-${randomBytes(4).toString("hex")}`,
      budget: { usd: BUDGET_USD, period: "day" },
    });
    expect(minted.status).toBe(201);
    const one = async () => {
      const r = await fetch(`${h.url}/v1/messages`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-api-key": minted.body.key,
          "anthropic-version": "2023-06-01",
        },
        body: JSON.stringify({
          model: "via-anthropic",
          max_tokens: 32_000,
          stream: true,
          messages: [{ role: "user", content: "write" }],
        }),
      });
      return { status: r.status, text: await r.text() };
    };
    const answers = await Promise.all(Array.from({ length: CONCURRENT }, one));
    const served = answers.filter((a) => a.status === 200);
    expect(served.length).toBeGreaterThan(0);
    const spent = await settledSpend(h, minted.body.id);
    expect(spent).toBeGreaterThan(BUDGET_USD * 0.5);
    expect(spent).toBeLessThanOrEqual(BUDGET_USD + ONE_ANSWER_USD);
    // An answer ended for its budget says so in its own stream.
    expect(served.some((a) => a.text.includes("Budget exhausted during the answer"))).toBe(true);
    // Streams are cut by what requests in flight hold (output counted high), and settle to their real,
    // lower cost: the budget may keep a little. A request admitted on that remainder spends it (or is ended
    // for it); within a few, one is refused, and the refusal tells the true spend.
    let after = await one();
    for (let admitted = 0; after.status === 200 && admitted < 4; admitted++) after = await one();
    expect(after.status).toBe(402);
    const final = await settledSpend(h, minted.body.id);
    expect(final).toBeLessThanOrEqual(BUDGET_USD + ONE_ANSWER_USD);
    const said = /spent \$(\d+\.\d+)/.exec(after.text);
    expect(Number(said?.[1])).toBeCloseTo(final, 2);
  }, 60_000);
});
