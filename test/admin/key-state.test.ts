/**
 * What a team lead must see of a key, through the admin API on SQLite and PostgreSQL: blocked by its budget or
 * its team's (why, until when), last used, its team and the models it may really use (also in the self view),
 * and revoked keys that keep their names (listed on request, named in spend, named when refused at the door).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { admin, call, chat, teamHarness, within } from "../support/team.js";

describe.each(ENGINES)("the state of keys on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where);
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  it("shows a key blocked by its budget, why and until when, and when it was last used", async () => {
    const used = await admin(h, "POST", "/keys", { name: "used" });
    expect((await chat(h, used.body.key, "via-openai-chat")).status).toBe(200);
    const broke = await admin(h, "POST", "/keys", { name: "broke", budget: { usd: 0.000000001, period: "day" } });
    expect((await chat(h, broke.body.key, "via-openai-chat")).status).toBe(429);
    let keys: Record<string, Record<string, unknown>> = {};
    expect(
      await within(10_000, async () => {
        keys = Object.fromEntries((await admin(h, "GET", "/keys")).body.data.map((k: { name: string }) => [k.name, k]));
        return keys.used?.last_used_at !== null && keys.broke?.blocked !== null;
      }),
    ).toBe(true);
    expect(keys.broke!.blocked).toMatchObject({ reason: "budget" });
    const blocked = keys.broke!.blocked as { message: string; until: string };
    expect(blocked.message).toMatch(/daily budget of \$1\.0e-9/);
    expect(Date.parse(blocked.until)).toBeGreaterThan(Date.now());
    expect(keys.broke!.last_used_at).toBeNull();
    expect(keys.used!.blocked).toBeNull();
    expect(Date.parse(keys.used!.last_used_at as string)).toBeGreaterThan(Date.now() - 60_000);
    const one = await admin(h, "GET", `/keys/${broke.body.id}`);
    expect(one.body.blocked).toMatchObject({ reason: "budget" });
  });

  it("shows a key blocked by its team's budget, its team and the models it may use, in the self view too", async () => {
    const team = await admin(h, "POST", "/teams", {
      name: "data",
      models: ["via-openai-*", "via-anthropic"],
      budget: { usd: 0.000000001, period: "month" },
    });
    const k = await admin(h, "POST", "/keys", { name: "dana", team_id: team.body.id });
    const narrowed = await admin(h, "POST", "/keys", {
      name: "erin",
      team_id: team.body.id,
      models: ["via-anthropic"],
    });
    expect((await chat(h, k.body.key, "via-openai-chat")).status).toBe(429);
    let shown: Record<string, unknown> = {};
    expect(
      await within(10_000, async () => {
        shown = (await admin(h, "GET", `/keys/${k.body.id}`)).body;
        return shown.blocked !== null;
      }),
    ).toBe(true);
    expect(shown.blocked).toMatchObject({ reason: "team_budget" });
    expect((shown.blocked as { message: string }).message).toMatch(/team data's monthly budget/);
    expect(shown.team).toMatchObject({ id: team.body.id, name: "data", budget: { usd: 0.000000001, period: "month" } });
    expect(shown.allowed_models).toBe("via-openai-*, via-anthropic (team data)");
    const erin = (await admin(h, "GET", `/keys/${narrowed.body.id}`)).body;
    expect(erin.allowed_models).toBe("via-anthropic (key), within via-openai-*, via-anthropic (team data)");
    // The key holder's own view says the same.
    const me = await call(h.url, "GET", "/admin/v1/me", k.body.key);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      team: { name: "data" },
      allowed_models: "via-openai-*, via-anthropic (team data)",
      blocked: { reason: "team_budget" },
    });
  });

  it("keeps revoked keys' names: listed on request, in spend, and on the refusals of a revoked or disabled key", async () => {
    const gone = await admin(h, "POST", "/keys", { name: "gone-laptop" });
    const off = await admin(h, "POST", "/keys", { name: "off-laptop" });
    expect((await chat(h, gone.body.key, "via-openai-chat")).status).toBe(200);
    expect((await admin(h, "DELETE", `/keys/${gone.body.id}`)).status).toBe(200);
    expect((await admin(h, "PATCH", `/keys/${off.body.id}`, { disabled: true })).status).toBe(200);
    expect((await chat(h, gone.body.key, "via-openai-chat")).status).toBe(401);
    expect((await chat(h, off.body.key, "via-openai-chat")).status).toBe(401);
    const active = (await admin(h, "GET", "/keys")).body.data.map((k: { name: string }) => k.name);
    expect(active).not.toContain("gone-laptop");
    const revoked = (await admin(h, "GET", "/keys?revoked=true")).body.data;
    expect(revoked.map((k: { name: string }) => k.name)).toEqual(["gone-laptop"]);
    expect(revoked[0]).toMatchObject({ revoked: true, blocked: { reason: "revoked" } });
    const all = (await admin(h, "GET", "/keys?revoked=all")).body.data.map((k: { name: string }) => k.name);
    expect(all).toEqual(expect.arrayContaining(["gone-laptop", "off-laptop"]));
    let rows: { key_name: string | null; status: number }[] = [];
    expect(
      await within(10_000, async () => {
        rows = (await admin(h, "GET", "/requests?status=401")).body.rows;
        return rows.length >= 2;
      }),
    ).toBe(true);
    expect(rows.map((r) => r.key_name).sort()).toEqual(["gone-laptop", "off-laptop"]);
    const spend = (await admin(h, "GET", "/spend?group_by=key")).body.rows.find(
      (r: { group: string }) => r.group === gone.body.id,
    );
    expect(spend).toMatchObject({ name: "gone-laptop", requests: 1, refused: 1 });
  });
});
