/**
 * The daily and weekly spend reports follow `billing.timezone` (the windows budgets reset on,
 * src/limits/windows.ts): a day and a week (Monday to Monday) of Asia/Tokyo, not of UTC, bound what is
 * counted, and the report names its dates in that zone. On SQLite and PostgreSQL, with ledger rows placed on
 * either side of the Tokyo and UTC midnights; UTC, on the same rows, counts other rows (the oracle that the
 * zone is what moved them).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Data } from "../../src/data/data.js";
import { windowOf } from "../../src/limits/windows.js";
import { createLogger } from "../../src/log/logger.js";
import { AlertReports, previousPeriods, type ReportCalendar } from "../../src/observe/alert-reports.js";
import { Alerts } from "../../src/observe/alerts.js";
import { MemoryState } from "../../src/state/memory.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { ledgerRow } from "../support/ledger-row.js";
import { within } from "../support/team.js";
import { receiver } from "../support/webhook-receiver.js";

const USD = 1_000_000_000;
/** Tuesday 2024-03-05 10:00 in Tokyo (01:00 UTC): the day before is Monday the 4th, the week before Feb 26–Mar 4. */
const NOW = Date.UTC(2024, 2, 5, 1);

const calendar = (timezone: string): ReportCalendar => ({
  timezone,
  window: (period, at) => windowOf(period, at, timezone),
});

describe.each(ENGINES)("spend reports in billing.timezone on $engine", ({ fresh }) => {
  let where: TestLocation;
  let data: Data;
  const team = `team_${randomBytes(4).toString("hex")}`;
  beforeAll(async () => {
    where = await fresh();
    data = new Data({ path: where.path, url: where.url });
    const row = (n: number, at: number, usd: number) =>
      ledgerRow({ id: `${team}_${n}`, key_id: `key_${team}`, team_id: team, at, cost_nanos: usd * USD });
    await data.write([
      {
        insert: "ledger",
        rows: [
          // Sunday Feb 25 16:00 UTC: Monday Feb 26 01:00 in Tokyo (the Tokyo week before; not the UTC one).
          row(1, Date.UTC(2024, 1, 25, 16), 1),
          // Sunday Mar 3 16:00 UTC: Monday Mar 4 01:00 in Tokyo (the Tokyo day before; the UTC week before).
          row(2, Date.UTC(2024, 2, 3, 16), 2),
          // Monday Mar 4 16:00 UTC: Tuesday Mar 5 01:00 in Tokyo (today there; the UTC day before).
          row(3, Date.UTC(2024, 2, 4, 16), 4),
        ],
      },
    ]);
  });
  afterAll(async () => {
    await data.close();
    await where.drop();
  });

  async function reports(timezone: string) {
    const hook = await receiver();
    const hot = new MemoryState();
    const alerts = new Alerts(
      {
        destinations: { ops: { type: "webhook", url: hook.url } },
        rules: [
          { on: "daily_report", to: ["ops"], window_s: 300, min_requests: 20 },
          { on: "weekly_report", to: ["ops"], window_s: 300, min_requests: 20 },
        ],
      },
      hot,
      createLogger("silent"),
      [20],
    );
    const r = new AlertReports(alerts, data, calendar(timezone));
    await r.check(NOW);
    r.stop();
    const got = () => hook.got.map((g) => JSON.parse(g.body) as Record<string, unknown>).filter((b) => b.id === team);
    expect(await within(5_000, async () => got().length === 2)).toBe(true);
    hook.server.close();
    await hot.close();
    const of = (rule: string) => got().filter((b) => b.rule === rule);
    expect(of("daily_report")).toHaveLength(1);
    expect(of("weekly_report")).toHaveLength(1);
    return { daily: of("daily_report")[0]!, weekly: of("weekly_report")[0]! };
  }

  it("Asia/Tokyo: the Tokyo day and week before, with Tokyo dates and offsets", async () => {
    const { day, week } = previousPeriods(NOW, calendar("Asia/Tokyo"));
    expect(day).toEqual([Date.UTC(2024, 2, 3, 15), Date.UTC(2024, 2, 4, 15)]);
    expect(week).toEqual([Date.UTC(2024, 1, 25, 15), Date.UTC(2024, 2, 3, 15)]);
    const { daily, weekly } = await reports("Asia/Tokyo");
    expect(daily).toMatchObject({
      period: "day",
      timezone: "Asia/Tokyo",
      date: "2024-03-04",
      from: "2024-03-04T00:00:00+09:00",
      to: "2024-03-05T00:00:00+09:00",
      spent_usd: 2,
      requests: 1,
    });
    expect(daily.message).toBe(`team ${team} spent $2.00 on 1 requests in 2024-03-04 (Asia/Tokyo)`);
    expect(weekly).toMatchObject({
      period: "week",
      date: "2024-02-26",
      from: "2024-02-26T00:00:00+09:00",
      to: "2024-03-04T00:00:00+09:00",
      spent_usd: 1,
      requests: 1,
    });
    expect(weekly.message).toMatch(/in the week of 2024-02-26 \(Asia\/Tokyo\)$/);
  });

  it("UTC (the default): the same rows fall into other reports", async () => {
    const { daily, weekly } = await reports("UTC");
    expect(daily).toMatchObject({ date: "2024-03-04", from: "2024-03-04T00:00:00+00:00", spent_usd: 4 });
    expect(weekly).toMatchObject({ date: "2024-02-26", to: "2024-03-04T00:00:00+00:00", spent_usd: 2 });
    expect(previousPeriods(NOW).day).toEqual([Date.UTC(2024, 2, 4), Date.UTC(2024, 2, 5)]);
  });
});
