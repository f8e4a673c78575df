/**
 * Tags (the llmux-tags header) and budgets set on a tag value (`tags:`), on SQLite with the in-process state
 * and on PostgreSQL with Redis: a tag's budget refuses what carries the tag once spent, and nothing else;
 * a restarted state is seeded from the ledger's tagged rows; the rows keep the request's tags; a malformed
 * entry is named in a warning.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPostgres, freshSqlite, type TestLocation } from "../support/engines.js";
import type { Body, Harness } from "../support/gateway.js";
import { admin, teamHarness } from "../support/team.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const SETUPS = [
  { name: "SQLite, in-process state", fresh: freshSqlite, redis: false },
  { name: "PostgreSQL, Redis", fresh: freshPostgres, redis: true },
];

describe.each(SETUPS)("tag budgets on $name", ({ fresh, redis }) => {
  let where: TestLocation;
  let h: Harness;
  const prefix = `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`;
  const start = () =>
    teamHarness(where, {
      ...(redis ? { state: { url: REDIS, prefix } } : {}),
      prices: { "claude-sonnet-4-5": { input: 3, output: 15 } },
      // About two requests' worth: the reservation of the third no longer fits.
      tags: { "project=checkout": { budget: { usd: 0.0005, period: "month" } } },
    });
  beforeAll(async () => {
    where = await fresh();
    h = await start();
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  const ask = async (key: string, tags?: string) => {
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${key}`,
        "content-type": "application/json",
        ...(tags !== undefined ? { "llmux-tags": tags } : {}),
      },
      body: JSON.stringify({
        model: "via-anthropic",
        max_tokens: 16,
        messages: [{ role: "user", content: "a ".repeat(40) }],
      }),
    });
    return { status: res.status, body: (await res.json()) as Body, warnings: res.headers.get("llmux-warnings") };
  };

  it("refuses what carries a spent tag, whoever sends it, and nothing else; rows keep the tags", async () => {
    const a = (await admin(h, "POST", "/keys", { name: `a-${randomBytes(3).toString("hex")}` })).body;
    const b = (await admin(h, "POST", "/keys", { name: `b-${randomBytes(3).toString("hex")}` })).body;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await ask(i % 2 ? a.key : b.key, "project=checkout, team=web")).status);
    expect(statuses[0]).toBe(200);
    expect(statuses).toContain(429);
    const refusedAt = statuses.indexOf(429);
    expect(statuses.slice(refusedAt).every((s) => s === 429)).toBe(true);
    const refused = await ask(a.key, "project=checkout");
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toMatch(/this tag has spent \$0\.000\d+ of its monthly budget of \$0\.0005/);
    // Another project, or no tag: not bound by it.
    expect((await ask(a.key, "project=search")).status).toBe(200);
    expect((await ask(a.key)).status).toBe(200);

    const db = await h.gateway.team!.data.db();
    const read = () => db.selectFrom("ledger").select(["id", "tags"]).where("key_id", "=", a.id).execute();
    let ledger = await read();
    // Every answered request of this key has its ledger row (written in batches): 200s and refusals alike.
    const sent = statuses.filter((_, i) => i % 2 === 1).length + 3;
    for (let i = 0; i < 400 && ledger.length < sent; i++) {
      await new Promise((r) => setTimeout(r, 50));
      ledger = await read();
    }
    expect(ledger).toHaveLength(sent);
    expect(ledger.filter((r) => r.tags === ",project=checkout,team=web,").length).toBeGreaterThan(0);
    expect(ledger.filter((r) => r.tags === ",project=search,")).toHaveLength(1);
    expect(ledger.filter((r) => r.tags === null)).toHaveLength(1);

    // A new state (restart without Redis' keys) starts the tag's window from the ledger: still refused.
    await h.close();
    // (on Redis, a prefix of its own: none of the counters the first instance kept)
    h = await teamHarness(where, {
      ...(redis ? { state: { url: REDIS, prefix: `${prefix}again:` } } : {}),
      prices: { "claude-sonnet-4-5": { input: 3, output: 15 } },
      tags: { "project=checkout": { budget: { usd: 0.0005, period: "month" } } },
    });
    expect((await ask(a.key, "project=checkout")).status).toBe(429);
    expect((await ask(a.key, "project=search")).status).toBe(200);
  });

  it("names malformed tags in a warning, and keeps the good ones", async () => {
    const k = (await admin(h, "POST", "/keys", { name: `w-${randomBytes(3).toString("hex")}` })).body;
    const r = await ask(k.key, "team=web,not a tag,=x");
    expect(r.status).toBe(200);
    expect(r.warnings).toMatch(/llmux-tags entries that are not key=value were ignored: not a tag, =x/);
  });
});
