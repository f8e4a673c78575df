/**
 * The sessions list read from the request log's session rollup (src/data/session-rollup.ts,
 * session-source.ts) on SQLite and PostgreSQL: for random request-log rows written by the settled writes'
 * batches (two writers racing on each, spool replays, late rows), the list equals the one computed from the
 * rows in JavaScript (totals, first and last start, last end, errors, tool, key, team and user; by cost and by
 * recency; filtered by key, team, user and tool) for windows with part hours at their ends; whole hours are
 * read from the rollup; retention prunes its hours with the rows; and the migration back-fills rows that were
 * there before it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Data } from "../../src/data/data.js";
import { openEngine } from "../../src/data/engine.js";
import { migrate } from "../../src/data/migrate.js";
import { MIGRATIONS } from "../../src/data/migrations.js";
import { pruneOldest } from "../../src/data/request-log-retention.js";
import { listSessions, type SessionFilter } from "../../src/data/session-queries.js";
import type { RequestLogRow } from "../../src/requestlog/row.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { HOUR, sessionRows, sessionsOracle, T0, windows, writeInBatches } from "../support/report-rows.js";

const FILTERS: Omit<SessionFilter, "fromMs" | "toMs" | "sort" | "limit">[] = [
  {},
  { keyId: "k1" },
  { teamId: "t0" },
  { user: "alice" },
  { tool: "codex" },
  { keyId: "k3", tool: "claude-code" },
  { keyId: "nobody" },
];

/** The list over each window equals the rows' own; returns how many were compared. */
async function expectLists(data: Data, rows: readonly RequestLogRow[], seed: number, n = 8): Promise<number> {
  let compared = 0;
  for (const [fromMs, toMs] of windows(seed, n))
    for (const filter of FILTERS)
      for (const [sort, limit] of [
        ["cost", 100],
        ["recent", 100],
        ["cost", 5],
      ] as const) {
        const f: SessionFilter = { ...filter, fromMs, toMs, sort, limit };
        const at = `${new Date(fromMs).toISOString()}…${new Date(toMs).toISOString()} ${JSON.stringify(filter)} ${sort}`;
        expect(await listSessions(data, f), at).toEqual(sessionsOracle(rows, f));
        compared++;
      }
  return compared;
}

describe.each(ENGINES)("the session rollup on $engine", ({ fresh }) => {
  let where: TestLocation;
  let data: Data;
  const rows = sessionRows(1500, 7, "r");
  beforeAll(async () => {
    where = await fresh();
    data = new Data({ path: where.path, url: where.url });
    await writeInBatches(data, [], rows, 11);
  }, 120_000);
  afterAll(async () => {
    await data.close();
    await where.drop();
  });

  it("counts each session row written once, racing writers and replays included", async () => {
    const db = await data.db();
    const sums = await db
      .selectFrom("session_rollup")
      .select((eb) => [
        eb.fn.sum<number | string>("requests").as("requests"),
        eb.fn.sum<number | string>("refused").as("refused"),
        eb.fn.sum<number | string>("cost_nanos").as("cost"),
      ])
      .executeTakeFirstOrThrow();
    const sessions = rows.filter((x) => x.session_id !== null);
    expect(Number(sums.requests) + Number(sums.refused)).toBe(sessions.length);
    expect(Number(sums.cost)).toBe(sessions.reduce((a, x) => a + Number(x.cost_nanos), 0));
  });

  it("the list equals the rows': part hours at the ends, by cost and by recency, every filter", async () => {
    expect(await expectLists(data, rows, 3)).toBeGreaterThan(200);
  }, 120_000);

  it("reads whole hours from the rollup and only the part hours from the rows", async () => {
    const db = await data.db();
    const fromMs = T0 + 10 * HOUR + 600_000;
    const toMs = T0 + 40 * HOUR + 600_000;
    const f: SessionFilter = { fromMs, toMs, sort: "cost", limit: 1000 };
    const count = async (rollup = true) =>
      (await listSessions(data, f, rollup)).reduce((a, s) => a + s.requests + s.refused, 0);
    const before = await count();
    const inHour = rows.find((x) => x.session_id && x.at >= T0 + 12 * HOUR && x.at < T0 + 13 * HOUR)!;
    const inPart = rows.find((x) => x.session_id && x.at >= fromMs && x.at < T0 + 11 * HOUR)!;
    await db.deleteFrom("request_log").where("id", "in", [inHour.id, inPart.id]).execute();
    expect(await count()).toBe(before - 1);
    expect(await count(false)).toBe(before - 2);
    await db.insertInto("request_log").values([inHour, inPart]).execute();
    expect(await count()).toBe(before);
  });

  it("retention prunes rows by whole hours, and the rollup's hours with them", async () => {
    const db = await data.db();
    const cut = T0 + 30 * HOUR + 1_234_567;
    for (;;) if ((await pruneOldest(data, "request_log", cut, 97)) < 97) break;
    const left = rows.filter((x) => x.at >= T0 + 30 * HOUR);
    expect(await expectLists(data, left, 9, 3)).toBeGreaterThan(50);
    expect(
      await db
        .selectFrom("session_rollup")
        .select("hour")
        .where("hour", "<", T0 + 30 * HOUR)
        .execute(),
    ).toEqual([]);
  }, 120_000);
});

describe.each(ENGINES)("the session rollup's back-fill on $engine", ({ fresh }) => {
  let where: TestLocation;
  afterAll(async () => where.drop());

  it("sums the session rows that were there before the migration", async () => {
    where = await fresh();
    const rows = sessionRows(700, 21, "b");
    const old = openEngine({ path: where.path, url: where.url });
    await migrate(
      old.db,
      old.name,
      MIGRATIONS.filter((m) => m.id !== "095_spend_rollup"),
    );
    await old.write([{ insert: "request_log", rows }]);
    await old.release();
    const data = new Data({ path: where.path, url: where.url });
    try {
      expect(await expectLists(data, rows, 13, 2)).toBeGreaterThan(100);
      const more = sessionRows(300, 23, "c");
      await writeInBatches(data, [], more, 29);
      expect(await expectLists(data, [...rows, ...more], 31, 1)).toBeGreaterThan(50);
    } finally {
      await data.close();
    }
  }, 120_000);
});

describe("the session rollup on an in-memory SQLite database (written through Kysely, not the writer thread)", () => {
  it("equals the rows, replays included", async () => {
    const data = new Data({ path: ":memory:" });
    try {
      const rows = sessionRows(400, 37, "m");
      await writeInBatches(data, [], rows, 41);
      expect(await expectLists(data, rows, 43, 1)).toBeGreaterThan(50);
    } finally {
      await data.close();
    }
  });
});
