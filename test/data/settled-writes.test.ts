/** Settled rows' writes and the request log's retention (src/data/settled-writes.ts, request-log-retention.ts) on both engines. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Data } from "../../src/data/data.js";
import { pruneOldest } from "../../src/data/request-log-retention.js";
import { writeSettled } from "../../src/data/settled-writes.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { ledgerRow } from "../support/ledger-row.js";
import { requestLogRow } from "../support/request-log-row.js";

describe.each(ENGINES)("settled writes on $engine", ({ fresh }) => {
  let where: TestLocation;
  let data: Data;
  beforeAll(async () => {
    where = await fresh();
    data = new Data({ path: where.path, url: where.url });
  });
  afterAll(async () => {
    await data.close();
    await where.drop();
  });

  const ids = async (table: "ledger" | "request_log" | "request_bodies", prefix: string) =>
    (
      await (await data.db()).selectFrom(table).select("id").where("id", "like", `${prefix}%`).orderBy("id").execute()
    ).map((r) => r.id);

  it("writes ledger rows, request-log rows and bodies in one transaction: all of a batch or none", async () => {
    await writeSettled(data, {
      ledger: [ledgerRow({ id: "w_1", key_id: "k" })],
      requestLog: [requestLogRow({ id: "w_1", key_id: "k", has_bodies: 1 }), requestLogRow({ id: "w_2" })],
      bodies: [{ id: "w_1", at: Date.now(), data: Buffer.from("b") }],
    });
    expect([await ids("ledger", "w_"), await ids("request_log", "w_"), await ids("request_bodies", "w_")]).toEqual([
      ["w_1"],
      ["w_1", "w_2"],
      ["w_1"],
    ]);
    // A row the database refuses (no status) fails the batch: its other rows are not written either.
    const bad = { ...requestLogRow({ id: "w_4" }), status: null as unknown as number };
    await expect(
      writeSettled(data, { ledger: [ledgerRow({ id: "w_3", key_id: "k" })], requestLog: [bad], bodies: [] }),
    ).rejects.toThrow();
    expect(await ids("ledger", "w_3")).toEqual([]);
    // Written again, a row counts once.
    await writeSettled(data, { ledger: [ledgerRow({ id: "w_1", key_id: "k" })], requestLog: [], bodies: [] });
    expect(await ids("ledger", "w_")).toEqual(["w_1"]);
  });

  it("hands the writer only the tables a batch has rows for, and nothing for an empty batch", async () => {
    const seen: string[][] = [];
    const counting = {
      write: (ops: Parameters<Data["write"]>[0]) => {
        seen.push(ops.map((op) => ("insert" in op ? op.insert : "query")));
        return data.write(ops);
      },
    };
    // The request log off, a minted key: only the ledger row is kept, so only the ledger is written.
    await writeSettled(counting, { ledger: [ledgerRow({ id: "h_1", key_id: "k" })], requestLog: [], bodies: [] });
    await writeSettled(counting, { ledger: [], requestLog: [requestLogRow({ id: "h_2" })], bodies: [] });
    await writeSettled(counting, { ledger: [], requestLog: [], bodies: [] });
    expect(seen).toEqual([["ledger"], ["request_log"]]);
    expect([await ids("ledger", "h_"), await ids("request_log", "h_")]).toEqual([["h_1"], ["h_2"]]);
  });

  it("prunes the oldest rows before a time, a bounded batch at a time; bodies unmark their rows", async () => {
    // An hour apart: request-log rows are pruned by whole hours.
    const at = (i: number) => 3_600_000 * (100 + i);
    await writeSettled(data, {
      ledger: [],
      requestLog: Array.from({ length: 5 }, (_, i) => requestLogRow({ id: `p_${i}`, at: at(i), has_bodies: 1 })),
      bodies: Array.from({ length: 5 }, (_, i) => ({ id: `p_${i}`, at: at(i), data: Buffer.from("b") })),
    });
    expect(await pruneOldest(data, "request_bodies", at(3), 2)).toBe(2);
    expect(await ids("request_bodies", "p_")).toEqual(["p_2", "p_3", "p_4"]);
    const marks = await (await data.db())
      .selectFrom("request_log")
      .select(["id", "has_bodies"])
      .where("id", "like", "p_%")
      .orderBy("id")
      .execute();
    expect(marks.map((r) => Number(r.has_bodies))).toEqual([0, 0, 1, 1, 1]);
    expect(await pruneOldest(data, "request_bodies", at(3), 2)).toBe(1);
    // Not before the hour `before` falls in: p_3's hour is not over.
    expect(await pruneOldest(data, "request_log", at(3) + 60_000, 10)).toBe(3);
    expect(await pruneOldest(data, "request_log", at(4), 2)).toBe(1);
    expect(await ids("request_log", "p_")).toEqual(["p_4"]);
    expect(await pruneOldest(data, "request_log", at(4), 10)).toBe(0);
  });
});
