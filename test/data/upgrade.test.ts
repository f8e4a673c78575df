/**
 * Upgrading a database written by the release before (3c151be), on SQLite and PostgreSQL: the fixtures in
 * test/fixtures/release-3c151be/ were written by that release's own gateway (write.mjs there says how). This
 * release opens them, migrates them (budgets into nano-dollars), and answers what that release answered: the
 * keys authenticate with their budgets and credentials, spend and the request log read back the same
 * through the admin API, the stored Responses answer is served, and new requests add to them.
 */
import { copyFileSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPostgres, type TestLocation } from "../support/engines.js";
import { type Body, type Harness, startHarness, tempStorePath } from "../support/gateway.js";
import { call } from "../support/team.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/release-3c151be");
const require = createRequire(import.meta.url);

/** A fixture as a database of this test's own: the SQLite file copied, the PostgreSQL dump loaded. */
async function restore(engine: "sqlite" | "postgres"): Promise<TestLocation> {
  if (engine === "sqlite") {
    const path = tempStorePath();
    copyFileSync(join(FIXTURES, "sqlite/llmux.db"), path);
    return { engine, path, drop: async () => undefined };
  }
  const where = await freshPostgres();
  const pg = require("pg") as typeof import("pg");
  const c = new pg.Client({ connectionString: where.url });
  await c.connect();
  try {
    await c.query(readFileSync(join(FIXTURES, "postgres/dump.sql"), "utf8"));
  } finally {
    await c.end();
  }
  return where;
}

/** What a key or team answer holds that does not depend on today's date (a budget's current window). */
const settled = (a: Body) => {
  const { spend_usd, budget_remaining_usd, budget_resets_at, budget_alert, ...rest } = a;
  return rest;
};

/**
 * What an answer says of what the release before answered: the fields it had (answers only add fields; a
 * field the release before answered must answer the same), recursively through objects and arrays.
 */
function asBefore(now: unknown, before: unknown): unknown {
  if (Array.isArray(before) && Array.isArray(now)) return now.map((v, i) => asBefore(v, before[i]));
  if (before && typeof before === "object" && now && typeof now === "object" && !Array.isArray(before))
    return Object.fromEntries(
      Object.keys(before).map((k) => [k, asBefore((now as Record<string, unknown>)[k], (before as Body)[k])]),
    );
  return now;
}

const chat = (model: string, content: string) => ({ model, messages: [{ role: "user", content }] });

