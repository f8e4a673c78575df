/**
 * A maintained price list (`price_list:`, src/billing/price-list.ts): read as the gateway starts and again on
 * its interval, without a restart; a list that cannot be read leaves the prices as they were; `prices:` still
 * wins over it; mistakes in a list are named by field.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePriceList, refreshPrices } from "../../src/billing/price-list.js";
import { freshSqlite, type TestLocation } from "../support/engines.js";
import type { Body, Harness } from "../support/gateway.js";
import { admin, teamHarness, within } from "../support/team.js";

const FILE = join(mkdtempSync(join(tmpdir(), "llmux-prices-")), "prices.json");
const list = (input: number) => JSON.stringify({ models: { "claude-sonnet-4-5": { input, output: 0 } } });

describe("price_list", () => {
  let where: TestLocation;
  let h: Harness;
  let key: string;
  let keyId: string;
  beforeAll(async () => {
    writeFileSync(FILE, list(1000));
    where = await freshSqlite();
    h = await teamHarness(where, {
      price_list: { source: FILE, refresh_s: 3600 },
      prices: { "gpt-4.1": { input: 1, output: 1 } },
    });
    const k = (await admin(h, "POST", "/keys", { name: "p" })).body;
    key = k.key;
    keyId = k.id;
  });
  afterAll(async () => {
    await h.close();
  });

  /** One request's cost per input token, in USD per million, from its request-log row. */
  const pricePerMillion = async (model = "via-anthropic"): Promise<number> => {
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "price me" }] }),
    });
    const id = res.headers.get("x-request-id")!;
    await res.text();
    let row: Body | undefined;
    await within(10_000, async () => {
      row = ((await admin(h, "GET", `/requests?key_id=${keyId}&limit=100`)).body.rows ?? []).find(
        (r: Body) => r.id === id,
      );
      return row !== undefined;
    });
    return Math.round((row!.cost_usd / row!.input_tokens) * 1e6);
  };

  it("prices by the list as it starts, and by the list read again, without a restart", async () => {
    await within(5000, async () => h.gateway.billing.prices.find("claude-sonnet-4-5")?.input === 1000);
    expect(await pricePerMillion()).toBe(1000);
    writeFileSync(FILE, list(2000));
    const logger = pino({ level: "silent" });
    expect(await refreshPrices(h.gateway.billing.prices, FILE, logger)).toBe(true);
    expect(await pricePerMillion()).toBe(2000);
    // A broken list leaves the prices as they were.
    writeFileSync(FILE, "{ not json");
    expect(await refreshPrices(h.gateway.billing.prices, FILE, logger)).toBe(false);
    expect(await pricePerMillion()).toBe(2000);
    // prices: in the configuration still wins over the list.
    writeFileSync(FILE, JSON.stringify({ models: { "gpt-4.1": { input: 500, output: 500 } } }));
    expect(await refreshPrices(h.gateway.billing.prices, FILE, logger)).toBe(true);
    expect(h.gateway.billing.prices.find("gpt-4.1")?.input).toBe(1);
  });

  it("names what is wrong in a list", () => {
    expect(() => parsePriceList("[]")).toThrow(/a price list is \{"models"/);
    expect(() => parsePriceList(JSON.stringify({ models: { m: { input: "3" } } }))).toThrow(
      /models\.m: input and output must be numbers/,
    );
  });
});
