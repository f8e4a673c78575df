/**
 * One money unit: budgets in nano-dollars (006_budget_nanos), on SQLite and PostgreSQL. A database migrated
 * from budget_micros reads the same budgets; this release writes both columns; what the release before
 * writes during a rolling deploy (budget_micros only) is read too.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Data } from "../../src/data/data.js";
import { openEngine } from "../../src/data/engine.js";
import { keyByHash } from "../../src/data/key-lookup.js";
import { hashKey, Keys } from "../../src/data/keys.js";
import { migrate } from "../../src/data/migrate.js";
import { MIGRATIONS } from "../../src/data/migrations.js";
import { budgetNanos, MAX_BUDGET_NANOS } from "../../src/data/quota.js";
import { Teams } from "../../src/data/teams.js";
import { ENGINES, type TestLocation } from "../support/engines.js";

const BEFORE = MIGRATIONS.findIndex((m) => m.id === "006_budget_nanos");

describe("budgetNanos", () => {
  it("is budget_nanos while budget_micros agrees, else budget_micros (a write of the release before)", () => {
    expect(budgetNanos({ budget_nanos: 123_456, budget_micros: 123 })).toBe(123_456);
    expect(budgetNanos({ budget_nanos: 400, budget_micros: 0 })).toBe(400);
    expect(budgetNanos({ budget_nanos: 5_000_000, budget_micros: 7_000 })).toBe(7_000_000);
    expect(budgetNanos({ budget_nanos: null, budget_micros: 7_000 })).toBe(7_000_000);
    expect(budgetNanos({ budget_nanos: 5_000_000, budget_micros: null })).toBeNull();
    expect(budgetNanos({ budget_nanos: null, budget_micros: null })).toBeNull();
  });
});

describe.each(ENGINES)("budgets in nano-dollars on $engine", ({ engine, fresh }) => {
  let where: TestLocation;
  beforeEach(async () => {
    where = await fresh();
  });
  afterEach(async () => {
    await where.drop();
  });

  it("006 backfills budget_nanos from budget_micros; keys and teams read the same budgets as before", async () => {
    expect(BEFORE).toBe(5);
    const e = openEngine({ path: where.path, url: where.url });
    try {
      await migrate(e.db, e.name, MIGRATIONS.slice(0, BEFORE));
      // Rows as the release before writes them (no budget_nanos column yet).
      // biome-ignore lint/suspicious/noExplicitAny: the schema of the release before
      const old = e.db as any;
      await old
        .insertInto("teams")
        .values({
          id: "team_old",
          name: "old",
          budget_micros: 12_500_000,
          budget_period: "month",
          created_at: 1,
          updated_at: 1,
        })
        .execute();
      const key = (id: string, micros: number | null) => ({
        id,
        prefix: "lx-x",
        hash: `h_${id}`,
        name: id,
        disabled: 0,
        budget_micros: micros,
        budget_period: micros === null ? null : "total",
        team_id: "team_old",
        created_at: 1,
        updated_at: 1,
      });
      await old
        .insertInto("api_keys")
        .values([key("key_a", 123), key("key_b", null)])
        .execute();
      expect(await migrate(e.db, e.name)).toEqual(MIGRATIONS.slice(BEFORE).map((m) => m.id));
      const rows = await e.db.selectFrom("api_keys").select(["id", "budget_nanos"]).orderBy("id").execute();
      expect(rows.map((r) => [r.id, r.budget_nanos === null ? null : Number(r.budget_nanos)])).toEqual([
        ["key_a", 123_000],
        ["key_b", null],
      ]);
    } finally {
      await e.release();
    }
    const data = new Data({ path: where.path, url: where.url });
    try {
      const keys = new Keys(() => data.db(), undefined);
      expect((await keys.get("key_a"))!.budget).toEqual({ usd: 0.000123, period: "total" });
      expect((await keys.get("key_b"))!.budget).toBeNull();
      expect((await new Teams(() => data.db()).get("team_old"))!.budget).toEqual({ usd: 12.5, period: "month" });
      expect((await keyByHash(data, "h_key_a"))!.team_quota!.budget).toEqual({ usd: 12.5, period: "month" });
    } finally {
      await data.close();
    }
  });

  it("writes nano-dollars (and micro-dollars for the release before); reads what the release before wrote since", async () => {
    const data = new Data({ path: where.path, url: where.url });
    try {
      const db = await data.db();
      const keys = new Keys(() => data.db(), undefined);
      const teams = new Teams(() => data.db());
      // Below a micro-dollar: only nano-dollars can hold it.
      const k = await keys.create({ name: "fine", budget: { usd: 0.0000004, period: "day" } });
      const stored = async () =>
        db
          .selectFrom("api_keys")
          .select(["budget_nanos", "budget_micros"])
          .where("id", "=", k.id)
          .executeTakeFirstOrThrow();
      expect(await stored()).toEqual({ budget_nanos: 400, budget_micros: 0 });
      expect(k.budget).toEqual({ usd: 0.0000004, period: "day" });
      expect((await keyByHash(data, hashKey(k.key)))!.quota.budget).toEqual({ usd: 0.0000004, period: "day" });
      await keys.update(k.id, { budget: { usd: 2.5, period: "week" } });
      expect(await stored()).toEqual({ budget_nanos: 2_500_000_000, budget_micros: 2_500_000 });
      // The release before changes the budget: only budget_micros moves. Its value is read.
      await db.updateTable("api_keys").set({ budget_micros: 7_000_000 }).where("id", "=", k.id).execute();
      expect((await keys.get(k.id))!.budget).toEqual({ usd: 7, period: "week" });
      // ... and removes it.
      await db
        .updateTable("api_keys")
        .set({ budget_micros: null, budget_period: null })
        .where("id", "=", k.id)
        .execute();
      expect((await keys.get(k.id))!.budget).toBeNull();
      await keys.update(k.id, { budget: null });
      expect(await stored()).toEqual({ budget_nanos: null, budget_micros: null });
      // A budget past what a 64-bit integer holds is kept at the largest one.
      const t = await teams.create({ name: "rich", budget: { usd: 1e12, period: "total" } });
      expect(t.budget).toEqual({ usd: MAX_BUDGET_NANOS / 1e9, period: "total" });
      expect((await teams.get(t.id))!.budget).toEqual({ usd: MAX_BUDGET_NANOS / 1e9, period: "total" });
      expect(engine).toBe(data.engine);
    } finally {
      await data.close();
    }
  });
});
