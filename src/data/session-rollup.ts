/**
 * The request log's session rows summed by hour (095_spend_rollup), for the sessions list
 * (session-queries.ts): one `session_rollup` row per hour, session and key, key name, team, user and tool,
 * with the rows' counts, tokens, cost and errors, and their first start, last start and last end. Kept by the
 * statement that the request-log insert of the settled writes runs over the rows it added (settled-writes.ts),
 * in the same transaction: a replayed row adds nothing. Retention prunes its hours with the rows
 * (stats-rollup.ts pruneWholeHours). Absent values are '' (one group key on both engines); reads take '' as
 * none.
 */

import type { EngineName } from "./engine.js";
import { type Compilable, type Kysely, type RawBuilder, sql } from "./kysely.js";
import { HOUR_MS } from "./rollup-cover.js";
import { compiledOnce, idsSource, refusedSums, SUMMED } from "./rollup-sql.js";
import type { Database } from "./schema.js";

/** The request log's columns a session's hour is grouped by (besides the session). */
export const SESSION_GROUP = ["key_id", "key_name", "team_id", "user_label", "client_tool"] as const;

const KEY = sql.raw(`hour, session_id, ${SESSION_GROUP.join(", ")}`);
const ERRORS = sql`sum(case when outcome in ('error', 'refused') then 1 else 0 end)`;

/** The session rows of `src` summed into session_rollup by hour. */
export function intoSessionRollup(engine: EngineName): RawBuilder<unknown> {
  const grouped = sql.join(SESSION_GROUP.map((c) => sql`coalesce(${sql.ref(c)}, '')`));
  const [least, greatest] = engine === "postgres" ? ["least", "greatest"] : ["min", "max"];
  const added = sql.join([
    ...[...SUMMED, "errors"].map((c) => sql`${sql.ref(c)} = session_rollup.${sql.ref(c)} + excluded.${sql.ref(c)}`),
    sql`first_at = ${sql.raw(least!)}(session_rollup.first_at, excluded.first_at)`,
    sql`last_at = ${sql.raw(greatest!)}(session_rollup.last_at, excluded.last_at)`,
    sql`ended_at = ${sql.raw(greatest!)}(session_rollup.ended_at, excluded.ended_at)`,
  ]);
  return sql`insert into session_rollup (${KEY}, ${sql.join(SUMMED.map((c) => sql.ref(c)))}, errors, first_at,
  last_at, ended_at)
select at - (at % ${sql.lit(HOUR_MS)}), session_id, ${grouped}, ${refusedSums()}, ${ERRORS}, min(at), max(at),
  max(at + latency_ms)
from src where session_id is not null
group by 1, 2, 3, 4, 5, 6, 7 order by 1, 2, 3, 4, 5, 6, 7
on conflict (${KEY}) do update set ${added}`;
}

const made = new WeakMap<Kysely<Database>, Compilable[]>();

/** The statement that sums the request-log rows an insert added into the session rollup (a WriteOp's `took`). */
export function sessionRollupOfAdded(db: Kysely<Database>, engine: EngineName): Compilable[] {
  let out = made.get(db);
  if (!out) {
    out = [compiledOnce(db, sql`with src as (${idsSource("request_log", engine)}) ${intoSessionRollup(engine)}`)];
    made.set(db, out);
  }
  return out;
}
