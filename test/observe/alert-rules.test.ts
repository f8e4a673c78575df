/**
 * The alert rules beyond budgets, on SQLite with the in-process state (one instance) and on PostgreSQL with
 * Redis (three instances): a deployment cooling down, every deployment of an alias down, an error rate over
 * its threshold, a cache hit rate under its threshold, the daily and weekly spend reports per team. Each
 * reaches the signed webhook once (its secret sealed by `llmux secrets seal`, opened in memory, its HMAC
 * checked here with node:crypto, in no log line), after the receiver failed at first; each is listed in
 * GET /admin/v1/alerts with how it was delivered.
 */
import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { previousPeriods } from "../../src/observe/alert-reports.js";
import { llmux } from "../cli/run.js";
import { freshPostgres, freshSqlite, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { ADMIN, admin, MASTER, within } from "../support/team.js";
import { receiver } from "../support/webhook-receiver.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const SECRET = `whsec-${randomBytes(12).toString("hex")}`;
const DAY = 86_400_000;
/**
 * The rate rules' window: shares are counted per window (floor(now / window_s)), and the tests below count
 * requests of one window across tests; 11.6 days, so that no run crosses a boundary (with an hour, a run
 * crossing one split the first test's three failures).
 */
const WINDOW_S = 1_000_000;

/**
 * Resolves when at least 10 s of the current wall-clock minute are left. A deployment (or alias) going down
 * is alerted once per minute window (alert-watch.ts): three instances' requests either side of a minute's
 * turn are two windows and two alerts, as designed, so a test that counts one keeps its requests in one.
 */
async function clearOfMinuteTurn(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 10_000) await new Promise((r) => setTimeout(r, left + 20));
}

