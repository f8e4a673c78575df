/**
 * A key's and a team's default tags (admin API), the config's `tag_rules`, and the request's own llmux-tags,
 * merged per tag key (the key's win, then the team's, then the request's own, then the rules'; a key carrying a
 * tag budget is the rules' before the request's), on SQLite and PostgreSQL:
 * the ledger and request-log rows keep the merged tags, a tag budget applies to a default tag, and the spend
 * report groups by a tag key (`group_by=tag:project`) with sums equal to the rows'.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshPostgres, freshSqlite, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { admin, teamHarness } from "../support/team.js";

const SETUPS = [
  { name: "SQLite", fresh: freshSqlite },
  { name: "PostgreSQL", fresh: freshPostgres },
];

describe.each(SETUPS)("default tags on $name", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where, {
      prices: { "claude-sonnet-4-5": { input: 3, output: 15 } },
      tags: { "project=capped": { budget: { usd: 0.0000001, period: "month" } } },
      tag_rules: [
        { when: { model: "via-*" }, tags: { "cost-center": "42", project: "from-rule" } },
        { when: { tool: "no-such-tool" }, tags: { never: "x" } },
      ],
    });
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  const ask = async (key: string, tags?: string) => {
    const res = await send(key, tags);
    await res.arrayBuffer();
    return { status: res.status, id: res.headers.get("x-request-id")! };
  };
  const send = (key: string, tags?: string) =>
    fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${key}`,
        "content-type": "application/json",
        ...(tags !== undefined ? { "llmux-tags": tags } : {}),
      },
      body: JSON.stringify({ model: "via-anthropic", max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
    });
  const rowsOf = async (ids: string[]) => {
    const db = await h.gateway.team!.data.db();
    const read = () => db.selectFrom("ledger").select(["id", "tags", "cost_nanos"]).where("id", "in", ids).execute();
    let rows = await read();
    for (let i = 0; i < 400 && rows.length < ids.length; i++) {
      await new Promise((r) => setTimeout(r, 50));
      rows = await read();
    }
    return new Map(rows.map((r) => [r.id, r]));
  };

  it("stores, shows and clears default tags on keys and teams; refuses a malformed one naming the field", async () => {
    const team = await admin(h, "POST", "/teams", {
      name: `t-${randomBytes(3).toString("hex")}`,
      tags: { team: "web" },
    });
    expect(team.status).toBe(201);
    expect(team.body.tags).toEqual({ team: "web" });
    const bad = await admin(h, "POST", "/keys", { name: "bad", tags: { project: "has space" } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/tags/);
    const k = await admin(h, "POST", "/keys", { name: `k-${randomBytes(3).toString("hex")}`, tags: { project: "a" } });
    expect(k.body.tags).toEqual({ project: "a" });
    const cleared = await admin(h, "PATCH", `/keys/${k.body.id}`, { tags: null });
    expect(cleared.body.tags).toBeUndefined();
  });

  it("merges the key's, the team's, the request's and the rules' tags, first source winning per key", async () => {
    const team = (
      await admin(h, "POST", "/teams", {
        name: `m-${randomBytes(3).toString("hex")}`,
        tags: { team: "web", project: "team-project", env: "team-env" },
      })
    ).body;
    const key = (
      await admin(h, "POST", "/keys", {
        name: `m-${randomBytes(3).toString("hex")}`,
        team_id: team.id,
        tags: { project: "key-project", env: "key-env" },
      })
    ).body;
    const plain = await ask(key.key);
    const ownRes = await send(key.key, "project=own,extra=1");
    await ownRes.arrayBuffer();
    const own = { status: ownRes.status, id: ownRes.headers.get("x-request-id")! };
    // The request is told its own value was not taken.
    expect(ownRes.headers.get("llmux-warnings") ?? "").toMatch(/project=own/);
    expect([plain.status, own.status]).toEqual([200, 200]);
    const rows = await rowsOf([plain.id, own.id]);
    expect(rows.get(plain.id)?.tags).toBe(",cost-center=42,env=key-env,project=key-project,team=web,");
    // The key's own tags are the admin's word: the request's `project=own` does not replace them.
    expect(rows.get(own.id)?.tags).toBe(",cost-center=42,env=key-env,extra=1,project=key-project,team=web,");
    // The request log keeps the same.
    const log = await (await h.gateway.team!.data.db())
      .selectFrom("request_log")
      .select(["id", "tags"])
      .where("id", "=", own.id)
      .executeTakeFirst();
    if (log) expect(log.tags).toBe(rows.get(own.id)?.tags);
  });

  it("enforces a tag budget on a key's default tag", async () => {
    const key = (
      await admin(h, "POST", "/keys", { name: `c-${randomBytes(3).toString("hex")}`, tags: { project: "capped" } })
    ).body;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await ask(key.key)).status);
    expect(statuses).toContain(429);
    // The request's own tag cannot step out of the key's capped project, nor a header naming it twice.
    const free = await send(key.key, "project=free");
    expect(free.status).toBe(429);
    await free.arrayBuffer();
    const twice = await send(key.key, "project=capped,project=free");
    expect(twice.status).toBe(400);
    const said = JSON.stringify(await twice.json());
    expect(said).toMatch(/llmux-tags/);
    expect(said).toMatch(/'project'/);
  });

  it("keeps a budgeted tag key from a rule over the request's own value; a free key stays the request's", async () => {
    const key = (await admin(h, "POST", "/keys", { name: `r-${randomBytes(3).toString("hex")}` })).body;
    // `project` carries a budget (project=capped): the rule's project wins; `cost-center` does not: the request's.
    const sent = await ask(key.key, "project=free,cost-center=7");
    expect(sent.status).toBe(200);
    const rows = await rowsOf([sent.id]);
    expect(rows.get(sent.id)?.tags).toBe(",cost-center=7,project=from-rule,");
  });

  it("groups spend by a tag key, the groups summing to the rows", async () => {
    const key = (await admin(h, "POST", "/keys", { name: `s-${randomBytes(3).toString("hex")}` })).body;
    const sent = [await ask(key.key, "app=alpha"), await ask(key.key, "app=alpha,x=1"), await ask(key.key, "app=beta")];
    const rows = await rowsOf(sent.map((s) => s.id));
    const spend = await admin(h, "GET", "/spend?group_by=tag:app");
    expect(spend.status).toBe(200);
    const by = new Map(
      (spend.body.rows as { group: string | null; cost_nanos: number; requests: number }[]).map((r) => [r.group, r]),
    );
    const nanos = (ids: string[]) => ids.reduce((s, id) => s + Number(rows.get(id)!.cost_nanos), 0);
    expect(by.get("alpha")?.requests).toBe(2);
    expect(by.get("alpha")?.cost_nanos).toBe(nanos([sent[0]!.id, sent[1]!.id]));
    expect(by.get("beta")?.cost_nanos).toBe(nanos([sent[2]!.id]));
    expect(by.get("alpha")!.cost_nanos).toBeGreaterThan(0);
    const wrong = await admin(h, "GET", "/spend?group_by=tag:has space");
    expect(wrong.status).toBe(400);
  });
});
