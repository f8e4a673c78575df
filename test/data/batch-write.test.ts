/**
 * Batched writes (Data.write: the ledger, the request log and its retention) on SQLite and PostgreSQL: one
 * transaction per batch (a failing step leaves nothing of the batch), a row already there left as it is,
 * the statements' changes counted; on SQLite the batch is written by a thread of its own, so the event loop
 * keeps turning while a large batch is written.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LedgerRow } from "../../src/billing/ledger-row.js";
import { Data } from "../../src/data/data.js";
import { SqliteWriter } from "../../src/data/sqlite-writer.js";
import { ENGINES, freshSqlite, type TestLocation } from "../support/engines.js";
import { ledgerRow } from "../support/ledger-row.js";

function row(id: string, i: number): LedgerRow {
  return ledgerRow({ id, key_id: "key_batch", at: 1_700_000_000_000 + i, model: "m", cost_nanos: i });
}

describe.each(ENGINES)("batched writes on $engine", ({ fresh }) => {
  let where: TestLocation;
  let data: Data;
  beforeAll(async () => {
    where = await fresh();
    data = new Data({ path: where.path, url: where.url });
    await data.db();
  });
  afterAll(async () => {
    await data.close();
    await where.drop();
  });

  const count = async (prefix: string) => {
    const db = await data.db();
    const r = await db
      .selectFrom("ledger")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("id", "like", `${prefix}%`)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };

  it("inserts, leaves a row already there as it is, and counts what each step changed", async () => {
    const tag = `b_${randomBytes(3).toString("hex")}_`;
    const rows = Array.from({ length: 600 }, (_, i) => row(`${tag}${i}`, i));
    expect(await data.write([{ insert: "ledger", rows: rows.slice(0, 400) }])).toEqual([400]);
    // Half of these are there already: only the new ones count, the old ones keep their values.
    const again = rows.slice(200).map((r) => ({ ...r, cost_nanos: 999_999 }));
    expect(await data.write([{ insert: "ledger", rows: again }])).toEqual([200]);
    expect(await count(tag)).toBe(600);
    const db = await data.db();
    const kept = await db.selectFrom("ledger").select("cost_nanos").where("id", "=", `${tag}250`).executeTakeFirst();
    expect(Number(kept?.cost_nanos)).toBe(250);
    const changed = await data.write([
      { query: db.updateTable("ledger").set({ status: 201 }).where("id", "like", `${tag}1%`) },
      { query: db.deleteFrom("ledger").where("id", "like", `${tag}5%`) },
    ]);
    expect(changed).toEqual([111, 111]);
    expect(await count(tag)).toBe(489);
  });

  it("writes each row of a batch with its own columns, whatever the row before it had", async () => {
    const tag = `c_${randomBytes(3).toString("hex")}_`;
    const full = (i: number) => ({ ...row(`${tag}${i}`, i), team_id: `team_${i}`, user_label: `user_${i}` });
    const without = (i: number) => {
      const { team_id: _t, ...r } = full(i);
      return r;
    };
    // The same columns in another order: each value must still land in its own column.
    const reordered = (i: number) => {
      const { user_label, team_id, ...r } = full(i);
      return { user_label, ...r, team_id };
    };
    const rows = [without(0), full(1), full(2), without(3), reordered(4), without(5), reordered(6), full(7)];
    expect(await data.write([{ insert: "ledger", rows }])).toEqual([rows.length]);
    const db = await data.db();
    const stored = await db
      .selectFrom("ledger")
      .select(["id", "team_id", "user_label", "cost_nanos"])
      .where("id", "like", `${tag}%`)
      .orderBy("id")
      .execute();
    expect(stored.map((r) => [r.id, r.team_id, r.user_label, Number(r.cost_nanos)])).toEqual(
      rows.map((r, i) => [`${tag}${i}`, "team_id" in r ? `team_${i}` : null, `user_${i}`, i]),
    );
  });

  it("writes a batch in one transaction: a failing step leaves nothing of it", async () => {
    const tag = `t_${randomBytes(3).toString("hex")}_`;
    const bad = { ...row(`${tag}bad`, 0), key_id: null } as unknown as LedgerRow;
    await expect(
      data.write([
        { insert: "ledger", rows: [row(`${tag}0`, 0), row(`${tag}1`, 1)] },
        { insert: "ledger", rows: [bad] },
      ]),
    ).rejects.toThrow(/null|NOT NULL/i);
    expect(await count(tag)).toBe(0);
    // The writer is still there for the next batch.
    expect(await data.write([{ insert: "ledger", rows: [row(`${tag}2`, 2)] }])).toEqual([1]);
  });
});

describe("the SQLite writer thread", () => {
  it("keeps the event loop turning while a large batch is written", async () => {
    const where = await freshSqlite();
    const data = new Data({ path: where.path });
    try {
      await data.db();
      const rows = Array.from({ length: 30_000 }, (_, i) => row(`l_${i}`, i));
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 1);
      try {
        await data.write([{ insert: "ledger", rows }]);
      } finally {
        clearInterval(ticker);
      }
      // Written on the main thread, the batch would hold the loop from start to end: no tick in between.
      expect(ticks).toBeGreaterThan(3);
      const db = await data.db();
      const r = await db
        .selectFrom("ledger")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      expect(Number(r.n)).toBe(30_000);
    } finally {
      await data.close();
    }
  });

  it("stops its thread when idle, starts another for the next batch, and fails a batch it cannot write", async () => {
    const where = await freshSqlite();
    const data = new Data({ path: where.path });
    await data.db();
    const writer = new SqliteWriter(where.path, undefined, 50);
    try {
      expect(writer.running).toBe(false);
      expect(await writer.write([{ insert: "ledger", rows: [row("i_1", 1)] }])).toEqual([1]);
      expect(writer.running).toBe(true);
      for (let i = 0; i < 100 && writer.running; i++) await new Promise((r) => setTimeout(r, 20));
      expect(writer.running).toBe(false);
      expect(await writer.write([{ insert: "ledger", rows: [row("i_2", 2), row("i_1", 1)] }])).toEqual([1]);
      await expect(writer.write([{ sql: "insert into no_such_table values (1)", parameters: [] }])).rejects.toThrow(
        /no_such_table/,
      );
    } finally {
      await writer.close();
      await data.close();
    }
    await expect(writer.write([{ insert: "ledger", rows: [row("i_3", 3)] }])).rejects.toThrow(/closed/);
  });
});
