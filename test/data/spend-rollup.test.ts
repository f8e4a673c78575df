/**
 * The spend reports read from the ledger's rollup (src/data/spend-rollup.ts, spend-source.ts) on SQLite and
 * PostgreSQL: for random ledger rows written by the settled writes' batches (two writers racing on each, spool
 * replays, late rows), every report (by key, team, model, user, day, upstream model and tag, every caller and
 * one key or team; the spend of keys, teams, users and tags, open-ended or not) equals the same report computed
 * from the rows in JavaScript, for windows with part hours and part days at their ends; whole buckets are
 * read from the rollup (a row removed behind its back still counts there); and the migration back-fills rows
 * that were there before it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LedgerRow } from "../../src/billing/ledger-row.js";
import { Data } from "../../src/data/data.js";
import { openEngine } from "../../src/data/engine.js";
import { migrate } from "../../src/data/migrate.js";
import { MIGRATIONS } from "../../src/data/migrations.js";
import { usageByTag } from "../../src/data/spend-by-tag.js";
import { type SpendGroup, spentBy, usageBy } from "../../src/data/spend-queries.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import {
  DAY,
  HOUR,
  ledgerRows,
  SPAN,
  sorted,
  T0,
  usageOracle,
  windows,
  writeInBatches,
} from "../support/report-rows.js";

const GROUPS: SpendGroup[] = ["key", "team", "model", "user", "day", "upstream_model", "kind"];
const SCOPES = [{}, { keyId: "k2" }, { teamId: "t1" }, { keyId: "nobody" }];

/** Every report over each window equals the rows' own; returns how many were compared. */
async function expectReports(data: Data, rows: readonly LedgerRow[], seed: number, n = 8): Promise<number> {
  let compared = 0;
  for (const [from, to] of windows(seed, n)) {
    const at = `${new Date(from).toISOString()}…${new Date(to).toISOString()}`;
    for (const scope of SCOPES) {
      for (const by of GROUPS) {
        const want = sorted(usageOracle(rows, by, from, to, scope));
        expect(sorted(await usageBy(data, by, from, to, scope)), `${by} ${at} ${JSON.stringify(scope)}`).toEqual(want);
        compared++;
      }
      for (const tag of ["project", "env"]) {
        const want = sorted(usageOracle(rows, { tag }, from, to, scope));
        expect(sorted(await usageByTag(data, tag, from, to, scope)), `tag:${tag} ${at}`).toEqual(want);
        compared++;
      }
    }
  }
  return compared;
}

/** What each id spent from `since` (before `before`), from the rows. */
function spentOracle(
  rows: readonly LedgerRow[],
  scope: "key" | "team" | "user" | "tag",
  ids: string[],
  since: number,
  before = Number.POSITIVE_INFINITY,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const x of rows) {
    if (x.at < since || x.at >= before) continue;
    const id =
      scope === "key"
        ? x.key_id
        : scope === "team"
          ? x.team_id
          : scope === "user"
            ? x.user_label
            : ids.find((t) => (x.tags ?? "").includes(`,${t},`));
    if (id === null || id === undefined || !ids.includes(id)) continue;
    out.set(id, (out.get(id) ?? 0) + Number(x.cost_nanos));
  }
  return out;
}

async function expectSpent(data: Data, rows: readonly LedgerRow[], seed: number): Promise<void> {
  const cases: ["key" | "team" | "user" | "tag", string[]][] = [
    ["key", ["k0", "k1", "k3", "k5", "nobody"]],
    ["team", ["t0", "t1"]],
    ["user", ["alice", "bob"]],
    ["tag", ["project=a"]],
    ["tag", ["env=prod"]],
  ];
  for (const [from, to] of windows(seed, 4))
    for (const [scope, ids] of cases) {
      expect(await spentBy(data, scope, ids, from, to), `${scope} ${from}…${to}`).toEqual(
        spentOracle(rows, scope, ids, from, to),
      );
      expect(await spentBy(data, scope, ids, from), `${scope} ${from}…`).toEqual(spentOracle(rows, scope, ids, from));
    }
}

