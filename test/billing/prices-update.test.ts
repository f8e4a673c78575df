/**
 * `llmux prices update` on SQLite and PostgreSQL with two instances on one database: the list it stores
 * (from a file, or the pinned @pydantic/genai-prices data) prices the next requests of every instance without a
 * restart; each ledger row keeps the prices it was costed at, so rows written before keep theirs.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findProvider } from "@pydantic/genai-prices";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llmux } from "../cli/run.js";
import { freshPostgres, freshSqlite, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { ADMIN, admin, teamHarness } from "../support/team.js";

const SETUPS = [
  { name: "SQLite", fresh: freshSqlite },
  { name: "PostgreSQL", fresh: freshPostgres },
];
const FILE = join(mkdtempSync(join(tmpdir(), "llmux-prices-update-")), "prices.json");

describe.each(SETUPS)("llmux prices update on $name", { timeout: 60_000 }, ({ fresh }) => {
  let where: TestLocation;
  let a: Harness;
  let b: Harness;
  let key: string;
  beforeAll(async () => {
    where = await fresh();
    a = await teamHarness(where);
    b = await teamHarness(where);
    key = (await admin(a, "POST", "/keys", { name: "priced" })).body.key;
  }, 30_000);
  afterAll(async () => {
    await a.close();
    await b.close();
    await where.drop();
  });

  /** One request through `h`, and its ledger row once written. */
  const ask = async (h: Harness) => {
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "via-anthropic",
        max_tokens: 16,
        messages: [{ role: "user", content: "price me" }],
      }),
    });
    await res.arrayBuffer();
    const id = res.headers.get("x-request-id")!;
    const db = await a.gateway.team!.data.db();
    for (let i = 0; i < 400; i++) {
      const row = await db
        .selectFrom("ledger")
        .select(["cost_nanos", "input_tokens", "output_tokens", "price"])
        .where("id", "=", id)
        .executeTakeFirst();
      if (row) return { ...row, cost_nanos: Number(row.cost_nanos), price: JSON.parse(row.price!) };
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no ledger row for ${id}`);
  };

  it("stores a list from a file that every instance prices by; earlier rows keep their prices", async () => {
    const before = await ask(b);
    expect(before.price.source).toMatch(/genai-prices/);
    expect(before.price.input).toBe(3);
    expect(before.cost_nanos).toBe(before.input_tokens * 3000 + before.output_tokens * 15_000);

    writeFileSync(FILE, JSON.stringify({ models: { "claude-sonnet-4-5": { input: 1000, output: 2000 } } }));
    const r = await llmux(["prices", "update", "--url", a.url, "--from", FILE, "--json"], { LLMUX_ADMIN_KEY: ADMIN });
    expect(r.code, r.stderr).toBe(0);
    const stored = JSON.parse(r.stdout) as { version: number; models: number; source: string };
    expect(stored.models).toBe(1);
    expect(stored.source).toBe(FILE);

    // The instance that stored it, at once; the other on its next poll (run here rather than waited for).
    const onA = await ask(a);
    expect(onA.price).toMatchObject({ input: 1000, output: 2000, source: FILE });
    expect(onA.cost_nanos).toBe(onA.input_tokens * 1_000_000 + onA.output_tokens * 2_000_000);
    await b.gateway.team!.pricesChanged!();
    expect((await ask(b)).price.input).toBe(1000);

    // The row written before keeps what it was costed at.
    const db = await a.gateway.team!.data.db();
    const rows = await db.selectFrom("ledger").select(["price", "cost_nanos"]).orderBy("at").execute();
    expect(JSON.parse(rows[0]!.price!).input).toBe(3);
    expect(Number(rows[0]!.cost_nanos)).toBe(before.cost_nanos);
    expect((await admin(a, "GET", "/prices")).body).toMatchObject({ version: stored.version, models: 1 });
  });

  it("keeps a URL's source without its token: not in the stored list, the API's answer or the ledger rows", async () => {
    const TOKEN = `planted-signature-${Date.now()}`;
    const server = createServer((req, res) => {
      const basic = `Basic ${Buffer.from(`reader:${TOKEN}-pw`).toString("base64")}`;
      const ok = req.url?.startsWith("/prices.json?") && req.headers.authorization === basic;
      res.writeHead(ok ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify({ models: { "claude-sonnet-4-5": { input: 4, output: 8 } } }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    try {
      const from = `http://reader:${TOKEN}-pw@127.0.0.1:${port}/prices.json?X-Amz-Signature=${TOKEN}#${TOKEN}`;
      const r = await llmux(["prices", "update", "--url", a.url, "--from", from, "--json"], { LLMUX_ADMIN_KEY: ADMIN });
      expect(r.code, r.stderr).toBe(0);
      const clean = `http://127.0.0.1:${port}/prices.json`;
      expect((JSON.parse(r.stdout) as { source: string }).source).toBe(clean);
      const row = await ask(a);
      expect(row.price).toMatchObject({ input: 4, source: clean });
      const listed = await admin(a, "GET", "/prices");
      const db = await a.gateway.team!.data.db();
      const stored = await db.selectFrom("price_lists").selectAll().execute();
      const ledger = await db.selectFrom("ledger").select("price").execute();
      expect(JSON.stringify([r.stdout, listed.body, stored, ledger])).not.toContain(TOKEN);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("stores the pinned @pydantic/genai-prices data by default, with its match rules", async () => {
    const r = await llmux(["prices", "update", "--url", a.url, "--json"], { LLMUX_ADMIN_KEY: ADMIN });
    expect(r.code, r.stderr).toBe(0);
    const stored = JSON.parse(r.stdout) as { models: number; source: string };
    expect(stored.source).toMatch(/^@pydantic\/genai-prices \d+\.\d+\.\d+/);
    expect(stored.models).toBeGreaterThan(50);
    // genai-prices' own price of the model, found through its match rule (a dated name).
    const sonnet = findProvider({ providerId: "anthropic" })!.models.find((m) => m.id === "claude-sonnet-4-5")!;
    const input = (sonnet.prices as { input_mtok: number | { base: number } }).input_mtok;
    const row = a.gateway.billing.prices.find("claude-sonnet-4-5-20250929")!;
    expect(row.source).toMatch(/^@pydantic\/genai-prices/);
    expect(row.input).toBe(typeof input === "number" ? input : input.base);
  });

  it("refuses a list it cannot use, naming what is wrong, and stores nothing", async () => {
    writeFileSync(FILE, JSON.stringify({ models: { m: { input: "3" } } }));
    const version = (await admin(a, "GET", "/prices")).body.version;
    const r = await llmux(["prices", "update", "--url", a.url, "--from", FILE], { LLMUX_ADMIN_KEY: ADMIN });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/models\.m: input and output must be numbers/);
    expect((await admin(a, "GET", "/prices")).body.version).toBe(version);
  });
});
