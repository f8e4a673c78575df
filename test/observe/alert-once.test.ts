/**
 * An alert is sent once per rule, scope, subject and window, decided by the alert log (its row is the claim),
 * not by the hot state: three instances raising the same alert send it once, and so do three new ones after
 * the hot state forgot everything (Redis's keys of the prefix deleted; a new in-process state). On
 * PostgreSQL, an alert raised by three instances while the database is cut (a TCP proxy the test controls)
 * waits in their spools and is sent and logged once when it is restored.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../src/config/schema.js";
import { claimAlerts, recentAlerts, updateAlert } from "../../src/data/alert-log.js";
import { Data } from "../../src/data/data.js";
import { createLogger } from "../../src/log/logger.js";
import { type AlertEvent, type AlertLog, Alerts } from "../../src/observe/alerts.js";
import type { HotState } from "../../src/state/hot-state.js";
import { redisClient } from "../../src/state/ioredis.js";
import { MemoryState } from "../../src/state/memory.js";
import { RedisState } from "../../src/state/redis.js";
import { ENGINES, freshPostgres, type TestLocation } from "../support/engines.js";
import { tcpProxy } from "../support/tcp-proxy.js";
import { within } from "../support/team.js";
import { receiver } from "../support/webhook-receiver.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";

/** An alert log on `data`, its spool in a directory of its own (an instance's own machine). */
function logOn(data: Data): AlertLog {
  return {
    claim: (rows) => claimAlerts(data, rows),
    closed: (id, deliveries, state) => updateAlert(data, id, deliveries, state),
    spoolDir: mkdtempSync(join(tmpdir(), "llmux-alert-spool-")),
  };
}

const rules = (url: string): Config["alerts"] => ({
  destinations: { ops: { type: "webhook", url } },
  rules: [{ on: "budget_blocked", to: ["ops"], window_s: 300, min_requests: 20 }],
});

const event = (id: string): AlertEvent => ({
  rule: "budget_blocked",
  scope: "key",
  id,
  window: String(Date.UTC(2026, 0, 1)),
  until: Date.now() + 3_600_000,
  message: `key ${id} is blocked by its month budget of $1`,
  fields: { spent_usd: 1, budget_usd: 1 },
});

describe.each(ENGINES)("alerts decided by the alert log on $engine", ({ engine, fresh }) => {
  let where: TestLocation;
  let hook: Awaited<ReturnType<typeof receiver>>;
  const open: { alerts: Alerts; data: Data; hot: HotState }[] = [];
  const prefix = `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`;
  beforeAll(async () => {
    where = await fresh();
    hook = await receiver();
  });
  afterEach(async () => {
    for (const o of open.splice(0)) {
      await o.alerts.close();
      await o.data.close();
      await o.hot.close();
    }
  });
  afterAll(async () => {
    hook.server.close();
    await where.drop();
  });

  /** Three instances: each its own data layer and hot state (Redis: one prefix; memory: `shared`). */
  function three(shared: MemoryState): Alerts[] {
    return [0, 1, 2].map(() => {
      const data = new Data({ path: where.path, url: where.url });
      const hot = engine === "postgres" ? new RedisState({ url: REDIS, prefix }) : shared;
      const alerts = new Alerts(rules(hook.url), hot, createLogger("silent"), [20], logOn(data));
      open.push({ alerts, data, hot: engine === "postgres" ? hot : new MemoryState() });
      return alerts;
    });
  }

  /** The hot state forgets everything: the prefix's keys deleted in Redis (the in-process state is new). */
  async function forget(): Promise<void> {
    if (engine !== "postgres") return;
    const c = new (redisClient())(REDIS);
    const keys = await c.keys(`${prefix}*`);
    if (keys.length > 0) await c.del(...keys);
    await c.quit();
  }

  it("three instances send it once; three more after the hot state forgot it send nothing", async () => {
    const subject = `key_${randomBytes(4).toString("hex")}`;
    const mine = () => hook.got.filter((g) => g.body.includes(subject));
    const first = three(new MemoryState());
    await Promise.all(first.flatMap((a) => [a.fire(event(subject)), a.fire(event(subject))]));
    expect(mine()).toHaveLength(1);
    await forget();
    // New instances (nothing remembered), on a hot state that lost its keys: the alert log still has the row.
    const again = three(new MemoryState());
    await Promise.all(again.map((a) => a.fire(event(subject))));
    // And the first ones, asked again after the flush.
    await Promise.all(first.map((a) => a.fire(event(subject))));
    expect(mine()).toHaveLength(1);
    const data = open[0]!.data;
    const rows = (await recentAlerts(data, { limit: 50 })).filter((r) => r.subject === subject);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ rule: "budget_blocked", scope: "key", state: "sent" });
    // Another window of the same subject is another alert.
    await first[1]!.fire({ ...event(subject), window: String(Date.UTC(2026, 1, 1)) });
    expect(mine()).toHaveLength(2);
  });

  it.runIf(engine === "postgres")(
    "raised by three instances while PostgreSQL is cut: spooled, then sent and logged once when it returns",
    async () => {
      const pgWhere = await freshPostgres();
      const url = new URL(pgWhere.url!);
      const proxy = await tcpProxy(url.hostname, Number(url.port || 5432));
      url.hostname = "127.0.0.1";
      url.port = String(proxy.port);
      const subject = `key_${randomBytes(4).toString("hex")}`;
      const mine = () => hook.got.filter((g) => g.body.includes(subject));
      const instances = [0, 1, 2].map(() => {
        const data = new Data({ path: pgWhere.path, url: url.toString() });
        const hot = new RedisState({ url: REDIS, prefix });
        const log = logOn(data);
        const alerts = new Alerts(rules(hook.url), hot, createLogger("silent"), [20], log, undefined, 50);
        open.push({ alerts, data, hot });
        return { alerts, data, log };
      });
      try {
        // Migrated and connected before the cut.
        for (const i of instances) await i.data.db();
        proxy.cut();
        await Promise.all(instances.map((i) => i.alerts.fire(event(subject))));
        const spooled = (dir: string) =>
          readdirSync(dir).filter((n) => /\.(spool|journal)$/.test(n) && n.includes("alerts"));
        // Each waits in its instance's spool (or journal, on its way there); nothing was sent.
        expect(await within(10_000, async () => instances.every((i) => spooled(i.log.spoolDir).length > 0))).toBe(true);
        expect(mine()).toHaveLength(0);
        proxy.restore();
        expect(await within(15_000, async () => mine().length > 0)).toBe(true);
        // Every spool decided: written, and only one of the three sent it.
        expect(
          await within(15_000, async () =>
            instances.every((i) => !readdirSync(i.log.spoolDir).some((n) => n.endsWith(".spool"))),
          ),
        ).toBe(true);
        const rows = async () =>
          (await recentAlerts(instances[0]!.data, { limit: 50 })).filter((r) => r.subject === subject);
        expect(await within(10_000, async () => (await rows())[0]?.state === "sent")).toBe(true);
        expect(await rows()).toHaveLength(1);
        expect(mine()).toHaveLength(1);
      } finally {
        for (const o of open.splice(0)) {
          await o.alerts.close();
          await o.data.close();
          await o.hot.close();
        }
        await proxy.close();
        await pgWhere.drop();
      }
    },
    60_000,
  );
});
