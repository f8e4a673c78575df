/**
 * The hourly rollup of the request log's model calls (080_request_rollup), kept by the statements that
 * write the rows: `request_rollup` (requests, refusals, tokens and cost per hour, key, team and model),
 * `request_rollup_errors` (failed and refused requests per hour, key and error class) and
 * `request_rollup_latency` (the stats' latency and TTFT histogram bins per hour, for every caller and per
 * key). Rows enter it in the transaction that inserts them, and only the rows that insert added (a
 * row replayed from a journal or spool is already there: it adds nothing); retention prunes rows by whole
 * hours, and the rollup's hours with them. Each statement reads its rows from a `src` CTE, so the same SQL
 * back-fills and adds; each sums its groups in key order, so two writers on PostgreSQL lock rollup rows in
 * the same order (no deadlock).
 */

import type { EngineName } from "./engine.js";
import { type Compilable, type Kysely, type RawBuilder, sql } from "./kysely.js";
import { binOfValue } from "./latency-bins.js";
import { MODEL_KINDS } from "./request-filter.js";
import { backfillFrom, compiledOnce, idsSource } from "./rollup-sql.js";
import type { Database } from "./schema.js";

export const HOUR_MS = 3_600_000;

/** A model call (see modelCall in request-filter.ts: embeddings, FIM and rerank too): the only rows the stats count. */
const MODEL_CALL = sql`(kind in (${sql.join(
  MODEL_KINDS.map((k) => sql.lit(k)),
)}) or (kind is null and requested_model is not null))`;
const HOUR = sql`(at - (at % ${sql.lit(HOUR_MS)}))`;

/** Summed over what was let through (refusals never count tokens), as the stats sum the rows. */
const SERVED = [
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "reasoning_tokens",
] as const;
const COUNTED = ["requests", "refused", ...SERVED, "cost_nanos"] as const;

const GROUP = sql.raw("hour, key_id, key_name, team_id, model");
const REFUSED = sql`outcome = 'refused'`;

/** `excluded` added to the row already there, for each column. */
const added = (table: string, columns: readonly string[]) =>
  sql.join(columns.map((c) => sql`${sql.ref(c)} = ${sql.ref(`${table}.${c}`)} + excluded.${sql.ref(c)}`));

/** The rows of `src` summed into request_rollup. */
function intoRollup(calls: RawBuilder<unknown> = MODEL_CALL): RawBuilder<unknown> {
  const sums = sql.join([
    sql`sum(case when ${REFUSED} then 0 else 1 end)`,
    sql`sum(case when ${REFUSED} then 1 else 0 end)`,
    ...SERVED.map((c) => sql`sum(case when ${REFUSED} then 0 else ${sql.ref(c)} end)`),
    sql`sum(cost_nanos)`,
  ]);
  return sql`insert into request_rollup (${GROUP}, ${sql.join(COUNTED.map((c) => sql.ref(c)))})
select ${HOUR}, coalesce(key_id, ''), coalesce(key_name, ''), coalesce(team_id, ''),
  coalesce(alias, requested_model, ''), ${sums}
from src where ${calls}
group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
on conflict (${GROUP}) do update set ${added("request_rollup", COUNTED)}`;
}

/** The failed and refused rows of `src` counted into request_rollup_errors by class. */
function intoErrors(calls: RawBuilder<unknown> = MODEL_CALL): RawBuilder<unknown> {
  return sql`insert into request_rollup_errors (hour, key_id, error_class, n)
select ${HOUR}, coalesce(key_id, ''), coalesce(error_class, ''), count(*)
from src where ${calls} and outcome in ('error', 'refused')
group by 1, 2, 3 order by 1, 2, 3
on conflict (hour, key_id, error_class) do update set n = request_rollup_errors.n + excluded.n`;
}

/**
 * The latency and TTFT bins of `src` counted into request_rollup_latency: each row read once, counted four
 * ways (its latency and its TTFT, for every caller and for its key).
 */
