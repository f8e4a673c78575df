/**
 * Soft budgets on minted keys' and teams' own budgets (stored by the admin API, 141_budget_downgrade), on
 * SQLite with the in-process state and on PostgreSQL with Redis: the admin API takes and shows
 * `budget.downgrade` (refusing an alias the configuration does not have, with the field named); a key past
 * its `downgrade.at` is served by the cheaper alias (llmux-route, llmux-warnings, the log row, one alert) and
 * refused at its limit; a team's downgrade applies to its keys; a downgrade to an alias the key may not use
 * is refused as that alias would be.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPostgres, freshSqlite, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { ADMIN, admin, call, teamHarness, within } from "../support/team.js";
import { receiver } from "../support/webhook-receiver.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const SETUPS = [
  { name: "SQLite, in-process state", fresh: freshSqlite, redis: false },
  { name: "PostgreSQL, Redis", fresh: freshPostgres, redis: true },
];

interface Served {
  status: number;
  route: string;
  warnings: string;
  upstream: string | undefined;
  id: string;
  message?: string;
}

describe.each(SETUPS)("soft budgets of keys and teams on $name", ({ fresh, redis }) => {
  let where: TestLocation;
  let h: Harness;
  let hook: Awaited<ReturnType<typeof receiver>>;
  const prefix = `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`;
  const tag = randomBytes(3).toString("hex");
  beforeAll(async () => {
    where = await fresh();
    hook = await receiver();
    h = await teamHarness(where, {
      ...(redis ? { state: { url: REDIS, prefix } } : {}),
      prices: { "claude-sonnet-4-5": { input: 3, output: 15 }, "claude-haiku-4-5": { input: 1, output: 5 } },
      models: {
        dear: { provider: "anthropic", model: "claude-sonnet-4-5" },
        cheap: { provider: "anthropic", model: "claude-haiku-4-5" },
      },
      alerts: {
        destinations: { ops: { type: "webhook", url: hook.url } },
        rules: [{ on: "budget_downgrade", to: ["ops"] }],
      },
    });
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    hook?.server.close();
    await where?.drop();
  });

  async function ask(key: string): Promise<Served> {
    const from = h.mock.requests.length;
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "dear", max_tokens: 16, messages: [{ role: "user", content: "a ".repeat(60) }] }),
    });
    const body = (await res.json()) as { model?: string; error?: { message: string } };
    if (res.status === 200) expect(body.model).toBe("dear");
    return {
      status: res.status,
      route: res.headers.get("llmux-route") ?? "",
      warnings: res.headers.get("llmux-warnings") ?? "",
      upstream: (h.mock.requests[from]?.body as { model?: string } | undefined)?.model,
      id: res.headers.get("x-request-id") ?? "",
      message: body.error?.message,
    };
  }

  /** Requests until the budget refuses one (at most 40). */
  async function spend(key: string): Promise<Served[]> {
    const out: Served[] = [];
    for (let i = 0; i < 40 && !out.some((s) => s.status === 429); i++) out.push(await ask(key));
    return out;
  }

  it("the admin API takes, shows and checks a key's and a team's downgrade", async () => {
    const bad = await admin(h, "POST", "/keys", {
      name: `bad-${tag}`,
      budget: { usd: 1, period: "month", downgrade: { at: 0.8, to: "nowhere" } },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("budget.downgrade.to: no model alias named 'nowhere'");
    const badAt = await admin(h, "POST", "/teams", {
      name: `bad-${tag}`,
      budget: { usd: 1, period: "month", downgrade: { at: 1.5, to: "cheap" } },
    });
    expect(badAt.status).toBe(400);
    expect(JSON.stringify(badAt.body)).toContain("budget.downgrade.at");
    const k = await admin(h, "POST", "/keys", {
      name: `shown-${tag}`,
      budget: { usd: 5, period: "week", downgrade: { at: 0.75, to: "cheap" } },
    });
    expect(k.status, JSON.stringify(k.body)).toBe(201);
    expect(k.body.budget).toEqual({ usd: 5, period: "week", downgrade: { at: 0.75, to: "cheap" } });
    const got = await admin(h, "GET", `/keys/${k.body.id}`);
    expect(got.body.budget).toEqual({ usd: 5, period: "week", downgrade: { at: 0.75, to: "cheap" } });
    // A budget given without it has none (the budget is replaced whole).
    const patched = await admin(h, "PATCH", `/keys/${k.body.id}`, { budget: { usd: 6, period: "week" } });
    expect(patched.body.budget).toEqual({ usd: 6, period: "week" });
    const t = await admin(h, "POST", "/teams", {
      name: `shown-${tag}`,
      budget: { usd: 50, period: "month", downgrade: { at: 0.9, to: "cheap" } },
    });
    expect(t.status, JSON.stringify(t.body)).toBe(201);
    const teams = await admin(h, "GET", "/teams");
    expect(teams.body.data.find((x: { id: string }) => x.id === t.body.id).budget).toEqual({
      usd: 50,
      period: "month",
      downgrade: { at: 0.9, to: "cheap" },
    });
  });

  it("a key past its downgrade.at is served by the cheaper alias (said so, alerted once), then refused at its limit", async () => {
    const k = await admin(h, "POST", "/keys", {
      name: `soft-${tag}`,
      budget: { usd: 0.002, period: "month", downgrade: { at: 0.5, to: "cheap" } },
    });
    expect(k.status, JSON.stringify(k.body)).toBe(201);
    const served = await spend(k.body.key);
    const statuses = served.map((s) => s.status);
    expect(statuses[0]).toBe(200);
    expect(served[0]!.upstream).toBe("claude-sonnet-4-5");
    const firstDown = served.findIndex((s) => s.route.includes("downgraded to cheap"));
    expect(firstDown).toBeGreaterThan(0);
    const down = served[firstDown]!;
    expect(down.upstream).toBe("claude-haiku-4-5");
    expect(down.route).toMatch(
      new RegExp(
        `^anthropic/claude-haiku-4-5 \\(downgraded to cheap: key soft-${tag} \\(${k.body.id}\\) has spent \\d+% of its month budget of \\$0\\.002 \\(downgrade at 50%\\)\\)$`,
      ),
    );
    expect(down.warnings).toMatch(
      new RegExp(
        `^Served by 'cheap' instead of 'dear': key soft-${tag} \\(${k.body.id}\\) has spent \\d+% of its month budget\\.$`,
      ),
    );
    const refusedAt = statuses.indexOf(429);
    expect(refusedAt).toBeGreaterThan(firstDown);
    expect(served.slice(firstDown, refusedAt).every((s) => s.status === 200 && s.upstream === "claude-haiku-4-5")).toBe(
      true,
    );
    expect(served.slice(0, firstDown).every((s) => s.upstream === "claude-sonnet-4-5")).toBe(true);
    // The log row says so.
    let row: { alias?: string; route?: string } = {};
    await within(10_000, async () => {
      const r = await call(h.url, "GET", `/admin/v1/requests/${down.id}`, ADMIN);
      row = r.body;
      return r.status === 200;
    });
    expect(row).toMatchObject({ alias: "cheap", route: down.route });
    // The alert: once, when the key started being downgraded.
    await within(10_000, async () => hook.got.some((g) => g.body.includes(k.body.id)));
    await new Promise((r) => setTimeout(r, 300));
    const alerts = hook.got
      .map((g) => JSON.parse(g.body) as { rule: string; id: string; scope: string; message: string })
      .filter((a) => a.id === k.body.id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: "budget_downgrade", scope: "key" });
    expect(alerts[0]!.message).toContain("now served by 'cheap'");
  }, 60_000);

  it("a team's downgrade serves its keys by the cheaper alias; one the key may not use is refused as that alias", async () => {
    const t = await admin(h, "POST", "/teams", {
      name: `soft-team-${tag}`,
      budget: { usd: 0.002, period: "day", downgrade: { at: 0.5, to: "cheap" } },
    });
    expect(t.status, JSON.stringify(t.body)).toBe(201);
    const k = await admin(h, "POST", "/keys", { name: `member-${tag}`, team_id: t.body.id });
    const served = await spend(k.body.key);
    const firstDown = served.findIndex((s) => s.route.includes("downgraded to cheap"));
    expect(firstDown).toBeGreaterThan(0);
    expect(served[firstDown]!.route).toContain(`team soft-team-${tag} (${t.body.id}) has spent`);
    expect(served[firstDown]!.upstream).toBe("claude-haiku-4-5");
    expect(served.at(-1)!.status).toBe(429);

    // A key whose own allow-list leaves out the cheaper alias: refused as `cheap` would be, once downgraded.
    const only = await admin(h, "POST", "/keys", {
      name: `dear-only-${tag}`,
      models: ["dear"],
      budget: { usd: 0.002, period: "month", downgrade: { at: 0.5, to: "cheap" } },
    });
    const tried = await spend(only.body.key);
    const refused = tried.findIndex((s) => s.status !== 200);
    expect(refused).toBeGreaterThan(0);
    expect(tried[refused]!.status).toBe(403);
    expect(tried[refused]!.message).toContain("The model 'cheap' is not allowed for this API key");
    expect(tried[refused]!.message).toContain(`(soft budget: key dear-only-${tag}`);
    expect(tried.slice(0, refused).every((s) => s.upstream === "claude-sonnet-4-5")).toBe(true);
  }, 60_000);
});
