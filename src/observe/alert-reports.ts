import type { Data } from "../data/data.js";
import { usd } from "../data/money.js";
import { namesOf, usageBy } from "../data/spend-queries.js";
import { localStamp } from "../text/zone-time.js";
import type { Alerts } from "./alerts.js";

const DAY = 86_400_000;

/**
 * The calendar the reports follow: `billing.timezone` and the day and week (Monday) windows in it, the same
 * windows budgets reset on (the server passes src/limits/windows.ts, a room above this one).
 */
export interface ReportCalendar {
  timezone: string;
  window(period: "day" | "week", at: number): { start: number; end: number };
}

/** UTC days and ISO weeks (Monday to Monday). */
export const UTC_CALENDAR: ReportCalendar = {
  timezone: "UTC",
  window(period, at) {
    const today = Math.floor(at / DAY) * DAY;
    if (period === "day") return { start: today, end: today + DAY };
    const monday = today - ((new Date(today).getUTCDay() + 6) % 7) * DAY;
    return { start: monday, end: monday + 7 * DAY };
  },
};

/** The day before the one `now` is in, and the week (Monday to Monday) before this one, in the calendar's zone. */
export function previousPeriods(
  now: number,
  calendar: ReportCalendar = UTC_CALENDAR,
): { day: [number, number]; week: [number, number] } {
  const today = calendar.window("day", now).start;
  const monday = calendar.window("week", now).start;
  return {
    day: [calendar.window("day", today - 1).start, today],
    week: [calendar.window("week", monday - 1).start, monday],
  };
}

/**
 * The daily and weekly spend reports (`daily_report`, `weekly_report`): once a day or a week (Monday to
 * Monday) of `billing.timezone` is over, each team's spend in it from the ledger, one alert per team that
 * spent (sent once across instances: the claim names the team and the period), its dates in that zone.
 * Checked every `everyMs`; `check(now)` runs one check.
 */
export class AlertReports {
  private timer: NodeJS.Timeout | undefined;
  private readonly done = new Set<string>();

  constructor(
    private readonly alerts: Alerts,
    private readonly data: Data,
    private readonly calendar: ReportCalendar = UTC_CALENDAR,
    everyMs = 600_000,
  ) {
    if (!alerts.wants("daily_report") && !alerts.wants("weekly_report")) return;
    this.timer = setInterval(() => void this.check().catch(() => undefined), everyMs);
    this.timer.unref();
  }

  async check(now = Date.now()): Promise<void> {
    const { day, week } = previousPeriods(now, this.calendar);
    if (this.alerts.wants("daily_report")) await this.report("daily_report", "day", day);
    if (this.alerts.wants("weekly_report")) await this.report("weekly_report", "week", week);
  }

  private async report(rule: "daily_report" | "weekly_report", period: string, [from, to]: [number, number]) {
    const key = `${rule}:${from}`;
    if (this.done.has(key)) return;
    const rows = (await usageBy(this.data, "team", from, to)).filter((r) => r.group !== null && r.requests > 0);
    const names = await namesOf(
      this.data,
      "team",
      rows.map((r) => r.group!),
    );
    const tz = this.calendar.timezone;
    const date = localStamp(from, tz).slice(0, 10);
    const label = period === "day" ? date : `the week of ${date}`;
    await Promise.all(
      rows.map((r) => {
        const team = names.get(r.group!) ?? r.group!;
        return this.alerts.fire({
          rule,
          scope: "team",
          id: r.group!,
          window: new Date(from).toISOString(),
          until: to,
          message: `team ${team} spent $${usd(r.cost_nanos).toFixed(2)} on ${r.requests} requests in ${label} (${tz})`,
          fields: {
            team,
            team_id: r.group,
            period,
            timezone: tz,
            date,
            from: localStamp(from, tz),
            to: localStamp(to, tz),
            spent_usd: usd(r.cost_nanos),
            requests: r.requests,
            input_tokens: r.input_tokens,
            output_tokens: r.output_tokens,
            cache_read_tokens: r.cache_read_tokens,
          },
        });
      }),
    );
    this.done.add(key);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
