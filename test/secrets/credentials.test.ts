/**
 * Bring-your-own-key: a key's stored Anthropic credential reaches the upstream in place of the provider's,
 * and its plaintext appears nowhere in the database (file or tables), the logs or the admin API.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/data/schema.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { admin, call, teamHarness } from "../support/team.js";

const PLANTED = "sk-ant-PLANTED-7f3c9e1a2b4d6f8091a3c5e7";

/** Every row of every table, as text. */
async function everyRow(db: Kysely<Database>, engine: string): Promise<string> {
  const tables =
    engine === "postgres"
      ? (
          await sql<{
            name: string;
          }>`select table_name as name from information_schema.tables where table_schema = 'public'`.execute(db)
        ).rows
      : (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)).rows;
  let all = "";
  for (const t of tables) all += JSON.stringify((await sql`select * from ${sql.table(t.name)}`.execute(db)).rows);
  return all;
}

describe.each(ENGINES)("stored upstream credentials on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where, { logging: { level: "debug" } });
  });
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  it("uses the key's credential upstream and never shows or stores its plaintext", async () => {
    const minted = await admin(h, "POST", "/keys", { name: "byok", credentials: { anthropic: PLANTED } });
    expect(minted.status).toBe(201);
    expect(minted.body.credentials).toEqual(["anthropic"]);
    expect(JSON.stringify(minted.body)).not.toContain(PLANTED);

    h.mock.enqueue({ blocks: [{ type: "text", text: "with your key" }] });
    const r = await call(h.url, "POST", "/v1/messages", minted.body.key, {
      model: "via-anthropic",
      max_tokens: 20,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(r.status).toBe(200);
    const seen = h.mock.requests.at(-1)!;
    expect(seen.headers["x-api-key"]).toBe(PLANTED);

    // Other providers still use their own api_key.
    h.mock.enqueue({ blocks: [{ type: "text", text: "provider key" }] });
    await call(h.url, "POST", "/v1/chat/completions", minted.body.key, {
      model: "via-openai-chat",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(h.mock.requests.at(-1)!.headers.authorization).toBe("Bearer oa-key");

    const shown = await admin(h, "GET", `/keys/${minted.body.id}`);
    const listed = await admin(h, "GET", "/keys");
    expect(JSON.stringify([shown.body, listed.body])).not.toContain(PLANTED);

    const db = await h.gateway.team!.data.db();
    const rows = await everyRow(db, where.engine);
    expect(rows).toContain("byok"); // the dump does see the tables
    expect(rows).not.toContain(PLANTED);
    expect(rows).not.toContain(minted.body.key);
    if (where.engine === "sqlite") {
      const dir = dirname(where.path);
      for (const f of readdirSync(dir)) {
        const bytes = readFileSync(join(dir, f)).toString("latin1");
        expect(bytes, f).not.toContain(PLANTED);
        expect(bytes, f).not.toContain(minted.body.key);
      }
    }
    expect(h.logs.length).toBeGreaterThan(2);
    expect(JSON.stringify(h.logs)).not.toContain(PLANTED);
  });

  it("refuses credentials when no master key is configured, naming the field", async () => {
    const other = await teamHarness(where, { secrets: {} });
    try {
      const r = await admin(other, "POST", "/keys", { name: "nope", credentials: { anthropic: "x" } });
      expect(r.status).toBe(400);
      expect(r.body.error.field).toBe("credentials");
    } finally {
      await other.close();
    }
  });
});