describe.each(["sqlite", "postgres"] as const)("a %s database of release 3c151be", (engine) => {
  const m = JSON.parse(readFileSync(join(FIXTURES, engine, "manifest.json"), "utf8")) as Body;
  const admin = m.admin_key as string;
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await restore(engine);
    h = await startHarness((mockUrl) => ({
      store: { path: where.path, retention_days: 36500, ...(where.url ? { url: where.url } : {}) },
      auth: { keys: [m.service_key] },
      admin: { keys: [admin] },
      secrets: { master_key: m.master_key },
      logging: { bodies: "all" },
      providers: {
        up: { type: "openai", base_url: `${mockUrl}/v1`, api_key: "oa-fixture", api: "chat" },
        anthropic: { type: "anthropic", base_url: mockUrl, api_key: "an-fixture" },
      },
      models: {
        "gpt-a": { provider: "up", model: "gpt-4.1" },
        claude: { provider: "anthropic", model: "claude-sonnet-4-5" },
      },
    }));
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    await where?.drop();
  });

  it("is migrated: budgets are kept in nano-dollars, the same budgets", async () => {
    const db = await h.gateway.team!.data.db();
    const applied = (await db.selectFrom("llmux_migrations").select("id").execute()).map((r) => r.id);
    expect(applied).toContain("006_budget_nanos");
    const nanos = async (table: "api_keys" | "teams", id: string) =>
      Number(
        (await db.selectFrom(table).select("budget_nanos").where("id", "=", id).executeTakeFirstOrThrow()).budget_nanos,
      );
    expect(await nanos("api_keys", m.keys.alice.answer.id)).toBe(3_250_000_000);
    expect(await nanos("api_keys", m.keys.bob.answer.id)).toBe(500_000_000);
    expect(await nanos("api_keys", m.keys.tiny.answer.id)).toBe(123_000);
    expect(await nanos("teams", m.team.id)).toBe(12_500_000_000);
  });

  it("answers about keys, the team, spend and the request log what the release before answered", async () => {
    for (const name of ["alice", "bob", "tiny"]) {
      const before = m.keys[name].answer as Body;
      const now = await call(h.url, "GET", `/admin/v1/keys/${before.id}`, admin);
      expect(now.status).toBe(200);
      // A total budget's window never moves: its spend is the same too.
      const said = asBefore(now.body, before) as Body;
      expect(before.budget.period === "total" ? said : settled(said)).toEqual(
        before.budget.period === "total" ? before : settled(before),
      );
    }
    const team = await call(h.url, "GET", `/admin/v1/teams/${m.team.id}`, admin);
    expect(settled(asBefore(team.body, m.team) as Body)).toEqual(settled(m.team));
    // The release before counted a refused request as a request, with its prompt's estimate as tokens: now a
    // refusal is counted apart, with no tokens. What it said, less its refusals read from the ledger.
    const db = await h.gateway.team!.data.db();
    const refusals = await db.selectFrom("ledger").selectAll().where("outcome", "=", "refused").execute();
    expect(refusals.length).toBeGreaterThan(0);
    const lessRefusals = (rows: Body[], column: "key_id" | "alias") =>
      rows.map((r) => {
        const mine = refusals.filter((x) => x[column] === r.group);
        const input = mine.reduce((a, x) => a + Number(x.input_tokens), 0);
        return { ...r, requests: r.requests - mine.length, input_tokens: r.input_tokens - input };
      });
    const spend = await call(h.url, "GET", "/admin/v1/spend?group_by=key&from=2000-01-01", admin);
    expect(asBefore(spend.body.rows, m.spend)).toEqual(lessRefusals(m.spend, "key_id"));
    expect(spend.body.rows.reduce((a: number, r: Body) => a + r.refused, 0)).toBe(refusals.length);
    const byModel = await call(h.url, "GET", "/admin/v1/spend?group_by=model&from=2000-01-01", admin);
    expect(asBefore(byModel.body.rows, m.spend_by_model)).toEqual(lessRefusals(m.spend_by_model, "alias"));
    const requests = await call(h.url, "GET", "/admin/v1/requests?limit=100", admin);
    // Rows of the release before carry no client x-request-id (a column added since); the fields that release
    // answered are as they were.
    expect(requests.body.rows.every((r: Body) => r.client_request_id === null)).toBe(true);
    expect(asBefore(requests.body.rows, m.requests)).toEqual(m.requests);
    const detail = await call(h.url, "GET", `/admin/v1/requests/${m.request_detail.id}`, admin);
    expect(asBefore(detail.body, m.request_detail)).toEqual(m.request_detail);
    expect(detail.body.conversation).not.toBeNull();
  });

  it("serves the stored Responses answer to its owner, and continues from it", async () => {
    const alice = m.keys.alice.key as string;
    const stored = await call(h.url, "GET", `/v1/responses/${m.response.id}`, alice);
    expect(stored.status).toBe(200);
    expect(stored.body).toEqual(m.response.answer);
    expect((await call(h.url, "GET", `/v1/responses/${m.response.id}`, m.keys.bob.key)).status).toBe(404);
    const next = await call(h.url, "POST", "/v1/responses", alice, {
      model: "gpt-a",
      input: "What is my name?",
      previous_response_id: m.response.id,
    });
    expect(next.status).toBe(200);
    // The earlier turn went upstream with the new one.
    expect(JSON.stringify(h.mock.requests.at(-1)!.body)).toContain("My name is Ada.");
  });

  it("authenticates the keys with their budgets and credentials", async () => {
    const alice = m.keys.alice.answer as Body;
    expect((await call(h.url, "POST", "/v1/chat/completions", m.keys.alice.key, chat("gpt-a", "again"))).status).toBe(
      200,
    );
    expect((await call(h.url, "POST", "/v1/chat/completions", m.keys.bob.key, chat("gpt-a", "mine"))).status).toBe(200);
    // Bob's own upstream key, sealed by the release before, opened with the same master key.
    expect(h.mock.requests.at(-1)!.headers.authorization).toBe("Bearer sk-fixture-bob-upstream");
    const tiny = await call(h.url, "POST", "/v1/chat/completions", m.keys.tiny.key, chat("gpt-a", "too dear"));
    expect(tiny.status).toBe(429);
    expect(tiny.body.error.message).toContain("total budget of $0.000123");
    expect((await call(h.url, "POST", "/v1/chat/completions", "lx-not-a-key", chat("gpt-a", "x"))).status).toBe(401);
    await h.gateway.requestLog!.flush();
    const now = await call(h.url, "GET", `/admin/v1/keys/${alice.id}`, admin);
    expect(now.body.spend_usd).toBeGreaterThan(alice.spend_usd);
  });

  it("adds new requests to the same ledger and request log", async () => {
    const alice = m.keys.alice.answer as Body;
    const rows = async () => {
      await h.gateway.requestLog!.flush();
      const spend = await call(h.url, "GET", "/admin/v1/spend?group_by=key&from=2000-01-01", admin);
      const log = await call(h.url, "GET", `/admin/v1/requests?limit=100&key_id=${alice.id}`, admin);
      return { spent: spend.body.rows.find((r: Body) => r.group === alice.id).requests, logged: log.body.rows.length };
    };
    const before = await rows();
    expect(before.spent).toBeGreaterThanOrEqual(m.spend.find((r: Body) => r.group === alice.id).requests);
    expect((await call(h.url, "POST", "/v1/chat/completions", m.keys.alice.key, chat("claude", "more"))).status).toBe(
      200,
    );
    expect(await rows()).toEqual({ spent: before.spent + 1, logged: before.logged + 1 });
  });
});
