/**
 * The ledger summed by hour and by UTC day (095_spend_rollup), for the spend reports (spend-queries.ts,
 * spend-by-tag.ts): one `spend_rollup` row per bucket and per key, team, user, requested model, alias, upstream
 * model and tag set, with the rows' counts, tokens and cost. Kept by the statement that the ledger insert of
 * the settled writes runs over the rows it added (settled-writes.ts), in the same transaction: a row replayed
 * from a journal or a spool, already there, adds nothing, so the rollup never drifts from the rows. The ledger
 * is never pruned, and neither is its rollup. Absent values are '' (one group key on both engines); reports
 * read '' as none.
 */

import type { EngineName } from "./engine.js";
import { type Compilable, type Kysely, type RawBuilder, sql } from "./kysely.js";
import { DAY_MS, HOUR_MS } from "./rollup-cover.js";
import { compiledOnce, idsSource, refusedSums, SUMMED } from "./rollup-sql.js";
import type { Database } from "./schema.js";

/** The ledger's columns a spend bucket is grouped by. */
export const SPEND_GROUP = ["key_id", "team_id", "user_label", "requested_model", "alias", "model", "tags"] as const;

const KEY = sql.raw(`span_ms, bucket, ${SPEND_GROUP.join(", ")}`);

/** The rows of `src` summed into spend_rollup, by hour and by day (each row read once, counted twice). */
export function intoSpendRollup(): RawBuilder<unknown> {
  const grouped = sql.join(SPEND_GROUP.map((c) => (c === "key_id" ? sql.ref(c) : sql`coalesce(${sql.ref(c)}, '')`)));
  const added = sql.join(SUMMED.map((c) => sql`${sql.ref(c)} = spend_rollup.${sql.ref(c)} + excluded.${sql.ref(c)}`));
  return sql`insert into spend_rollup (${KEY}, ${sql.join(SUMMED.map((c) => sql.ref(c)))})
select w.span_ms, src.at - (src.at % w.span_ms), ${grouped}, ${refusedSums()}
from src cross join (select ${sql.lit(HOUR_MS)} as span_ms union all select ${sql.lit(DAY_MS)}) as w
group by 1, 2, 3, 4, 5, 6, 7, 8, 9 order by 1, 2, 3, 4, 5, 6, 7, 8, 9
on conflict (${KEY}) do update set ${added}`;
}

const made = new WeakMap<Kysely<Database>, Compilable[]>();

/** The statement that sums the ledger rows an insert added into the rollup (a WriteOp's `took`). */
export function spendRollupOfAdded(db: Kysely<Database>, engine: EngineName): Compilable[] {
  let out = made.get(db);
  if (!out) {
    out = [compiledOnce(db, sql`with src as (${idsSource("ledger", engine)}) ${intoSpendRollup()}`)];
    made.set(db, out);
  }
  return out;
}
