/**
 * The stats' hourly rollup (src/data/stats-rollup.ts, src/requestlog/stats-plan.ts) on SQLite and
 * PostgreSQL: for random rows written by the settled writer's batches (replays included), the answer read
 * from the rollup and the edge rows equals the one the rows alone give, for ranges with partial edge hours,
 * hour and day buckets, every caller and one key, after retention pruned whole hours, and for rows
 * back-filled by the migration.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Data } from "../../src/data/data.js";
import { openEngine } from "../../src/data/engine.js";
import { migrate } from "../../src/data/migrate.js";
import { MIGRATIONS } from "../../src/data/migrations.js";
import type { RequestFilter } from "../../src/data/request-filter.js";
import { requestRows } from "../../src/data/request-log-queries.js";
import { pruneOldest } from "../../src/data/request-log-retention.js";
import { writeSettled } from "../../src/data/settled-writes.js";
import { backfillGenerations, backfillRollup } from "../../src/data/stats-rollup.js";
import type { RequestLogRow } from "../../src/requestlog/row.js";
import { type Bucket, requestStats } from "../../src/requestlog/stats.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { requestLogRow } from "../support/request-log-row.js";

const HOUR = 3_600_000;
/** A day boundary (UTC). */
const T0 = Date.UTC(2025, 2, 3);
const SPAN = 3 * 24 * HOUR;

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function rowsOf(n: number, seed: number, prefix: string): RequestLogRow[] {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const out: RequestLogRow[] = [];
  for (let i = 0; i < n; i++) {
    const k = Math.floor(r() * 7);
    const keyed = k < 6;
    const outcome = pick(["ok", "ok", "ok", "ok", "error", "refused", "aborted"]);
    const kind = pick([
      "generate",
      "generate",
      "generate",
      "models",
      null,
      null,
      "embeddings",
      "completions",
      "rerank",
    ]);
    const asked = kind === null && r() < 0.5 ? null : pick(["sonnet", "gpt-5", "haiku"]);
    out.push(
      requestLogRow({
        id: `${prefix}${i}`,
        at: T0 + Math.floor(r() * SPAN),
        key_id: keyed ? `k0${k}` : null,
        key_name: keyed ? `key ${k}` : null,
        team_id: keyed ? `t${k % 3}` : null,
        kind,
        requested_model: asked,
        alias: asked && r() < 0.7 ? `${asked}-alias` : null,
        outcome,
        status: outcome === "ok" ? 200 : outcome === "refused" ? 429 : 502,
        error_class: outcome === "error" || outcome === "refused" ? pick(["rate_limited", "upstream", null]) : null,
        latency_ms: r() < 0.05 ? 0.5 : Math.round(Math.exp(r() * 10) * 10) / 10,
        ttft_ms: r() < 0.3 ? null : Math.round(Math.exp(r() * 8) * 10) / 10,
        input_tokens: Math.floor(r() * 5000),
        output_tokens: Math.floor(r() * 900),
        cache_read_tokens: Math.floor(r() * 300),
        cache_write_tokens: Math.floor(r() * 30),
        reasoning_tokens: Math.floor(r() * 90),
        cost_nanos: Math.floor(r() * 4_000_000),
      }),
    );
  }
  return out;
}

/** Writes the rows in batches as the settled writer does, each batch followed by a replay of part of it. */
async function writeInBatches(data: Data, rows: RequestLogRow[], seed: number): Promise<void> {
  const r = random(seed);
  for (let i = 0; i < rows.length; ) {
    const size = 1 + Math.floor(r() * 120);
    const batch = rows.slice(i, i + size);
    await writeSettled(data, { ledger: [], requestLog: batch, bodies: [] });
    // A journal or spool replayed: rows already written, mixed with ones not yet written.
    const replay = [...batch.filter(() => r() < 0.4), ...rows.slice(i + size, i + size + 3)];
    await writeSettled(data, { ledger: [], requestLog: replay, bodies: [] });
    i += size + 3;
  }
}

/** The answer from the rollup equals the rows' own, for these ranges and filters. */
async function expectSame(data: Data, seed: number, extra: RequestFilter = {}, randomRanges = 6): Promise<number> {
  const r = random(seed);
  let compared = 0;
  const ranges: [number, number, Bucket][] = [
    [T0, T0 + SPAN, "day"],
    [T0, T0 + SPAN, "hour"],
    [T0 - HOUR, T0 + SPAN + HOUR, "hour"],
  ];
  for (let i = 0; i < randomRanges; i++) {
    const from = T0 + Math.floor(r() * SPAN * 0.6);
    const to = from + Math.floor(r() * SPAN * 0.6) + 1;
    ranges.push([from, to, r() < 0.5 ? "hour" : "day"]);
  }
  for (const [from, to, bucket] of ranges)
    for (const f of [{}, { key_id: "k03" }, { key_id: "k05" }, { key_id: "nobody" }]) {
      const filter = { ...f, ...extra, from, to };
      const rolled = await requestStats(data, filter, bucket);
      const rows = await requestStats(data, filter, bucket, true);
      expect(
        rolled,
        `${new Date(from).toISOString()}…${new Date(to).toISOString()} ${bucket} ${JSON.stringify(f)}`,
      ).toEqual(rows);
      compared++;
    }
  return compared;
}

