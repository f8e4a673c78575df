/**
 * GET /admin/v1/stats: the request log summed by time bucket (requests, errors by class, latency and TTFT
 * percentiles, tokens, cost) and its top keys, teams and models, all computed in the database. Percentiles
 * come from a histogram with 10% wide bins (the same on both engines), so they are within 5% of the exact
 * value.
 */
import { type SqlBool, sql } from "kysely";
import type { Data } from "../data/data.js";
import { conditions, type RequestFilter } from "./query.js";

export const BUCKETS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
export type Bucket = keyof typeof BUCKETS;

/** Bins per e-fold: each bin is 10% wider than the last. */
const K = 1 / Math.log(1.1);
/** Empty buckets are filled in (a continuous series) up to this many. */
const FILL_MAX = 2000;

export interface StatsBucket {
  time: string;
  requests: number;
  errors: Record<string, number>;
  p50_latency_ms: number | null;
  p95_latency_ms: number | null;
  p50_ttft_ms: number | null;
  p95_ttft_ms: number | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
}

export interface StatsAnswer {
  from: string;
  to: string;
  bucket: Bucket;
  buckets: StatsBucket[];
  top: {
    keys: { id: string; name: string | null; requests: number; cost_usd: number }[];
    teams: { id: string; name: string | null; requests: number; cost_usd: number }[];
    models: { model: string; requests: number; cost_usd: number }[];
  };
}

/** The bucket a range is shown in when none is asked for: about 60 to 2000 points. */
export function defaultBucket(from: number, to: number): Bucket {
  const span = to - from;
  if (span <= 3 * 3_600_000) return "minute";
  if (span <= 7 * 86_400_000) return "hour";
  return "day";
}

/** A percentile from histogram bins (bin b ≥ 1 holds [1.1^(b-1), 1.1^b) ms; bin 0 below 1 ms). */
function percentile(bins: Map<number, number>, q: number): number | null {
  const sorted = [...bins.entries()].sort((a, b) => a[0] - b[0]);
  const n = sorted.reduce((a, [, c]) => a + c, 0);
  if (n === 0) return null;
  let seen = 0;
  for (const [bin, count] of sorted) {
    seen += count;
    if (seen >= q * n) return bin === 0 ? 0.5 : Math.round(Math.exp((bin - 0.5) / K) * 10) / 10;
  }
  return null;
}

const binOf = (column: "latency_ms" | "ttft_ms") =>
  sql<number>`case when ${sql.ref(column)} < 1 then 0 else cast(floor(ln(${sql.ref(column)}) * ${sql.lit(K)}) as integer) + 1 end`;

