/**
 * The tables of one row whose version moves with each store (src/data/one-row.ts): the stored price list and
 * routing rules, on SQLite and PostgreSQL (whose bigints come back as strings: read as numbers).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Data } from "../../src/data/data.js";
import { priceListVersion, storedPriceList, storePriceList } from "../../src/data/price-lists.js";
import { routingRulesVersion, storedRoutingRules, storeRoutingRules } from "../../src/data/routing-rules.js";
import { ENGINES, type TestLocation } from "../support/engines.js";

describe.each(ENGINES)("one-row tables on $engine", ({ fresh }) => {
  let where: TestLocation;
  let data: Data;
  beforeEach(async () => {
    where = await fresh();
    data = new Data({ path: where.path, url: where.url });
  });
  afterEach(async () => {
    await data.close();
    await where.drop();
  });

  it("stores a row, replaces it whole, and moves its version each time; nothing stored reads as version 0", async () => {
    expect(await routingRulesVersion(data)).toBe(0);
    expect(await storedRoutingRules(data)).toBeUndefined();
    const before = Date.now();
    expect(await storeRoutingRules(data, "[1]")).toBe(1);
    expect(await storeRoutingRules(data, "[2]")).toBe(2);
    expect(await routingRulesVersion(data)).toBe(2);
    const rules = await storedRoutingRules(data);
    expect(rules).toEqual({ version: 2, rules: "[2]", updated_at: expect.any(Number) });
    expect(rules?.updated_at).toBeGreaterThanOrEqual(before);
  });

  it("keeps each table's row apart, its numeric columns read as numbers", async () => {
    expect(await priceListVersion(data)).toBe(0);
    expect(await storePriceList(data, { source: "a file", models: 3, rows: "[]" })).toBe(1);
    expect(await storeRoutingRules(data, "[]")).toBe(1);
    expect(await storePriceList(data, { source: "a url", models: 4, rows: "[9]" })).toBe(2);
    expect(await storedPriceList(data)).toEqual({
      version: 2,
      source: "a url",
      models: 4,
      rows: "[9]",
      updated_at: expect.any(Number),
    });
    expect(await routingRulesVersion(data)).toBe(1);
  });
});
