/**
 * Admin writes never fail while the writer thread is busy (issue 48, item 15), on SQLite and PostgreSQL: keys
 * minted (a transaction that reads its team, then inserts) while large batches go through the batched writer
 * (the request log's and ledger's path) all succeed. On SQLite a transaction that began as a reader could not
 * become a writer once the writer thread had committed meanwhile: "database is locked" at once, whatever the
 * busy timeout; the data layer's transactions now take the write lock first (BEGIN IMMEDIATE) and wait for it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Data } from "../../src/data/data.js";
import { Keys } from "../../src/data/keys.js";
import { Teams } from "../../src/data/teams.js";
import { keyringOf } from "../../src/secrets/cipher.js";
import { ENGINES, type TestLocation } from "../support/engines.js";

const MASTER = "master-key-for-tests-0123456789";

describe.each(ENGINES)("admin writes while the batched writer is busy ($engine)", { timeout: 120_000 }, ({ fresh }) => {
  let where: TestLocation;
  let data: Data;
  let keys: Keys;
  let teams: Teams;
  beforeAll(async () => {
    where = await fresh();
    data = new Data({ path: where.path, url: where.url });
    keys = new Keys(() => data.db(), keyringOf({ master_key: MASTER }));
    teams = new Teams(() => data.db());
  });
  afterAll(async () => {
    await data.close();
    await where.drop();
  });

  it("mints every key while batches of audit rows are written without pause", async () => {
    const team = await teams.create({ name: "load-team" });
    let writing = true;
    let batches = 0;
    const row = (i: number, j: number) => ({
      id: `aud_load_${i}_${j}`,
      at: Date.now(),
      actor: "load",
      via: "cli",
      source: "cli",
      address: null,
      action: "load.test",
      target_type: null,
      target_id: null,
      target_name: null,
      team_id: null,
      outcome: "ok",
      before: null,
      after: "x".repeat(200),
      reason: null,
    });
    const writers = Array.from({ length: 3 }, async (_, w) => {
      for (let i = 0; writing; i++) {
        await data.write([{ insert: "audit_log", rows: Array.from({ length: 300 }, (_, j) => row(w * 1e6 + i, j)) }]);
        batches++;
      }
    });
    // The writers are under way before the first key is minted.
    while (batches < 3) await new Promise((r) => setTimeout(r, 5));
    const before = batches;
    // Four admins minting keys one after another, while the writers go on.
    const failed: string[] = [];
    let minted = 0;
    await Promise.all(
      Array.from({ length: 4 }, async (_, a) => {
        for (let i = 0; i < 60; i++)
          await keys.create({ name: `load-${a}-${i}`, team_id: team.id }).then(
            () => minted++,
            (err: Error) => failed.push(err.message),
          );
      }),
    );
    writing = false;
    // Every batch of the writers was written too (none failed meanwhile).
    await Promise.all(writers);
    expect(failed).toEqual([]);
    expect(minted).toBe(240);
    expect(batches).toBeGreaterThan(before);
  });
});