/** The secret sealed by the CLI, as an operator would put it in the configuration. */
async function sealed(): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), "llmux-seal-")), "llmux.yaml");
  writeFileSync(file, JSON.stringify({ secrets: { master_key: MASTER } }));
  const r = await llmux(["secrets", "seal", "--config", file, "--value", SECRET]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

const SETUPS = [
  { name: "SQLite, in-process state, one instance", fresh: freshSqlite, redis: false, count: 1 },
  { name: "PostgreSQL, Redis, three instances", fresh: freshPostgres, redis: true, count: 3 },
];

describe.each(SETUPS)("alert rules on $name", { timeout: 90_000 }, ({ fresh, redis, count }) => {
  let where: TestLocation;
  const instances: Harness[] = [];
  let hook: Awaited<ReturnType<typeof receiver>>;
  let slack: Awaited<ReturnType<typeof receiver>>;
  let secret: string;
  beforeAll(async () => {
    where = await fresh();
    hook = await receiver(2);
    slack = await receiver();
    secret = await sealed();
    expect(secret).toMatch(/^sealed:/);
    expect(secret).not.toContain(SECRET);
    const prefix = `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`;
    for (let i = 0; i < count; i++)
      instances.push(
        await startHarness(
          () => ({
            store: where.url ? { url: where.url } : { path: where.path },
            ...(redis ? { state: { url: REDIS, prefix } } : {}),
            admin: { keys: [ADMIN] },
            secrets: { master_key: MASTER },
            alerts: {
              destinations: {
                ops: { type: "webhook", url: hook.url, secret },
                chat: { type: "slack", url: slack.url },
              },
              rules: [
                { on: "deployment_down", to: ["ops"] },
                { on: "alias_down", to: ["ops", "chat"] },
                { on: "error_rate", to: ["ops"], threshold: 0.3, min_requests: 3, window_s: WINDOW_S },
                { on: "cache_hit_rate", to: ["ops"], threshold: 0.5, min_requests: 2, window_s: WINDOW_S },
                { on: "daily_report", to: ["ops"] },
                { on: "weekly_report", to: ["ops"] },
              ],
            },
          }),
          {},
          { alertBackoffMs: [50, 100, 200] },
        ),
      );
  }, 60_000);
  afterAll(async () => {
    for (const h of instances) await h.close();
    for (const r of [hook, slack]) r.server.close();
    await where.drop();
  });

  const ask = (h: Harness, key: string, model: string) =>
    fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
    }).then(async (r) => {
      await r.text();
      return r.status;
    });

  /** The webhook's delivered alerts of a rule (signature checked), once the receiver has them. */
  const delivered = (rule: string) =>
    hook.got
      .filter((g) => g.status === 200)
      .map((g) => {
        const ts = String(g.headers["llmux-timestamp"]);
        const expected = createHmac("sha256", SECRET).update(`${ts}.${g.body}`).digest("hex");
        expect(g.headers["llmux-signature"]).toBe(`sha256=${expected}`);
        return JSON.parse(g.body) as Record<string, unknown>;
      })
      .filter((b) => b.rule === rule);

  const settle = () => new Promise((r) => setTimeout(r, 500));

  it("a deployment cooling down and its alias left without one: once each, after the receiver failed twice", async () => {
    const k = (await admin(instances[0]!, "POST", "/keys", { name: `d-${randomBytes(3).toString("hex")}` })).body;
    for (const h of instances) h.mock.enqueue({ httpError: { status: 429, message: "slow down", retryAfter: "30" } });
    await clearOfMinuteTurn();
    for (const h of instances) expect(await ask(h, k.key, "via-anthropic")).toBe(429);
    expect(await within(10_000, async () => delivered("alias_down").length > 0 && slack.got.length > 0)).toBe(true);
    await settle();
    expect(hook.got.slice(0, 2).map((g) => g.status)).toEqual([500, 500]);
    const down = delivered("deployment_down");
    expect(down).toHaveLength(1);
    expect(down[0]).toMatchObject({ scope: "deployment", id: "anthropic/claude-sonnet-4-5" });
    expect(delivered("alias_down")).toHaveLength(1);
    expect(delivered("alias_down")[0]).toMatchObject({ scope: "alias", id: "via-anthropic" });
    expect(slack.got).toHaveLength(1);
    expect(JSON.parse(slack.got[0]!.body).text).toMatch(/every deployment of via-anthropic is down/);
  });

  it("an error rate over its threshold, and a cache hit rate under its own: once each", async () => {
    const k = (await admin(instances[0]!, "POST", "/keys", { name: `e-${randomBytes(3).toString("hex")}` })).body;
    const h = instances[0]!;
    expect(await ask(h, k.key, "via-openai-chat")).toBe(200);
    expect(await ask(h, k.key, "via-openai-chat")).toBe(200);
    h.mock.enqueue({ httpError: { status: 400, message: "bad request" } });
    expect(await ask(h, k.key, "via-openai-chat")).toBe(400);
    expect(await within(10_000, async () => delivered("error_rate").length > 0)).toBe(true);
    expect(await within(10_000, async () => delivered("cache_hit_rate").length > 0)).toBe(true);
    for (let i = 0; i < 3; i++) expect(await ask(h, k.key, "via-openai-chat")).toBe(200);
    await settle();
    // The first test's 429s, one per instance, are one shared window: 3 of 3 failed across three instances.
    const anthropic = delivered("error_rate").filter((b) => b.id === "anthropic/claude-sonnet-4-5");
    expect(anthropic).toHaveLength(count === 3 ? 1 : 0);
    if (count === 3) expect(anthropic[0]).toMatchObject({ failed: 3, requests: 3 });
    const errors = delivered("error_rate").filter((b) => b.id !== "anthropic/claude-sonnet-4-5");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ scope: "deployment", failed: 1, requests: 3 });
    expect(delivered("cache_hit_rate")).toHaveLength(1);
    expect(delivered("cache_hit_rate")[0]).toMatchObject({ scope: "model", id: "gpt-4.1", cache_hit_rate: 0 });
  });

  it("the daily and weekly reports: one per team that spent, however many instances check", async () => {
    const team = (await admin(instances[0]!, "POST", "/teams", { name: `r-${randomBytes(3).toString("hex")}` })).body;
    const k = (
      await admin(instances[0]!, "POST", "/keys", { name: `r-${randomBytes(3).toString("hex")}`, team_id: team.id })
    ).body;
    for (const h of instances) expect(await ask(h, k.key, "via-openai-chat")).toBe(200);
    // The ledger has the team's rows before the reports read it.
    await within(10_000, async () => {
      const s = await admin(instances[0]!, "GET", "/spend?group_by=team");
      return s.body.rows.some((r: { group: string; requests: number }) => r.group === team.id && r.requests === count);
    });
    // As if tomorrow (and a week on): today is the day, and this week the week, before.
    const now = Date.now();
    const nextWeek = previousPeriods(now).week[1] + 7 * DAY + 1000;
    await Promise.all(instances.map((h) => h.gateway.alerting.reports!.check(now + DAY)));
    await Promise.all(instances.map((h) => h.gateway.alerting.reports!.check(nextWeek)));
    await settle();
    const daily = delivered("daily_report").filter((b) => b.id === team.id);
    const weekly = delivered("weekly_report").filter((b) => b.id === team.id);
    expect(daily).toHaveLength(1);
    expect(weekly).toHaveLength(1);
    expect(daily[0]).toMatchObject({ scope: "team", team: team.name, requests: count, period: "day" });
    expect(daily[0]!.message).toMatch(new RegExp(`team ${team.name} spent \\$\\d+\\.\\d\\d on ${count} requests`));
  });

  it("lists what was sent in GET /admin/v1/alerts, with each delivery; the secret is in no log line", async () => {
    const list = await admin(instances[0]!, "GET", "/alerts?limit=100");
    expect(list.status).toBe(200);
    const rows = list.body.data as {
      rule: string;
      state: string;
      deliveries: { destination: string; attempts: number }[];
    }[];
    for (const rule of [
      "deployment_down",
      "alias_down",
      "error_rate",
      "cache_hit_rate",
      "daily_report",
      "weekly_report",
    ])
      expect(rows.filter((r) => r.rule === rule).length, rule).toBeGreaterThanOrEqual(1);
    expect(rows.every((r) => r.state === "sent")).toBe(true);
    // The receiver's two failures were retried: two attempts more than deliveries, over all of them.
    const ops = rows.flatMap((r) => r.deliveries.filter((d) => d.destination === "ops"));
    expect(ops.reduce((n, d) => n + d.attempts - 1, 0)).toBe(2);
    expect(JSON.stringify(list.body)).not.toContain(hook.url);
    const only = await admin(instances[0]!, "GET", "/alerts?rule=alias_down");
    expect(only.body.data.every((r: { rule: string }) => r.rule === "alias_down")).toBe(true);
    for (const h of instances) expect(JSON.stringify(h.logs)).not.toContain(SECRET);
  });
});
