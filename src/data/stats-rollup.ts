/**
 * The hourly rollup of the request log's model calls (080_request_rollup), kept by the statements that
 * write the rows: `request_rollup` (requests, refusals, tokens and cost per hour, key, team and model),
 * `request_rollup_errors` (failed and refused requests per hour, key and error class) and
 * `request_rollup_latency` (the stats' latency and TTFT histogram bins per hour, for every caller and per
 * key). Rows enter it in the transaction that inserts them, and only the rows that insert added (a
 * row replayed from a journal or spool is already there: it adds nothing); rows leave it in the transaction
 * that prunes them. Each statement reads its rows from a `src` CTE, so the same SQL back-fills, adds and
 * takes away.
 */
import { type Compilable, type Kysely, type RawBuilder, sql } from "kysely";
import type { EngineName } from "./engine.js";
import type { Database } from "./schema.js";
import { binOf } from "./stats-queries.js";

export const HOUR_MS = 3_600_000;

/** A model call (see modelCall in request-filter.ts): the only rows the stats count. */
const MODEL_CALL = sql`(kind = 'generate' or (kind is null and requested_model is not null))`;
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

/** The rows of `src` summed into request_rollup, signed: 1 adds them, -1 takes them away. */
function intoRollup(sign: 1 | -1): RawBuilder<unknown> {
  const s = sql.lit(sign);
  const sums = sql.join([
    sql`${s} * sum(case when ${REFUSED} then 0 else 1 end)`,
    sql`${s} * sum(case when ${REFUSED} then 1 else 0 end)`,
    ...SERVED.map((c) => sql`${s} * sum(case when ${REFUSED} then 0 else ${sql.ref(c)} end)`),
    sql`${s} * sum(cost_nanos)`,
  ]);
  return sql`insert into request_rollup (${GROUP}, ${sql.join(COUNTED.map((c) => sql.ref(c)))})
select ${HOUR}, coalesce(key_id, ''), coalesce(key_name, ''), coalesce(team_id, ''),
  coalesce(alias, requested_model, ''), ${sums}
from src where ${MODEL_CALL}
group by 1, 2, 3, 4, 5 order by 1, 2, 3, 4, 5
on conflict (${GROUP}) do update set ${added("request_rollup", COUNTED)}`;
}

/** The failed and refused rows of `src` counted into request_rollup_errors by class, signed like intoRollup. */
function intoErrors(sign: 1 | -1): RawBuilder<unknown> {
  return sql`insert into request_rollup_errors (hour, key_id, error_class, n)
select ${HOUR}, coalesce(key_id, ''), coalesce(error_class, ''), ${sql.lit(sign)} * count(*)
from src where ${MODEL_CALL} and outcome in ('error', 'refused')
group by 1, 2, 3 order by 1, 2, 3
on conflict (hour, key_id, error_class) do update set n = request_rollup_errors.n + excluded.n`;
}

/** The latency and TTFT bins of `src` counted into request_rollup_latency, signed like intoRollup. */
function intoLatency(sign: 1 | -1): RawBuilder<unknown> {
  const s = sql.lit(sign);
  const arm = (scope: RawBuilder<unknown>, column: "latency_ms" | "ttft_ms", keyed: boolean) =>
    sql`select ${scope} as scope, ${HOUR} as hour, ${binOf(column)} as bin,
  ${sql.lit(column === "latency_ms" ? 1 : 0)} as l, ${sql.lit(column === "ttft_ms" ? 1 : 0)} as t
from src where ${MODEL_CALL} and ${sql.ref(column)} is not null${keyed ? sql` and key_id is not null` : sql``}`;
  const all = sql`cast('*' as text)`;
  const key = sql`key_id`;
  return sql`insert into request_rollup_latency (scope, hour, bin, latency, ttft)
select scope, hour, bin, ${s} * sum(l), ${s} * sum(t) from (
  ${arm(all, "latency_ms", false)}
  union all ${arm(all, "ttft_ms", false)}
  union all ${arm(key, "latency_ms", true)}
  union all ${arm(key, "ttft_ms", true)}
) as b where true
group by scope, hour, bin order by scope, hour, bin
on conflict (scope, hour, bin) do update set ${added("request_rollup_latency", ["latency", "ttft"])}`;
}

/** Each table of the rollup, by the statement that sums rows into it. */
const INTO = [intoRollup, intoErrors, intoLatency];

const compilable = (db: Kysely<Database>, q: RawBuilder<unknown>): Compilable => ({ compile: () => q.compile(db) });

/**
 * The statements that add the rows an insert into request_log added to the rollup: a WriteOp's `took`
 * (their last parameter is the JSON array of the added rows' ids).
 */
export function rollupOfAdded(db: Kysely<Database>, engine: EngineName): Compilable[] {
  const ids = "[]";
  const took =
    engine === "postgres"
      ? sql`select * from request_log where id in (select json_array_elements_text(cast(${ids} as json)))`
      : sql`select * from request_log where id in (select value from json_each(${ids}))`;
  return INTO.map((into) => compilable(db, sql`with src as (${took}) ${into(1)}`));
}

/** Sums every row of request_log into the (empty) rollup: the migration's back-fill. */
export async function backfillRollup(db: Kysely<Database>): Promise<void> {
  for (const into of INTO) await sql`with src as (select * from request_log) ${into(1)}`.execute(db);
}

/** The oldest rows before a time, by time then id, at most `limit`. */
const oldest = (beforeMs: number, limit: number) =>
  sql`select id from request_log where at < ${beforeMs} order by at, id limit ${limit}`;

/** Groups and bins that no row is left in, in the hours a prune before `beforeMs` touched. */
const emptied = (beforeMs: number) => [
  sql`delete from request_rollup where hour <= ${beforeMs} and requests = 0 and refused = 0`,
  sql`delete from request_rollup_errors where hour <= ${beforeMs} and n = 0`,
  sql`delete from request_rollup_latency where hour <= ${beforeMs} and latency = 0 and ttft = 0`,
];

/**
 * Deletes up to `limit` of the oldest request-log rows before `beforeMs` and takes them out of the rollup,
 * in one transaction; returns how many went. On PostgreSQL the rollup loses exactly the rows the DELETE
 * removed (its RETURNING), so two instances pruning at once never take a row away twice; SQLite has one
 * writer at a time, so the rows read before the DELETE are the ones it removes.
 */
export async function pruneWithRollup(
  db: Kysely<Database>,
  engine: EngineName,
  write: (ops: { query: Compilable }[]) => Promise<number[]>,
  beforeMs: number,
  limit: number,
): Promise<number> {
  if (engine === "postgres") {
    return db.transaction().execute(async (trx) => {
      const gone = await sql<{ n: number | string }>`with src as (
  delete from request_log where id in (${oldest(beforeMs, limit)}) returning *
), r as (${intoRollup(-1)}), e as (${intoErrors(-1)}), l as (${intoLatency(-1)})
select count(*) as n from src`.execute(trx);
      for (const q of emptied(beforeMs)) await q.execute(trx);
      return Number(gone.rows[0]?.n ?? 0);
    });
  }
  const src = sql`select * from request_log where id in (${oldest(beforeMs, limit)})`;
  const changes = await write([
    ...INTO.map((into) => ({ query: compilable(db, sql`with src as (${src}) ${into(-1)}`) })),
    { query: compilable(db, sql`delete from request_log where id in (${oldest(beforeMs, limit)})`) },
    ...emptied(beforeMs).map((q) => ({ query: compilable(db, q) })),
  ]);
  return changes[INTO.length] ?? 0;
}