function intoLatency(calls: RawBuilder<unknown> = MODEL_CALL): RawBuilder<unknown> {
  const ttft = sql`(w.k % 2 = 1)`;
  const value = sql`(case when ${ttft} then ttft_ms else latency_ms end)`;
  return sql`insert into request_rollup_latency (scope, hour, bin, latency, ttft)
select case when w.k < 2 then cast('*' as text) else key_id end, ${HOUR}, ${binOfValue(value)},
  sum(case when ${ttft} then 0 else 1 end), sum(case when ${ttft} then 1 else 0 end)
from src cross join (select 0 as k union all select 1 union all select 2 union all select 3) as w
where ${calls} and ${value} is not null and (w.k < 2 or key_id is not null)
group by 1, 2, 3 order by 1, 2, 3
on conflict (scope, hour, bin) do update set ${added("request_rollup_latency", ["latency", "ttft"])}`;
}

/** Each table of the rollup, by the statement that sums rows into it. */
const INTO = [intoRollup, intoErrors, intoLatency];

const rollups = new WeakMap<Kysely<Database>, Compilable[]>();

/**
 * The statements that add the rows an insert into request_log added to the rollup: a WriteOp's `took`
 * (their last parameter is the JSON array of the added rows' ids). Built and compiled once per database.
 */
export function rollupOfAdded(db: Kysely<Database>, engine: EngineName): Compilable[] {
  let made = rollups.get(db);
  if (!made) {
    made = buildRollupOfAdded(db, engine);
    rollups.set(db, made);
  }
  return made;
}

function buildRollupOfAdded(db: Kysely<Database>, engine: EngineName): Compilable[] {
  const took = idsSource("request_log", engine);
  return INTO.map((into) => compiledOnce(db, sql`with src as (${took}) ${into()}`));
}

/**
 * Sums every row of request_log into the (empty) rollup: the migration's back-fill, `rows` rows (by time,
 * then id) per statement (by default each well within PostgreSQL's statement timeout).
 */
export async function backfillRollup(db: Kysely<Database>, rows?: number): Promise<void> {
  await backfillFrom(
    db,
    "request_log",
    INTO.map((into) => into()),
    rows,
  );
}

/** What 080_request_rollup counted as a model call: generation alone (and the rows before kinds were kept). */
const GENERATE_CALL = sql`(kind = 'generate' or (kind is null and requested_model is not null))`;

/** 080_request_rollup's back-fill, as it was released: the generation rows (142 adds the other kinds). */
export async function backfillGenerations(db: Kysely<Database>, rows?: number): Promise<void> {
  await backfillFrom(
    db,
    "request_log",
    INTO.map((into) => into(GENERATE_CALL)),
    rows,
  );
}

/** The kinds of model call the rollup counts since 142_rollup_model_kinds (before: generation alone). */
const ADDED_KINDS = sql`(kind in (${sql.join(MODEL_KINDS.filter((k) => k !== "generate").map((k) => sql.lit(k)))}))`;

/**
 * Adds to the rollup the request-log rows of the kinds it did not count before 142_rollup_model_kinds
 * (embeddings, fill-in-the-middle, rerank): that migration's back-fill, which only adds.
 */
export async function backfillAddedKinds(db: Kysely<Database>, rows?: number): Promise<void> {
  await backfillFrom(
    db,
    "request_log",
    INTO.map((into) => into(ADDED_KINDS)),
    rows,
  );
}

/**
 * Deletes up to `limit` of the oldest request-log rows before the hour `beforeMs` falls in (whole hours
 * only: a row goes once all of its hour is past), and the rollups' hours before it (the stats' and the
 * sessions'), in one transaction;
 * returns how many rows went. An hour is in both or in neither once a prune has finished, so the rollup
 * always sums the rows there are; two instances pruning at once delete the same hours, nothing twice.
 */
export async function pruneWholeHours(
  db: Kysely<Database>,
  write: (ops: { query: Compilable }[]) => Promise<number[]>,
  beforeMs: number,
  limit: number,
): Promise<number> {
  const hour = Math.floor(beforeMs / HOUR_MS) * HOUR_MS;
  const oldest = db
    .selectFrom("request_log")
    .select("id")
    .where("at", "<", hour)
    .orderBy("at")
    .orderBy("id")
    .limit(limit);
  const changes = await write([
    { query: db.deleteFrom("request_log").where("id", "in", oldest) },
    { query: db.deleteFrom("request_rollup").where("hour", "<", hour) },
    { query: db.deleteFrom("request_rollup_errors").where("hour", "<", hour) },
    { query: db.deleteFrom("request_rollup_latency").where("hour", "<", hour) },
    { query: db.deleteFrom("session_rollup").where("hour", "<", hour) },
  ]);
  return changes[0] ?? 0;
}
