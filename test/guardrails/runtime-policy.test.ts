/**
 * The guardrails' policy at run time (issue 43): three gateways sharing one database, on SQLite and on
 * PostgreSQL. A PUT of the gateway's policy on one instance changes what every instance blocks from its next poll (every 0.5 s); a
 * key's, a team's and an alias's policy set through the API apply over it, on every instance; a body that does
 * not fit the configuration's schema is refused naming the field; every change is in the audit log (who and
 * what, the custom rules' patterns shown, never a secret); DELETE puts the configuration file's policy back.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { ADMIN, admin, call, polledEverywhere, SERVICE, teamHarness } from "../support/team.js";
import { planted } from "./planted.js";

const TOKEN = planted("runtime").find((p) => p.rule === "github-pat")!;

/** A chat request whose user text holds a planted GitHub token. */
const ask = (h: Harness, key: string, model = "via-openai-chat", text = TOKEN.text) =>
  call(h.url, "POST", "/v1/chat/completions", key, { model, messages: [{ role: "user", content: text }] });

describe.each(ENGINES)("the guardrails' policy set through the admin API, three instances on $engine", ({ fresh }) => {
  let where: TestLocation;
  let gws: Harness[] = [];
  beforeAll(async () => {
    where = await fresh();
    const config = {
      guardrails: { enabled: true, actions: { secrets: "warn", entropy: "off" } },
      models: { strict: { provider: "openai-chat", model: "gpt-4.1" } },
    };
    // The first migrates the database; the two others start on it.
    gws = [await teamHarness(where, config)];
    gws.push(...(await Promise.all([teamHarness(where, config), teamHarness(where, config)])));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(gws.map((h) => h.close()));
    await where?.drop();
  });

  const statuses = async (key = SERVICE, model?: string) =>
    Promise.all(gws.map(async (h) => (await ask(h, key, model)).status));

  it("a PUT on one instance changes blocking on all from their next poll; DELETE puts the file's policy back", async () => {
    expect(await statuses()).toEqual([200, 200, 200]);
    const put = await admin(gws[0]!, "PUT", "/guardrails", { actions: { secrets: "block" } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.policy.actions.secrets).toBe("block");
    expect(put.body.stored.gateway).toEqual({ actions: { secrets: "block" } });
    // The instance that stored it applies it at once; the others on their next poll.
    expect((await ask(gws[0]!, SERVICE)).status).toBe(400);
    await polledEverywhere(gws, "guardrails");
    expect(await statuses()).toEqual([400, 400, 400]);
    const refused = await ask(gws[2]!, SERVICE);
    expect(refused.body.error.code).toBe("guardrail_blocked");
    expect(JSON.stringify(refused.body)).not.toContain(TOKEN.secret);
    // Every instance's GET shows the policy in force.
    for (const h of gws) expect((await admin(h, "GET", "/guardrails")).body.policy.actions.secrets).toBe("block");

    expect((await admin(gws[1]!, "DELETE", "/guardrails")).status).toBe(200);
    await polledEverywhere(gws, "guardrails");
    expect(await statuses()).toEqual([200, 200, 200]);
  });

  it("turns the guardrails off and on at run time, with custom rules of its own, on every instance", async () => {
    // Off: nothing is acted on, whatever the actions say.
    expect((await admin(gws[0]!, "PUT", "/guardrails", { enabled: false, actions: { secrets: "block" } })).status).toBe(
      200,
    );
    await polledEverywhere(gws, "guardrails");
    expect(await statuses()).toEqual([200, 200, 200]);
    expect((await admin(gws[2]!, "GET", "/guardrails")).body.enabled).toBe(false);
    const marker = `acme_tok_${randomBytes(16).toString("hex")}`;
    const text = `deploy with ${marker}`;
    const sent = () => Promise.all(gws.map(async (h) => (await ask(h, SERVICE, "via-openai-chat", text)).status));
    expect(await sent()).toEqual([200, 200, 200]);
    const rule = { id: "acme-token", pattern: "acme_tok_([a-f0-9]{32})" };
    const put = await admin(gws[1]!, "PUT", "/guardrails", { enabled: true, rules: [rule] });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.policy.custom_rules).toEqual(["acme-token"]);
    await polledEverywhere(gws, "guardrails");
    expect(await sent()).toEqual([400, 400, 400]);
    expect((await admin(gws[0]!, "DELETE", "/guardrails")).status).toBe(200);
    await polledEverywhere(gws, "guardrails");
    expect(await sent()).toEqual([200, 200, 200]);
  });

  it("a key's, a team's and an alias's policy apply over the gateway's, on every instance", async () => {
    const team = await admin(gws[0]!, "POST", "/teams", { name: `t-${randomBytes(3).toString("hex")}` });
    const inTeam = (
      await admin(gws[0]!, "POST", "/keys", { name: `k-${randomBytes(3).toString("hex")}`, team_id: team.body.id })
    ).body;
    const bot = (await admin(gws[0]!, "POST", "/keys", { name: `bot-${randomBytes(3).toString("hex")}` })).body;
    expect(await statuses(bot.key)).toEqual([200, 200, 200]);

    // The key by its name; the team by its name (stored under its id); the alias by name.
    expect(
      (await admin(gws[2]!, "PUT", `/guardrails/keys/${bot.name}`, { actions: { secrets: "block" } })).status,
    ).toBe(200);
    const byTeam = await admin(gws[2]!, "PUT", `/guardrails/teams/${team.body.name}`, {
      actions: { secrets: "block" },
    });
    expect(byTeam.body.stored.teams).toEqual({ [team.body.id]: { actions: { secrets: "block" } } });
    expect((await admin(gws[2]!, "PUT", "/guardrails/aliases/strict", { actions: { secrets: "block" } })).status).toBe(
      200,
    );
    await polledEverywhere(gws, "guardrails");
    expect(await statuses(bot.key)).toEqual([400, 400, 400]);
    expect(await statuses(inTeam.key)).toEqual([400, 400, 400]);
    expect(await statuses(SERVICE, "strict")).toEqual([400, 400, 400]);
    // Others keep the gateway's (warn).
    expect(await statuses(SERVICE)).toEqual([200, 200, 200]);

    // The alias's dry run over the key's block: only recorded.
    await admin(gws[0]!, "PUT", "/guardrails/aliases/strict", { dry_run: true });
    await polledEverywhere(gws, "guardrails");
    expect(await statuses(bot.key, "strict")).toEqual([200, 200, 200]);

    for (const path of [
      `/guardrails/keys/${bot.id}`,
      `/guardrails/keys/${bot.name}`,
      `/guardrails/teams/${team.body.id}`,
      "/guardrails/aliases/strict",
    ])
      expect((await admin(gws[1]!, "DELETE", path)).status).toBe(200);
    await polledEverywhere(gws, "guardrails");
    expect(await statuses(bot.key)).toEqual([200, 200, 200]);
  });

  it("refuses what does not fit the configuration's schema, naming the field; nothing is stored", async () => {
    const before = (await admin(gws[0]!, "GET", "/guardrails/policy")).body.version;
    const bad = [
      [{ actions: { secrets: "shred" } }, "actions.secrets"],
      [{ rules: [{ id: "x", pattern: "(" }] }, "rules.0.pattern"],
      [{ dry_run: "yes" }, "dry_run"],
      [{ cache_entries: 5 }, "cache_entries"],
    ] as const;
    for (const [body, field] of bad) {
      const r = await admin(gws[0]!, "PUT", "/guardrails", body);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(JSON.stringify(r.body)).toContain(field);
    }
    const alias = await admin(gws[0]!, "PUT", "/guardrails/aliases/no-such-alias", { dry_run: true });
    expect(alias.status).toBe(400);
    expect(JSON.stringify(alias.body)).toContain("alias");
    expect((await admin(gws[0]!, "PUT", "/guardrails/teams/no-such-team", { dry_run: true })).status).toBe(404);
    expect((await admin(gws[0]!, "GET", "/guardrails/policy")).body.version).toBe(before);
  });

  it("every change is in the audit log: who, what (custom patterns shown), never a secret", async () => {
    const rule = { id: "audited-rule", pattern: "audited_([a-z]{8})" };
    await admin(gws[0]!, "PUT", "/guardrails", { rules: [rule], actions: { custom: "warn" } });
    await admin(gws[0]!, "DELETE", "/guardrails");
    const log = await admin(gws[1]!, "GET", "/audit?limit=100");
    const rows = (log.body.rows as Record<string, unknown>[]).filter((r) => String(r.action).startsWith("guardrails."));
    const update = rows.find(
      (r) => r.action === "guardrails.update" && JSON.stringify(r.after).includes("audited-rule"),
    );
    expect(update).toMatchObject({
      actor: `admin key ${ADMIN.slice(0, 4)}…`,
      via: "admin_key",
      target_type: "guardrails",
      outcome: "ok",
    });
    expect(JSON.stringify(update!.after)).toContain(rule.pattern);
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        "guardrails.update",
        "guardrails.reset",
        "guardrails.key.update",
        "guardrails.team.update",
        "guardrails.alias.update",
      ]),
    );
    const refused = rows.filter((r) => r.outcome === "refused");
    expect(refused.length).toBeGreaterThan(0);
    const all = JSON.stringify(log.body);
    expect(all).not.toContain(TOKEN.secret);
    expect(all).not.toContain(SERVICE);
    expect(all).not.toContain(ADMIN);
  });
});
