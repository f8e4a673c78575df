/** The spend queries (src/data/spend-queries.ts) on SQLite and PostgreSQL, by the same tests. */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Data } from "../../src/data/data.js";
import { spentBy, spentSince, usageBy } from "../../src/data/spend-queries.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { ledgerRow } from "../support/ledger-row.js";

const DAY = 86_400_000;
/** 2024-03-01T00:00:00Z: a day boundary in UTC. */
const T0 = Date.UTC(2024, 2, 1);

describe.each(ENGINES)("spend queries on $engine", ({ fresh }) => {
  let where: TestLocation;
  let data: Data;
  const tag = randomBytes(3).toString("hex");
  const key = (n: number) => `key_${tag}_${n}`;
  beforeAll(async () => {
    where = await fresh();
    data = new Data({ path: where.path, url: where.url });
    const rows = [
      // key 1 (team a, user ada): two rows on day one, one on day two.
      ledgerRow({
        id: `${tag}_1`,
        key_id: key(1),
        team_id: "team_a",
        user_label: "ada",
        at: T0 + 10,
        cost_nanos: 1_000,
      }),
      ledgerRow({
        id: `${tag}_2`,
        key_id: key(1),
        team_id: "team_a",
        user_label: "ada",
        at: T0 + 20,
        cost_nanos: 2_000,
      }),
      ledgerRow({
        id: `${tag}_3`,
        key_id: key(1),
        team_id: "team_a",
        user_label: "ada",
        at: T0 + DAY + 5,
        cost_nanos: 4_000,
        alias: "b",
        model: "claude",
        input_tokens: 7,
        output_tokens: 3,
        cache_read_tokens: 2,
        cache_write_tokens: 1,
        reasoning_tokens: 5,
      }),
      // key 2 (team a, no user), key 3 (no team): big numbers, past 2^31.
      ledgerRow({ id: `${tag}_4`, key_id: key(2), team_id: "team_a", at: T0 + 30, cost_nanos: 5_000_000_000 }),
      ledgerRow({ id: `${tag}_5`, key_id: key(3), at: T0 + 40, cost_nanos: 8, model: null, alias: null }),
    ];
    await data.write([{ insert: "ledger", rows }]);
  });
  afterAll(async () => {
    await data.close();
    await where.drop();
  });

  it("spentBy sums per key, team and user in a window, leaving out ids without spend", async () => {
    const keys = await spentBy(data, "key", [key(1), key(2), key(3), key(9)], T0);
    expect(Object.fromEntries(keys)).toEqual({ [key(1)]: 7_000, [key(2)]: 5_000_000_000, [key(3)]: 8 });
    expect(Object.fromEntries(await spentBy(data, "team", ["team_a", "team_b"], T0))).toEqual({
      team_a: 5_000_007_000,
    });
    expect(Object.fromEntries(await spentBy(data, "user", ["ada"], T0 + DAY))).toEqual({ ada: 4_000 });
    // From inclusive, before exclusive.
    expect(Object.fromEntries(await spentBy(data, "key", [key(1)], T0 + 20, T0 + DAY + 5))).toEqual({
      [key(1)]: 2_000,
    });
    expect((await spentBy(data, "key", [], 0)).size).toBe(0);
  });

  it("spentBy takes more ids than one statement holds", async () => {
    const many = [...Array.from({ length: 1200 }, (_, i) => `key_none_${i}`), key(3)];
    expect(Object.fromEntries(await spentBy(data, "key", many, 0))).toEqual({ [key(3)]: 8 });
  });

  it("spentSince is one id's sum, 0 without spend", async () => {
    expect(await spentSince(data, "key", key(1), T0)).toBe(7_000);
    expect(await spentSince(data, "key", key(1), T0, T0 + 15)).toBe(1_000);
    expect(await spentSince(data, "team", "team_b", 0)).toBe(0);
  });

  it("usageBy groups by key, team, alias, upstream model, user and UTC day, summing every column", async () => {
    const range = [T0, T0 + 2 * DAY] as const;
    const byKey = await usageBy(data, "key", ...range);
    expect(byKey.find((r) => r.group === key(1))).toEqual({
      group: key(1),
      requests: 3,
      input_tokens: 9,
      output_tokens: 5,
      cache_read_tokens: 2,
      cache_write_tokens: 1,
      reasoning_tokens: 5,
      cost_nanos: 7_000,
      refused: 0,
    });
    const groups = async (by: Parameters<typeof usageBy>[1]) =>
      Object.fromEntries((await usageBy(data, by, ...range)).map((r) => [String(r.group), r.requests]));
    expect(await groups("team")).toEqual({ team_a: 4, null: 1 });
    expect(await groups("model")).toEqual({ a: 3, b: 1, null: 1 });
    expect(await groups("upstream_model")).toEqual({ "gpt-4.1": 3, claude: 1, null: 1 });
    expect(await groups("user")).toEqual({ ada: 3, null: 2 });
    expect(await groups("day")).toEqual({ "2024-03-01": 4, "2024-03-02": 1 });
    // One key's rows only; a range that holds nothing.
    expect((await usageBy(data, "day", ...range, { keyId: key(1) })).map((r) => [r.group, r.cost_nanos])).toEqual([
      ["2024-03-01", 3_000],
      ["2024-03-02", 4_000],
    ]);
    expect(await usageBy(data, "key", T0 + 3 * DAY, T0 + 4 * DAY)).toEqual([]);
  });
});