export async function requestStats(
  data: Data,
  f: RequestFilter & { from: number; to: number },
  bucket: Bucket,
): Promise<StatsAnswer> {
  const db = await data.db();
  const size = BUCKETS[bucket];
  const slot = sql<number>`(at - (at % ${sql.lit(size)}))`;
  const where = (eb: Parameters<typeof conditions>[0]) => eb.and(conditions(eb, f));
  const sums = await db
    .selectFrom("request_log")
    .select([
      slot.as("slot"),
      sql<number>`count(*)`.as("requests"),
      sql<number>`sum(input_tokens)`.as("input_tokens"),
      sql<number>`sum(output_tokens)`.as("output_tokens"),
      sql<number>`sum(cache_read_tokens)`.as("cache_read_tokens"),
      sql<number>`sum(cache_write_tokens)`.as("cache_write_tokens"),
      sql<number>`sum(reasoning_tokens)`.as("reasoning_tokens"),
      sql<number>`sum(cost_nanos)`.as("cost_nanos"),
    ])
    .where(where)
    .groupBy(slot)
    .execute();
  const histogram = async (column: "latency_ms" | "ttft_ms") => {
    const bin = binOf(column);
    const rows = await db
      .selectFrom("request_log")
      .select([slot.as("slot"), bin.as("bin"), sql<number>`count(*)`.as("n")])
      .where(where)
      .where(column, "is not", null)
      .groupBy([slot, bin])
      .execute();
    const out = new Map<number, Map<number, number>>();
    for (const r of rows) {
      const s = Number(r.slot);
      const m = out.get(s) ?? new Map<number, number>();
      m.set(Number(r.bin), Number(r.n));
      out.set(s, m);
    }
    return out;
  };
  const [latency, ttft] = await Promise.all([histogram("latency_ms"), histogram("ttft_ms")]);
  const errorRows = await db
    .selectFrom("request_log")
    .select([slot.as("slot"), "error_class", sql<number>`count(*)`.as("n")])
    .where(where)
    .where("outcome", "in", ["error", "refused"])
    .groupBy([slot, "error_class"])
    .execute();
  const errors = new Map<number, Record<string, number>>();
  for (const r of errorRows) {
    const e = errors.get(Number(r.slot)) ?? {};
    e[r.error_class ?? "other"] = Number(r.n);
    errors.set(Number(r.slot), e);
  }
  const bySlot = new Map(sums.map((r) => [Number(r.slot), r]));
  const first = f.from - (f.from % size);
  const count = Math.ceil((f.to - first) / size);
  const slots =
    count <= FILL_MAX
      ? Array.from({ length: count }, (_, i) => first + i * size)
      : [...bySlot.keys()].sort((a, b) => a - b);
  const buckets = slots.map((s): StatsBucket => {
    const r = bySlot.get(s);
    const l = latency.get(s) ?? new Map<number, number>();
    const t = ttft.get(s) ?? new Map<number, number>();
    return {
      time: new Date(s).toISOString(),
      requests: Number(r?.requests ?? 0),
      errors: errors.get(s) ?? {},
      p50_latency_ms: percentile(l, 0.5),
      p95_latency_ms: percentile(l, 0.95),
      p50_ttft_ms: percentile(t, 0.5),
      p95_ttft_ms: percentile(t, 0.95),
      input_tokens: Number(r?.input_tokens ?? 0),
      output_tokens: Number(r?.output_tokens ?? 0),
      cache_read_tokens: Number(r?.cache_read_tokens ?? 0),
      cache_write_tokens: Number(r?.cache_write_tokens ?? 0),
      reasoning_tokens: Number(r?.reasoning_tokens ?? 0),
      cost_usd: Number(r?.cost_nanos ?? 0) / 1e9,
    };
  });
  return {
    from: new Date(f.from).toISOString(),
    to: new Date(f.to).toISOString(),
    bucket,
    buckets,
    top: await top(data, where),
  };
}

async function top(
  data: Data,
  where: (eb: Parameters<typeof conditions>[0]) => import("kysely").Expression<SqlBool>,
): Promise<StatsAnswer["top"]> {
  const db = await data.db();
  const n = sql<number>`count(*)`;
  const cost = sql<number>`sum(cost_nanos)`;
  const keys = await db
    .selectFrom("request_log")
    .select(["key_id", sql<string | null>`max(key_name)`.as("name"), n.as("requests"), cost.as("cost")])
    .where(where)
    .where("key_id", "is not", null)
    .groupBy("key_id")
    .orderBy(n, "desc")
    .limit(10)
    .execute();
  const teams = await db
    .selectFrom("request_log")
    .select(["team_id", n.as("requests"), cost.as("cost")])
    .where(where)
    .where("team_id", "is not", null)
    .groupBy("team_id")
    .orderBy(n, "desc")
    .limit(10)
    .execute();
  const teamIds = teams.map((t) => t.team_id!);
  const names = new Map(
    teamIds.length
      ? (await db.selectFrom("teams").select(["id", "name"]).where("id", "in", teamIds).execute()).map((t) => [
          t.id,
          t.name,
        ])
      : [],
  );
  const model = sql<string>`coalesce(alias, requested_model)`;
  const models = await db
    .selectFrom("request_log")
    .select([model.as("model"), n.as("requests"), cost.as("cost")])
    .where(where)
    .where(model, "is not", null)
    .groupBy(model)
    .orderBy(n, "desc")
    .limit(10)
    .execute();
  return {
    keys: keys.map((k) => ({
      id: k.key_id!,
      name: k.name,
      requests: Number(k.requests),
      cost_usd: Number(k.cost ?? 0) / 1e9,
    })),
    teams: teams.map((t) => ({
      id: t.team_id!,
      name: names.get(t.team_id!) ?? null,
      requests: Number(t.requests),
      cost_usd: Number(t.cost ?? 0) / 1e9,
    })),
    models: models.map((m) => ({ model: m.model, requests: Number(m.requests), cost_usd: Number(m.cost ?? 0) / 1e9 })),
  };
}
