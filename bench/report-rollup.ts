/** The rollup lane's section of the report (bench/rollup-reports.ts): each report's latency by size and engine. */
import type { Emit } from "./report-format.js";
import { table } from "./report-format.js";
import type { BenchResults } from "./types.js";

const ms = (v: number) => (v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0));
const rows = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : `${n / 1000}k`);

export function renderRollup(r: BenchResults, p: Emit): void {
  if (!r.rollup) return;
  p("## Reports on a growing log (rollup lane)");
  p();
  p(
    "The spend reports and the sessions list over the web UI's default windows (spend: the last 30 days; " +
      "sessions: the last 7, and 30), on ledger and request-log rows seeded over 30 days up to now (50 keys, 5 teams, " +
      "10 users, 6 models, project tags, a session per key every two hours; `bench/rollup-seed.ts`). " +
      "**Before**: every row of the window scanned (the queries before migration 095, `bench/reports-before.ts`); " +
      "**after**: the rollups kept by the settled writes, the rows only at the window's part hours. Milliseconds " +
      "per call, median of the runs (the slowest run in parentheses). Run alone: `npm run bench -- --rollup-only`.",
  );
  p();
  for (const e of r.rollup.engines) {
    p(`### ${e.engine === "sqlite" ? "SQLite" : "PostgreSQL"}`);
    p();
    if (e.skipped) {
      p(`Not measured: ${e.skipped}.`);
      p();
      continue;
    }
    const names = e.sizes[0]?.reports.map((x) => x.name) ?? [];
    const header = ["report", ...e.sizes.flatMap((s) => [`${rows(s.rows)} before`, `${rows(s.rows)} after`])];
    const body = names.map((name) => [
      name,
      ...e.sizes.flatMap((s) => {
        const x = s.reports.find((y) => y.name === name);
        return x ? [ms(x.before.p50), `${ms(x.after.p50)} (${ms(x.after.max)})`] : ["", ""];
      }),
    ]);
    p(table(header, body));
    p();
    p(
      e.sizes
        .map(
          (s) =>
            `${rows(s.rows)} rows: seeded in ${s.seedSeconds.toFixed(1)} s, back-filled by migration 095 in ` +
            `${s.backfillSeconds.toFixed(1)} s (rollup rows: spend ${s.spendRollupRows.toLocaleString("en-US")}, ` +
            `sessions ${s.sessionRollupRows.toLocaleString("en-US")}); a settled batch of 200 requests ` +
            `${ms(s.batchOf200.without.p50)} ms without the rollups, ${ms(s.batchOf200.withRollups.p50)} ms with.`,
        )
        .join(" "),
    );
    p();
  }
}