describe.each(ENGINES)("the spend rollup on $engine", ({ fresh }) => {
  let where: TestLocation;
  let data: Data;
  const rows = ledgerRows(1500, 7, "l");
  beforeAll(async () => {
    where = await fresh();
    data = new Data({ path: where.path, url: where.url });
    await writeInBatches(data, rows, [], 11);
  }, 120_000);
  afterAll(async () => {
    await data.close();
    await where.drop();
  });

  it("counts each row written once, racing writers and replays included, by hour and by day", async () => {
    const db = await data.db();
    for (const span of [HOUR, DAY]) {
      const sums = await db
        .selectFrom("spend_rollup")
        .select((eb) => [
          eb.fn.sum<number | string>("requests").as("requests"),
          eb.fn.sum<number | string>("refused").as("refused"),
          eb.fn.sum<number | string>("cost_nanos").as("cost"),
        ])
        .where("span_ms", "=", span)
        .executeTakeFirstOrThrow();
      expect(Number(sums.requests) + Number(sums.refused)).toBe(rows.length);
      expect(Number(sums.refused)).toBe(rows.filter((x) => x.outcome === "refused").length);
      expect(Number(sums.cost)).toBe(rows.reduce((a, x) => a + Number(x.cost_nanos), 0));
    }
  });

  it("every report equals the rows': part hours and days at the ends, every caller, one key, one team", async () => {
    expect(await expectReports(data, rows, 3)).toBeGreaterThan(400);
  }, 120_000);

  it("the spend of keys, teams, users and tags equals the rows', to a time or open-ended", async () => {
    await expectSpent(data, rows, 5);
  }, 60_000);

  it("reads whole buckets from the rollup and only the part hours from the rows", async () => {
    const db = await data.db();
    const from = T0 + 10 * HOUR + 600_000;
    const to = T0 + 2 * DAY + 20 * HOUR + 600_000;
    const total = async () => (await usageBy(data, "key", from, to)).reduce((a, r) => a + r.requests + r.refused, 0);
    const before = await total();
    // Rows taken from the ledger behind the rollup's back: one in a whole day, one in a whole hour, one in a
    // part hour. Only the last is missed.
    const inDay = rows.find((x) => x.at >= T0 + DAY && x.at < T0 + 2 * DAY)!;
    const inHour = rows.find((x) => x.at >= T0 + 12 * HOUR && x.at < T0 + 13 * HOUR)!;
    const inPart = rows.find((x) => x.at >= from && x.at < T0 + 11 * HOUR)!;
    await db.deleteFrom("ledger").where("id", "in", [inDay.id, inHour.id, inPart.id]).execute();
    expect(await total()).toBe(before - 1);
    expect((await usageBy(data, "key", from, to, {}, false)).reduce((a, r) => a + r.requests + r.refused, 0)).toBe(
      before - 3,
    );
    await db.insertInto("ledger").values([inDay, inHour, inPart]).execute();
    expect(await total()).toBe(before);
  });
});

describe.each(ENGINES)("the spend rollup's back-fill on $engine", ({ fresh }) => {
  let where: TestLocation;
  afterAll(async () => where.drop());

  it("sums the ledger rows that were there before the migration", async () => {
    where = await fresh();
    const rows = ledgerRows(700, 21, "b");
    const old = openEngine({ path: where.path, url: where.url });
    await migrate(
      old.db,
      old.name,
      MIGRATIONS.filter((m) => m.id !== "095_spend_rollup"),
    );
    await old.write([{ insert: "ledger", rows }]);
    await old.release();
    const data = new Data({ path: where.path, url: where.url });
    try {
      expect(await expectReports(data, rows, 13, 2)).toBeGreaterThan(100);
      await expectSpent(data, rows, 17);
      // Rows after the migration are added to the back-filled buckets.
      const more = ledgerRows(300, 23, "c");
      await writeInBatches(data, more, [], 29);
      expect(await expectReports(data, [...rows, ...more], 31, 1)).toBeGreaterThan(50);
    } finally {
      await data.close();
    }
  }, 120_000);
});

describe("the spend rollup on an in-memory SQLite database (written through Kysely, not the writer thread)", () => {
  it("equals the rows, replays included", async () => {
    const data = new Data({ path: ":memory:" });
    try {
      const rows = ledgerRows(400, 37, "m");
      await writeInBatches(data, rows, [], 41);
      expect(await expectReports(data, rows, 43, 1)).toBeGreaterThan(50);
      expect(SPAN).toBe(4 * DAY);
    } finally {
      await data.close();
    }
  });
});
