/**
 * PostgreSQL's settled batches are inserted as one JSON parameter (batch-write.ts, jsonInsertSql): the rows read
 * back exactly as Kysely's multi-row INSERT writes them (the oracle, on the same database), a row already there
 * is left as it is, and rows JSON cannot carry as themselves take Kysely's INSERT.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonColumns, jsonInsertSql, writeThrough } from "../../src/data/batch-write.js";
import { Data } from "../../src/data/data.js";
import { freshPostgres, type TestLocation } from "../support/engines.js";
import { requestLogRow } from "../support/request-log-row.js";

/** Request-log rows with the values a client or an upstream can put in them. */
function tricky(tag: string) {
  const texts = [
    "plain",
    `quotes " ' and \\ backslashes \\" \\\\`,
    "lines\nand\ttabs\r\n",
    "émoji 🙂 and CJK 漢字, a pair 𝄞",
    'json-looking {"a":[1,2]} and [null]',
    "",
    "$1 ::json null",
  ];
  return texts.map((t, i) =>
    requestLogRow({
      id: `${tag}${i}`,
      at: 1_700_000_000_000 + i,
      user_label: t,
      reason: t.length > 0 ? `${t} (reason)` : null,
      tags: JSON.stringify({ project: t }),
      latency_ms: 0.1 + i / 3,
      ttft_ms: i % 2 === 0 ? null : 1e-7 * i,
      cost_nanos: 9_007_199_254_740_991 - i,
      input_tokens: 2 ** 40 + i,
      stream: i % 2,
    }),
  );
}

describe("settled rows as one JSON parameter on PostgreSQL", () => {
  let where: TestLocation;
  let data: Data;
  beforeAll(async () => {
    where = await freshPostgres();
    data = new Data({ path: where.path, url: where.url });
    await data.db();
  });
  afterAll(async () => {
    await data.close();
    await where.drop();
  });

  const readBack = async (prefix: string) => {
    const db = await data.db();
    const rows = await db
      .selectFrom("request_log")
      .selectAll()
      .where("id", "like", `${prefix}%`)
      .orderBy("id")
      .execute();
    return rows.map((r) => ({ ...r, id: r.id.slice(prefix.length) }));
  };

  it("reads back as Kysely's INSERT writes the same rows, and counts only the rows it added", async () => {
    const json = `j_${randomBytes(3).toString("hex")}_`;
    const oracle = `k_${randomBytes(3).toString("hex")}_`;
    const db = await data.db();
    const rows = tricky(json);
    expect(jsonColumns(rows)).toEqual(Object.keys(rows[0]!));
    expect(await writeThrough(db, [{ insert: "request_log", rows }], true)).toEqual([rows.length]);
    expect(await writeThrough(db, [{ insert: "request_log", rows: tricky(oracle) }], false)).toEqual([rows.length]);
    const got = await readBack(json);
    expect(got).toHaveLength(rows.length);
    expect(got).toEqual(await readBack(oracle));
    expect(got.map((r) => r.user_label)).toEqual(rows.map((r) => r.user_label));
    // Written again, with other values: nothing added, the first values kept.
    const again = rows.slice(2).map((r) => ({ ...r, user_label: "changed" }));
    expect(await writeThrough(db, [{ insert: "request_log", rows: [...again, ...tricky(`${json}x`)] }], true)).toEqual([
      rows.length,
    ]);
    expect((await readBack(json)).filter((r) => r.user_label === "changed")).toEqual([]);
  });

  it("through Data.write, the way settled batches go, with the rollups of the rows added", async () => {
    const tag = `d_${randomBytes(3).toString("hex")}_`;
    expect(await data.write([{ insert: "request_log", rows: tricky(tag) }])).toEqual([7]);
    const db = await data.db();
    const rollup = await db
      .selectFrom("request_rollup")
      .select((eb) => eb.fn.sum<number>("requests").as("n"))
      .where("hour", "<", 1_800_000_000_000)
      .executeTakeFirst();
    expect(Number(rollup?.n)).toBeGreaterThanOrEqual(7);
    expect((await readBack(tag)).map((r) => r.reason)).toEqual(tricky("").map((r) => r.reason));
  });

  it("leaves to Kysely's INSERT the rows JSON cannot carry as themselves, which it writes as before", async () => {
    const tag = `f_${randomBytes(3).toString("hex")}_`;
    const base = requestLogRow({ id: `${tag}0` });
    const lone = { ...base, id: `${tag}1`, user_label: "a lone \ud800 surrogate" };
    const missing: Record<string, unknown> = { ...base, id: `${tag}2` };
    delete missing.reason;
    expect(jsonColumns([base, lone])).toBeUndefined();
    expect(jsonColumns([base, missing])).toBeUndefined();
    // A column in place of another, named like something every object inherits: not the same columns.
    expect(jsonColumns([base, { ...missing, toString: "x" }])).toBeUndefined();
    expect(jsonColumns([base, { ...base, reason: undefined }])).toBeUndefined();
    expect(jsonColumns([base, { ...base, latency_ms: Number.NaN }])).toBeUndefined();
    expect(jsonColumns([{ id: "b", at: 1, data: Buffer.from("x") }])).toBeUndefined();
    expect(jsonColumns([])).toBeUndefined();
    const db = await data.db();
    expect(await writeThrough(db, [{ insert: "request_log", rows: [base, lone] }], true)).toEqual([2]);
    expect(await writeThrough(db, [{ insert: "request_log", rows: [missing] }], true)).toEqual([1]);
    const got = await readBack(tag);
    expect(got.map((r) => r.user_label)).toEqual([base.user_label, "a lone \ufffd surrogate", base.user_label]);
    expect(got[2]!.reason).toBeNull();
  });

  it("names the table and its columns quoted", () => {
    expect(jsonInsertSql("ledger", ["id", 'odd"name'])).toBe(
      'insert into "ledger" ("id", "odd""name") select "id", "odd""name" from json_populate_recordset(null::"ledger", $1::json) on conflict (id) do nothing returning id',
    );
  });
});
