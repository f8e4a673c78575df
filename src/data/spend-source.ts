/**
 * The ledger of a window as the spend reports read it: its whole days and hours from the spend rollup
 * (spend-rollup.ts), the part hours at its ends from the rows (rollup-cover.ts), as one set of rows carrying
 * the reports' sums. Whatever sums a report takes over it equal the same sums over the window's rows.
 */
import { type RawBuilder, sql } from "./kysely.js";
import { coverOf, DAY_MS, HOUR_MS } from "./rollup-cover.js";
import { rowSums, SUMMED } from "./rollup-sql.js";

/** The ledger's columns a filter on the source may name (the same in the rollup; '' there is none). */
export type SpendColumn = "key_id" | "team_id" | "user_label" | "tags";

/** Columns read as none when empty, on the rows and in the rollup alike. */
const OPTIONAL = ["team_id", "user_label", "requested_model", "alias", "model", "tags"] as const;

const COLUMNS = sql.join([sql.ref("key_id"), ...OPTIONAL.map((c) => sql`nullif(${sql.ref(c)}, '') as ${sql.ref(c)}`)]);

/** The end of a window open at its end: the last time a Date holds (a whole day: no rows read at that end). */
export const OPEN_END = 8_640_000_000_000_000;

/**
 * A subquery of the ledger's rows in [fromMs, toMs) that pass `where` (conditions on SpendColumn), as rows of
 * `at`, key_id, team_id, user_label, requested_model, alias, model, tags and the sums of SUMMED (a rollup
 * row stands for many rows, `at` its bucket's start). `rollup` false: the rows alone.
 */
export function spendSource(
  fromMs: number,
  toMs: number,
  where: readonly RawBuilder<boolean>[] = [],
  rollup = true,
): RawBuilder<unknown> {
  const c = coverOf(fromMs, toMs, rollup);
  const also = sql.join(
    where.map((w) => sql` and ${w}`),
    sql``,
  );
  const branches: RawBuilder<unknown>[] = c.rows.map(
    (r) => sql`select at, ${COLUMNS}, ${rowSums()} from ledger where at >= ${r.from} and at < ${r.to}${also}`,
  );
  const summed = sql.join(SUMMED.map((s) => sql.ref(s)));
  for (const [span, ranges] of [
    [HOUR_MS, c.hours],
    [DAY_MS, c.days],
  ] as const)
    for (const r of ranges)
      branches.push(
        sql`select bucket as at, ${COLUMNS}, ${summed} from spend_rollup
where span_ms = ${sql.lit(span)} and bucket >= ${r.from} and bucket < ${r.to}${also}`,
      );
  if (branches.length === 0) branches.push(sql`select at, ${COLUMNS}, ${rowSums()} from ledger where 1 = 0`);
  return sql.join(branches, sql` union all `);
}
