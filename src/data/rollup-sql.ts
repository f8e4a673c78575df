/**
 * What the report rollups (spend-rollup.ts, session-rollup.ts) share: the columns they sum as the reports sum
 * them (usage-totals.ts), the source of the rows an insert added, and the back-fill that sums a table's
 * existing rows into them in bounded statements.
 */

import type { EngineName } from "./engine.js";
import { type Compilable, type Kysely, type RawBuilder, sql } from "./kysely.js";
import type { Database } from "./schema.js";

/** A request's tokens and cost (UsageColumns), the last its cost. */
export const USAGE_COLUMNS = [
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "reasoning_tokens",
  "cost_nanos",
] as const;

/** The counted columns of a rollup row, in the order `refusedSums` selects them. */
export const SUMMED = ["requests", "refused", ...USAGE_COLUMNS] as const;

const SERVED = USAGE_COLUMNS.slice(0, 5);
const REFUSED = sql`outcome = 'refused'`;

/** The sums of SUMMED over a group of rows, as the reports sum them (refusals count no tokens). */
export function refusedSums(): RawBuilder<unknown> {
  return sql.join([
    sql`sum(case when ${REFUSED} then 0 else 1 end)`,
    sql`sum(case when ${REFUSED} then 1 else 0 end)`,
    ...SERVED.map((c) => sql`sum(case when ${REFUSED} then 0 else ${sql.ref(c)} end)`),
    sql`sum(cost_nanos)`,
  ]);
}

/** SUMMED of one row, as a rollup row of its own would carry them (for reading rows beside the rollup). */
export function rowSums(): RawBuilder<unknown> {
  return sql.join([
    sql`case when ${REFUSED} then 0 else 1 end as requests`,
    sql`case when ${REFUSED} then 1 else 0 end as refused`,
    ...SERVED.map((c) => sql`case when ${REFUSED} then 0 else ${sql.ref(c)} end as ${sql.ref(c)}`),
    sql`cost_nanos`,
  ]);
}

/** The sums of SUMMED over a group of rows that carry them (rollup rows, or rows as `rowSums` gives them). */
export function sourceSums(): RawBuilder<unknown> {
  return sql.join(SUMMED.map((s) => sql`sum(${sql.ref(s)}) as ${sql.ref(s)}`));
}

/** A statement compiled once, on first use (the rollups' statements are the same for every batch). */
export function compiledOnce(db: Kysely<Database>, q: RawBuilder<unknown>): Compilable {
  let done: ReturnType<Compilable["compile"]> | undefined;
  return { compile: () => (done ??= q.compile(db)) };
}

/**
 * The rows of `table` whose ids are the statement's last parameter (a JSON array: the rows an insert added,
 * see WriteOp's `took`).
 */
export function idsSource(table: "ledger" | "request_log", engine: EngineName): RawBuilder<unknown> {
  const ids = "[]";
  return engine === "postgres"
    ? sql`select * from ${sql.table(table)} where id in (select json_array_elements_text(cast(${ids} as json)))`
    : sql`select * from ${sql.table(table)} where id in (select value from json_each(${ids}))`;
}

/** Rows summed per statement by a back-fill: each well within PostgreSQL's statement timeout. */
const BACKFILL_ROWS = 20_000;

/**
 * Sums every row of `table` into a rollup by its statements (each reading `src`), `rows` rows (by time,
 * then id) per statement: a migration's back-fill of a rollup it creates empty.
 */
export async function backfillFrom(
  db: Kysely<Database>,
  table: "ledger" | "request_log",
  into: readonly RawBuilder<unknown>[],
  rows = BACKFILL_ROWS,
): Promise<void> {
  let after: { at: number; id: string } | undefined;
  for (;;) {
    const from = after
      ? sql<boolean>`at >= ${after.at} and (at > ${after.at} or id > ${after.id})`
      : sql<boolean>`true`;
    const last = await db
      .selectFrom(table)
      .select(["at", "id"])
      .where(from)
      .orderBy("at")
      .orderBy("id")
      .limit(1)
      .offset(rows - 1)
      .executeTakeFirst();
    const upto = last ? sql`at <= ${last.at} and (at < ${last.at} or id <= ${last.id})` : sql`true`;
    for (const q of into)
      await sql`with src as (select * from ${sql.table(table)} where ${from} and ${upto}) ${q}`.execute(db);
    if (!last) return;
    after = { at: Number(last.at), id: last.id };
  }
}