describe.each(ENGINES)("the stats' hourly rollup on $engine", ({ fresh }) => {
  let where: TestLocation;
  let data: Data;
  const rows = rowsOf(1500, 7, "r");
  beforeAll(async () => {
    where = await fresh();
    data = new Data({ path: where.path, url: where.url });
    await writeInBatches(data, rows, 11);
  });
  afterAll(async () => {
    await data.close();
    await where.drop();
  });

  it("counts each row written once, replays included", async () => {
    const db = await data.db();
    // Model calls: generation, embeddings, fill-in-the-middle and rerank, and the rows before kinds were kept.
    const model = rows.filter(
      (x) =>
        ["generate", "embeddings", "completions", "rerank"].includes(x.kind!) ||
        (x.kind === null && x.requested_model !== null),
    );
    expect(model.filter((x) => x.kind === "embeddings").length).toBeGreaterThan(50);
    const rolled = await db
      .selectFrom("request_rollup")
      .select((eb) => [
        eb.fn.sum<number | string>("requests").as("requests"),
        eb.fn.sum<number | string>("refused").as("refused"),
        eb.fn.sum<number | string>("cost_nanos").as("cost"),
      ])
      .executeTakeFirstOrThrow();
    expect(Number(rolled.requests) + Number(rolled.refused)).toBe(model.length);
    expect(Number(rolled.refused)).toBe(model.filter((x) => x.outcome === "refused").length);
    expect(Number(rolled.cost)).toBe(model.reduce((a, x) => a + Number(x.cost_nanos), 0));
    const bins = await db
      .selectFrom("request_rollup_latency")
      .select((eb) => [eb.fn.sum<number | string>("latency").as("l"), eb.fn.sum<number | string>("ttft").as("t")])
      .where("scope", "=", "*")
      .executeTakeFirstOrThrow();
    expect(Number(bins.l)).toBe(model.length);
    expect(Number(bins.t)).toBe(model.filter((x) => x.ttft_ms !== null).length);
  });

  it("answers as the rows do: partial edge hours, hour and day buckets, every caller and one key", async () => {
    expect(await expectSame(data, 3)).toBeGreaterThan(30);
  });

  it("filters the rollup cannot answer, and minute buckets, are read from the rows", async () => {
    for (const extra of [{ team_id: "t1" }, { outcome: "error" }, { errors: true }, { model: "sonnet" }])
      await expectSame(data, 5, extra, 1);
    const f = { from: T0 + 5 * HOUR + 17, to: T0 + 9 * HOUR - 3 };
    expect(await requestStats(data, f, "minute")).toEqual(await requestStats(data, f, "minute", true));
  });

  it("reads whole hours from the rollup and only the edges from the rows", async () => {
    const db = await data.db();
    const f = { from: T0 + 10 * HOUR + 600_000, to: T0 + 20 * HOUR + 600_000 };
    const before = await requestStats(data, f, "hour");
    // A row taken from the table behind the rollup's back: in a whole hour the answer keeps it, at an edge not.
    const inside = rows.find((x) => x.at! >= T0 + 12 * HOUR && x.at! < T0 + 13 * HOUR && x.kind === "generate")!;
    const edge = rows.find((x) => x.at! >= f.from && x.at! < T0 + 11 * HOUR && x.kind === "generate")!;
    await db.deleteFrom("request_log").where("id", "in", [inside.id, edge.id]).execute();
    const after = await requestStats(data, f, "hour");
    const count = (s: typeof before, h: number) =>
      s.buckets.find((b) => b.time === new Date(T0 + h * HOUR).toISOString())!;
    const n = (b: { requests: number; refused: number }) => b.requests + b.refused;
    expect(n(count(after, 12))).toBe(n(count(before, 12)));
    expect(n(count(after, 10))).toBe(n(count(before, 10)) - 1);
    // Put back (through the settled writes: the rollup already has them, so it would double count: not done).
    await db.insertInto("request_log").values([inside, edge]).execute();
  });

  it("retention prunes rows by whole hours, and the rollup's hours with them", async () => {
    const db = await data.db();
    const cut = T0 + 30 * HOUR + 1_234_567;
    let gone = 0;
    for (;;) {
      const n = await pruneOldest(data, "request_log", cut, 97);
      gone += n;
      if (n < 97) break;
    }
    // The hour the cut falls in stays whole.
    expect(gone).toBe(rows.filter((x) => x.at! < T0 + 30 * HOUR).length);
    expect(rows.some((x) => x.at! >= T0 + 30 * HOUR && x.at! < cut)).toBe(true);
    await expectSame(data, 9);
    for (const table of ["request_rollup", "request_rollup_errors", "request_rollup_latency"] as const)
      expect(
        await db
          .selectFrom(table)
          .select("hour")
          .where("hour", "<", T0 + 30 * HOUR)
          .execute(),
      ).toEqual([]);
    expect(
      await db
        .selectFrom("request_rollup")
        .select("hour")
        .where("hour", "=", T0 + 30 * HOUR)
        .execute(),
    ).not.toEqual([]);
  });
});

