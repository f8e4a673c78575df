import type { Data } from "../data/data.js";
import { usd } from "../data/money.js";
import { namesOf, usageBy } from "../data/spend-queries.js";
import type { Alerts } from "./alerts.js";

const DAY = 86_400_000;

/** The UTC day before the one `now` is in, and the ISO week (Monday to Monday, UTC) before this one. */
export function previousPeriods(now: number): { day: [number, number]; week: [number, number] } {
  const today = Math.floor(now / DAY) * DAY;
  const weekday = (new Date(today).getUTCDay() + 6) % 7; // Monday: 0
  const monday = today - weekday * DAY;
  return { day: [today - DAY, today], week: [monday - 7 * DAY, monday] };
}

/**
 * The daily and weekly spend reports (`daily_report`, `weekly_report`): once a UTC day or ISO week is over,
 * each team's spend in it from the ledger, one alert per team that spent (sent once across instances: the
 * claim names the team and the period). Checked every `everyMs`; `check(now)` runs one check.
 */
export class AlertReports {
  private timer: NodeJS.Timeout | undefined;
  private readonly done = new Set<string>();

  constructor(
    private readonly alerts: Alerts,
    private readonly data: Data,
    everyMs = 600_000,
  ) {
    if (!alerts.wants("daily_report") && !alerts.wants("weekly_report")) return;
    this.timer = setInterval(() => void this.check().catch(() => undefined), everyMs);
    this.timer.unref();
  }

  async check(now = Date.now()): Promise<void> {
    const { day, week } = previousPeriods(now);
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
    const label =
      period === "day"
        ? new Date(from).toISOString().slice(0, 10)
        : `the week of ${new Date(from).toISOString().slice(0, 10)}`;
    await Promise.all(
      rows.map((r) => {
        const team = names.get(r.group!) ?? r.group!;
        return this.alerts.fire({
          rule,
          scope: "team",
          id: r.group!,
          window: new Date(from).toISOString(),
          until: to,
          message: `team ${team} spent $${usd(r.cost_nanos).toFixed(2)} on ${r.requests} requests in ${label} (UTC)`,
          fields: {
            team,
            team_id: r.group,
            period,
            from: new Date(from).toISOString(),
            to: new Date(to).toISOString(),
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
