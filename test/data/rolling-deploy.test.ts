/**
 * Migrations safe for rolling deploys, on both engines: during a deploy the release before keeps serving on
 * a database the new release has migrated (and is migrating). The schema history only adds; a release
 * meets a newer one's additions (a column, a table, an index) and works on; it keeps serving while the
 * newer one migrates under the lock.
 */
import { type Kysely, type OperationNode, type PluginTransformQueryArgs, sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Data } from "../../src/data/data.js";
import { openEngine } from "../../src/data/engine.js";
import { migrate } from "../../src/data/migrate.js";
import { MIGRATIONS, type Migration } from "../../src/data/migrations.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { ADMIN, CHAT, call, teamHarness } from "../support/team.js";

/** What a next release could add: a nullable column and a defaulted one, a table, an index. */
const NEXT: Migration = {
  id: "999_next_release",
  async up(db) {
    await db.schema.alterTable("api_keys").addColumn("next_note", "text").execute();
    await db.schema
      .alterTable("ledger")
      .addColumn("next_weight", "integer", (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema
      .createTable("next_things")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("ledger_next_alias").on("ledger").columns(["alias", "at"]).execute();
  },
};

/** Every node kind a migration may emit: creating and adding only. */
const ADDS = new Set([
  "CreateTableNode",
  "CreateIndexNode",
  "AlterTableNode",
  "SelectQueryNode",
  "InsertQueryNode",
  "UpdateQueryNode",
  "RawNode",
]);

function nodesOf(node: OperationNode, out: string[] = []): string[] {
  out.push(node.kind);
  for (const v of Object.values(node)) {
    if (Array.isArray(v))
      for (const x of v) if (x && typeof x === "object" && "kind" in x) nodesOf(x as OperationNode, out);
    if (v && typeof v === "object" && "kind" in v) nodesOf(v as OperationNode, out);
  }
  return out;
}

describe.each(ENGINES)("rolling deploys on $engine", { timeout: 90_000 }, ({ engine, fresh }) => {
  let where: TestLocation;
  let h: Harness | undefined;
  beforeEach(async () => {
    where = await fresh();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await where.drop();
  });

  it("the schema history only adds: no table, column or index is dropped, renamed or changed", async () => {
    const e = openEngine({ path: where.path, url: where.url });
    const statements: { id: string; kinds: string[]; raw?: string }[] = [];
    let current = "";
    const recording = e.db.withPlugin({
      transformQuery: ({ node }: PluginTransformQueryArgs) => {
        statements.push({
          id: current,
          kinds: nodesOf(node),
          raw:
            node.kind === "RawNode"
              ? (node as unknown as { sqlFragments: string[] }).sqlFragments.join("?")
              : undefined,
        });
        return node;
      },
      transformResult: async ({ result }) => result,
    });
    try {
      for (const m of MIGRATIONS)
        await migrate(recording as Kysely<never>, e.name, [
          {
            id: m.id,
            up: async (db, en) => {
              current = m.id;
              await m.up(db, en);
            },
          },
        ]);
    } finally {
      await e.release();
    }
    const ours = statements.filter((s) => s.id !== "");
    expect(new Set(ours.map((s) => s.id))).toEqual(new Set(MIGRATIONS.map((m) => m.id)));
    for (const s of ours) {
      expect(ADDS.has(s.kinds[0]!), `${s.id}: ${s.kinds[0]}`).toBe(true);
      for (const k of s.kinds) expect(k, `${s.id}`).not.toMatch(/^Drop|^Rename|^ModifyColumn|^AlterColumn/);
      if (s.raw !== undefined) expect(s.raw, s.id).not.toMatch(/\b(drop|rename|alter\s+column)\b/i);
    }
  });

  it("this release keeps working on a database a newer release has migrated further", async () => {
    const data = new Data({ path: where.path, url: where.url });
    const db = await data.db();
    expect(await migrate(db, engine === "postgres" ? "postgres" : "sqlite", [...MIGRATIONS, NEXT])).toEqual([NEXT.id]);
    await data.close();
    h = await teamHarness(where);
    // Keys, teams, requests with their ledger rows, spend, stored Responses: all on the wider schema.
    const team = await call(h.url, "POST", "/admin/v1/teams", ADMIN, { name: "next-team" });
    expect(team.status).toBe(201);
    const minted = await call(h.url, "POST", "/admin/v1/keys", ADMIN, { name: "k", team_id: team.body.id });
    expect(minted.status).toBe(201);
    const key = minted.body.key as string;
    for (let i = 0; i < 3; i++)
      expect((await call(h.url, "POST", "/v1/chat/completions", key, CHAT("via-openai-chat"))).status).toBe(200);
    const r1 = await call(h.url, "POST", "/v1/responses", key, { model: "via-openai-chat", input: "Ada", store: true });
    expect(r1.status).toBe(200);
    const r2 = await call(h.url, "POST", "/v1/responses", key, {
      model: "via-openai-chat",
      input: "again",
      previous_response_id: r1.body.id,
      store: true,
    });
    expect(r2.status).toBe(200);
    expect((await call(h.url, "PATCH", `/admin/v1/keys/${minted.body.id}`, ADMIN, { name: "k2" })).status).toBe(200);
    const spend = await within(async () => {
      const s = await call(h!.url, "GET", "/admin/v1/spend?group_by=key", ADMIN);
      const row = (s.body.rows as { group: string; requests: number }[]).find((r) => r.group === minted.body.id);
      return row && row.requests >= 5 ? row : undefined;
    });
    expect(spend.requests).toBe(5);
  });

  it("this release keeps serving while a newer one migrates the database under the lock", async () => {
    h = await teamHarness(where);
    const minted = await call(h.url, "POST", "/admin/v1/keys", ADMIN, { name: "busy" });
    const key = minted.body.key as string;
    let stop = false;
    const statuses: number[] = [];
    const traffic = (async () => {
      while (!stop)
        statuses.push((await call(h!.url, "POST", "/v1/chat/completions", key, CHAT("via-openai-chat"))).status);
    })();
    // Serving before the newer release starts (a few answers in), however slow the machine.
    await within(async () => (statuses.length >= 3 ? true : undefined), 30_000);
    // The newer release starting: its own connection, its own migration list.
    const next = new Data({ path: where.path, url: where.url });
    const db = await next.db();
    expect(await migrate(db, engine, [...MIGRATIONS, NEXT])).toEqual([NEXT.id]);
    await sql`select 1`.execute(db);
    await next.close();
    // And still serving after it migrated: a few more answers on the migrated database.
    const migratedAt = statuses.length;
    await within(async () => (statuses.length >= migratedAt + 3 ? true : undefined), 30_000);
    stop = true;
    await traffic;
    expect(statuses.length).toBeGreaterThanOrEqual(migratedAt + 3);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});

async function within<T>(check: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}