describe.each(ENGINES)("the rollup's back-fill on $engine", ({ fresh }) => {
  let where: TestLocation;
  afterAll(async () => where.drop());

  it("sums the rows that were there before the migration", async () => {
    where = await fresh();
    const rows = rowsOf(900, 21, "b");
    const old = openEngine({ path: where.path, url: where.url });
    await migrate(
      old.db,
      old.name,
      MIGRATIONS.filter((m) => m.id !== "080_request_rollup" && m.id !== "142_rollup_model_kinds"),
    );
    await old.write([{ insert: "request_log", rows }]);
    await old.release();
    const data = new Data({ path: where.path, url: where.url });
    try {
      await expectSame(data, 13);
      const db = await data.db();
      const n = await db
        .selectFrom("request_rollup")
        .select((eb) => eb.fn.sum<number | string>("requests").as("n"))
        .executeTakeFirstOrThrow();
      expect(Number(n.n)).toBeGreaterThan(300);
      // In chunks of rows (the migration's are larger than this test's rows), the same sums.
      const before = await requestStats(data, { from: T0, to: T0 + SPAN }, "hour");
      for (const table of ["request_rollup", "request_rollup_errors", "request_rollup_latency"] as const)
        await db.deleteFrom(table).execute();
      await backfillRollup(db, 97);
      expect(await requestStats(data, { from: T0, to: T0 + SPAN }, "hour")).toEqual(before);
    } finally {
      await data.close();
    }
  });
});

describe.each(ENGINES)("the rollup summed again for every kind of model call (142) on $engine", ({ fresh }) => {
  let where: TestLocation;
  afterAll(async () => where.drop());

  it("counts the embeddings, completions and rerank rows of the hours summed before", async () => {
    where = await fresh();
    const rows = rowsOf(600, 23, "k");
    const old = openEngine({ path: where.path, url: where.url });
    await migrate(
      old.db,
      old.name,
      MIGRATIONS.filter((m) => m.id !== "142_rollup_model_kinds"),
    );
    // Summed as the release before summed them: the generation rows only.
    await old.write([{ insert: "request_log", rows }]);
    await backfillGenerations(old.db as never);
    await old.release();
    const data = new Data({ path: where.path, url: where.url });
    try {
      await expectSame(data, 29, {}, 2);
      const db = await data.db();
      const n = await db
        .selectFrom("request_rollup")
        .select((eb) => eb.fn.sum<number | string>("requests").as("n"))
        .executeTakeFirstOrThrow();
      const served = rows.filter(
        (x) =>
          x.outcome !== "refused" &&
          (["generate", "embeddings", "completions", "rerank"].includes(x.kind!) ||
            (x.kind === null && x.requested_model !== null)),
      );
      expect(Number(n.n)).toBe(served.length);
      const kinds = await requestRows(data, { calls: "model" }, 10_000);
      expect(new Set(kinds.map((k) => k.kind))).toEqual(
        new Set(["generate", "embeddings", "completions", "rerank", null]),
      );
      const generate = await requestRows(data, { kind: "generate" }, 10_000);
      expect(new Set(generate.map((k) => k.kind))).toEqual(new Set(["generate", null]));
      const other = await requestRows(data, { calls: "other" }, 10_000);
      expect(new Set(other.map((k) => k.kind))).toEqual(new Set(["models", null]));
    } finally {
      await data.close();
    }
  });
});

describe("the rollup on an in-memory SQLite database (written through Kysely, not the writer thread)", () => {
  it("answers as the rows do, replays included", async () => {
    const data = new Data({ path: ":memory:" });
    try {
      await writeInBatches(data, rowsOf(400, 31, "m"), 17);
      expect(await expectSame(data, 19, {}, 2)).toBeGreaterThan(10);
    } finally {
      await data.close();
    }
  });
});
