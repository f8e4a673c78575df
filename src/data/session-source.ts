/**
 * The request log's session rows of a window as the sessions list reads them: its whole hours from the
 * session rollup (session-rollup.ts), the part hours at its ends from the rows (rollup-cover.ts), as one set
 * of rows carrying the list's sums, first and last starts and last end. Whatever the list sums, takes the
 * least or the most of over it equals the same over the window's rows.
 */
import { type RawBuilder, sql } from "./kysely.js";
import { coverOf } from "./rollup-cover.js";
import { rowSums, SUMMED } from "./rollup-sql.js";
import { SESSION_GROUP } from "./session-rollup.js";

/** The request log's columns a filter on the source may name (the same in the rollup; '' there is none). */
export type SessionColumn = (typeof SESSION_GROUP)[number];

const COLUMNS = sql.join([
  sql.ref("session_id"),
  ...SESSION_GROUP.map((c) => sql`nullif(${sql.ref(c)}, '') as ${sql.ref(c)}`),
]);

/** What a source's rows carry: everything the list shows, or only what ranks sessions (cost, last start). */
export type SessionColumns = "all" | "rank";

/**
 * A subquery of the session rows of [fromMs, toMs) that pass `where` (conditions on SessionColumn, and on
 * session_id), as rows of session_id, key_id, key_name, team_id, user_label, client_tool, the sums of SUMMED,
 * errors, first_at, last_at and ended_at (a rollup row stands for a session's rows of one hour); with
 * `columns` "rank" only session_id, cost_nanos and last_at. `rollup` false: the rows alone.
 */
export function sessionSource(
  fromMs: number,
  toMs: number,
  where: readonly RawBuilder<boolean>[] = [],
  rollup = true,
  columns: SessionColumns = "all",
): RawBuilder<unknown> {
  const c = coverOf(fromMs, toMs, rollup);
  const also = sql.join(
    where.map((w) => sql` and ${w}`),
    sql``,
  );
  const ofRows =
    columns === "rank"
      ? sql`session_id, cost_nanos, at as last_at`
      : sql`${COLUMNS}, ${rowSums()}, case when outcome in ('error', 'refused') then 1 else 0 end as errors,
  at as first_at, at as last_at, at + latency_ms as ended_at`;
  const ofRollup =
    columns === "rank"
      ? sql`session_id, cost_nanos, last_at`
      : sql`${COLUMNS}, ${sql.join(SUMMED.map((s) => sql.ref(s)))}, errors, first_at, last_at, ended_at`;
  const branches: RawBuilder<unknown>[] = c.rows.map(
    (r) => sql`select ${ofRows}
from request_log where session_id is not null and at >= ${r.from} and at < ${r.to}${also}`,
  );
  // The rollup's buckets are hours: the window's whole days are whole hours too, and they adjoin.
  const whole = [...c.hours, ...c.days];
  if (whole.length > 0) {
    const from = Math.min(...whole.map((r) => r.from));
    const to = Math.max(...whole.map((r) => r.to));
    branches.push(sql`select ${ofRollup} from session_rollup where hour >= ${from} and hour < ${to}${also}`);
  }
  if (branches.length === 0) branches.push(sql`select ${ofRows} from request_log where 1 = 0`);
  return sql.join(branches, sql` union all `);
}
