/**
 * Alerts pushed (src/observe/alerts.ts) by three gateway instances sharing PostgreSQL and Redis: a key blocked
 * by its budget is reported once to a signed webhook (retried after the receiver fails twice; its HMAC checked
 * here with node:crypto) and once to a Slack-format receiver, however many instances refuse it; a budget
 * share passed is reported once in Teams' format. The webhook secret is in no log line. The alert log decides:
 * after Redis lost every key of the prefix, the three instances and a fourth that starts then refuse the key
 * again and send nothing more.
 */
import { createHmac, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alertRequest } from "../../src/observe/alerts.js";
import { redisClient } from "../../src/state/ioredis.js";
import { freshPostgres, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { ADMIN, admin, MASTER, within } from "../support/team.js";
import { receiver } from "../support/webhook-receiver.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const SECRET = `whsec-${randomBytes(12).toString("hex")}`;

describe("alerts from three instances on PostgreSQL and Redis", () => {
  let where: TestLocation;
  const instances: Harness[] = [];
  let hook: Awaited<ReturnType<typeof receiver>>;
  let slack: Awaited<ReturnType<typeof receiver>>;
  let teams: Awaited<ReturnType<typeof receiver>>;
  const prefix = `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`;
  const start = () =>
    startHarness(
      () => ({
        store: { url: where.url },
        state: { url: REDIS, prefix },
        admin: { keys: [ADMIN] },
        secrets: { master_key: MASTER },
        billing: { alert_at: 0.01 },
        alerts: {
          destinations: {
            ops: { type: "webhook", url: hook.url, secret: SECRET },
            chat: { type: "slack", url: slack.url },
            channel: { type: "teams", url: teams.url },
          },
          rules: [
            { on: "budget_blocked", to: ["ops", "chat"] },
            { on: "budget_share", to: ["channel"] },
          ],
        },
      }),
      {},
      { alertBackoffMs: [50, 100, 200] },
    );
  beforeAll(async () => {
    where = await freshPostgres();
    hook = await receiver(2);
    slack = await receiver();
    teams = await receiver();
    for (let i = 0; i < 3; i++) instances.push(await start());
  }, 60_000);
  afterAll(async () => {
    for (const h of instances) await h.close();
    for (const r of [hook, slack, teams]) r.server.close();
    await where.drop();
  });

  const ask = (h: Harness, key: string) =>
    fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "via-anthropic", messages: [{ role: "user", content: "hi" }] }),
    }).then(async (r) => {
      await r.text();
      return r.status;
    });

  it("a blocked key: once to the signed webhook (after two failures) and once to Slack, from three instances", async () => {
    const k = (
      await admin(instances[0]!, "POST", "/keys", { name: "broke", budget: { usd: 0.000001, period: "month" } })
    ).body;
    const statuses: number[] = [];
    for (let round = 0; round < 3; round++) for (const h of instances) statuses.push(await ask(h, k.key));
    expect(statuses.every((s) => s === 429)).toBe(true);
    expect(await within(10_000, async () => hook.got.some((g) => g.status === 200) && slack.got.length > 0)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(hook.got.map((g) => g.status)).toEqual([500, 500, 200]);
    expect(slack.got).toHaveLength(1);
    const sent = hook.got[2]!;
    const body = JSON.parse(sent.body);
    expect(body).toMatchObject({
      rule: "budget_blocked",
      scope: "key",
      id: k.id,
      name: "broke",
      budget_usd: 0.000001,
      period: "month",
    });
    const ts = String(sent.headers["llmux-timestamp"]);
    const expected = createHmac("sha256", SECRET).update(`${ts}.${sent.body}`).digest("hex");
    expect(sent.headers["llmux-signature"]).toBe(`sha256=${expected}`);
    expect(JSON.parse(slack.got[0]!.body).text).toContain(`key broke (${k.id}) is blocked by its month budget`);
    for (const h of instances) expect(JSON.stringify(h.logs)).not.toContain(SECRET);

    // Redis loses every key of the prefix (FLUSHDB of this deployment's keys); a fourth instance joins.
    const c = new (redisClient())(REDIS);
    const keys = await c.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    await c.del(...keys);
    await c.quit();
    instances.push(await start());
    for (const h of instances) expect(await ask(h, k.key)).toBe(429);
    await new Promise((r) => setTimeout(r, 500));
    expect(hook.got.map((g) => g.status)).toEqual([500, 500, 200]);
    expect(slack.got).toHaveLength(1);
  });

  it("a budget share passed: once, in Teams' format", async () => {
    const k = (await admin(instances[0]!, "POST", "/keys", { name: "spender", budget: { usd: 1, period: "month" } }))
      .body;
    for (const h of instances) expect(await ask(h, k.key)).toBe(200);
    expect(await within(10_000, async () => teams.got.length > 0)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const mine = teams.got.filter((g) => g.body.includes(k.id));
    expect(mine).toHaveLength(1);
    expect(JSON.parse(mine[0]!.body)).toMatchObject({ "@type": "MessageCard", summary: "budget_share" });
  });

  it("a webhook without a secret is sent unsigned; Slack's body is its text", () => {
    const e = { rule: "budget_share" as const, scope: "team", id: "t1", window: "0", message: "team t1 has used 80%" };
    expect(alertRequest({ type: "webhook", url: "http://x/" }, e).headers["llmux-signature"]).toBeUndefined();
    expect(JSON.parse(alertRequest({ type: "slack", url: "http://x/" }, e).body)).toEqual({
      text: ":rotating_light: llmux: team t1 has used 80%",
    });
  });
});
