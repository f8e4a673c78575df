/**
 * Team admins on SQLite and PostgreSQL: an admin key bound to a team (`admin.keys: [{key, team, name}]`) mints,
 * changes, disables, rotates and revokes its own team's keys and sees its team, spend, requests, sessions, stats
 * and audit entries; of another team it reads nothing (lists filtered, ids 404) and changes nothing (403); teams,
 * prices, MCP servers, deployments and metrics are full admins' only.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llmux } from "../cli/run.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Body, Harness } from "../support/gateway.js";
import { admin, call, teamHarness, within } from "../support/team.js";

const LEAD = "data-lead-admin-key-0123456789";
const STRAY = "stray-team-admin-key-0123456789";

async function chatAs(h: Harness, key: string, session: string) {
  const res = await fetch(`${h.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "llmux-session": session },
    body: JSON.stringify({ model: "via-anthropic", messages: [{ role: "user", content: "hello there" }] }),
  });
  await res.text();
  return res.status;
}

describe.each(ENGINES)("a team admin on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  const lead = (method: string, path: string, body?: unknown) => call(h.url, method, `/admin/v1${path}`, LEAD, body);
  const tag = randomBytes(3).toString("hex");
  let data: Body;
  let web: Body;
  let dataKey: Body;
  let webKey: Body;

  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where, {
      prices: { "claude-sonnet-4-5": { input: 3, output: 15 } },
      admin: {
        keys: [
          "admin-key-0123456789abcdef",
          { key: LEAD, team: "data", name: "data lead" },
          { key: STRAY, team: "no-such-team" },
        ],
      },
    });
    data = (await admin(h, "POST", "/teams", { name: "data" })).body;
    web = (await admin(h, "POST", "/teams", { name: "web" })).body;
    dataKey = (await admin(h, "POST", "/keys", { name: "data-ci", team_id: data.id })).body;
    webKey = (await admin(h, "POST", "/keys", { name: "web-ci", team_id: web.id })).body;
    expect(await chatAs(h, dataKey.key, `d-${tag}`)).toBe(200);
    expect(await chatAs(h, dataKey.key, `d-${tag}`)).toBe(200);
    expect(await chatAs(h, webKey.key, `w-${tag}`)).toBe(200);
    const logged = await within(
      10_000,
      async () => (await admin(h, "GET", "/requests?limit=10")).body.rows?.length === 3,
    );
    expect(logged).toBe(true);
  }, 60_000);
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  it("sees its own team alone: teams, keys, spend, requests, stats, sessions", async () => {
    expect((await lead("GET", "/teams")).body.data.map((t: Body) => t.name)).toEqual(["data"]);
    expect((await lead("GET", `/teams/${data.id}`)).status).toBe(200);
    expect((await lead("GET", `/teams/${web.id}`)).status).toBe(404);

    expect((await lead("GET", "/keys")).body.data.map((k: Body) => k.name)).toEqual(["data-ci"]);
    expect((await lead("GET", `/keys?team_id=${web.id}`)).body.data).toEqual([]);
    expect((await lead("GET", `/keys/${dataKey.id}`)).status).toBe(200);
    expect((await lead("GET", `/keys/${webKey.id}`)).status).toBe(404);

    const byTeam = (await lead("GET", "/spend?group_by=team")).body.rows;
    expect(byTeam.map((r: Body) => r.group)).toEqual([data.id]);
    expect(byTeam[0].requests).toBe(2);
    const byKey = (await lead("GET", "/spend?group_by=key")).body.rows;
    expect(byKey.map((r: Body) => r.group)).toEqual([dataKey.id]);
    // A full admin sees both teams' spend.
    expect((await admin(h, "GET", "/spend?group_by=team")).body.rows).toHaveLength(2);

    const requests = (await lead("GET", "/requests?limit=50")).body.rows as Body[];
    expect(requests).toHaveLength(2);
    expect(new Set(requests.map((r) => r.team_id))).toEqual(new Set([data.id]));
    expect((await lead("GET", `/requests?team_id=${web.id}`)).body.rows.every((r: Body) => r.team_id === data.id)).toBe(
      true,
    );
    const all = (await admin(h, "GET", "/requests?limit=50")).body.rows as Body[];
    const webRequest = all.find((r) => r.team_id === web.id)!;
    expect((await lead("GET", `/requests/${requests[0]!.id}`)).status).toBe(200);
    expect((await lead("GET", `/requests/${webRequest.id}`)).status).toBe(404);

    const counted = (b: Body) => (b.buckets as Body[]).reduce((n, x) => n + x.requests, 0);
    const stats = (await lead("GET", "/stats")).body;
    expect(counted(stats)).toBe(2);
    expect(stats.top.teams.map((t: Body) => t.id)).toEqual([data.id]);
    expect(stats.top.keys.map((k: Body) => k.id)).toEqual([dataKey.id]);
    expect(counted((await admin(h, "GET", "/stats")).body)).toBe(3);
    // Hour buckets over two days (where the hourly rollup, which has no team, could answer): still the team's.
    const days = `/stats?bucket=hour&from=${new Date(Date.now() - 2 * 86_400_000).toISOString()}`;
    expect(counted((await lead("GET", days)).body)).toBe(2);

    expect((await lead("GET", "/sessions")).body.rows.map((s: Body) => s.id)).toEqual([`d-${tag}`]);
    expect((await lead("GET", `/sessions?team_id=${web.id}`)).body.rows).toEqual([]);
    expect((await lead("GET", `/sessions/d-${tag}`)).status).toBe(200);
    expect((await lead("GET", `/sessions/w-${tag}`)).status).toBe(404);
  });

  it("mints, changes, disables, rotates and revokes its own team's keys, and no other team's", async () => {
    const made = await lead("POST", "/keys", { name: "data-notebook" });
    expect(made.status).toBe(201);
    expect(made.body.team_id).toBe(data.id);
    expect((await lead("POST", "/keys", { name: "elsewhere", team_id: web.id })).status).toBe(403);
    expect((await lead("PATCH", `/keys/${made.body.id}`, { budget: { usd: 3, period: "day" } })).status).toBe(200);
    expect((await lead("PATCH", `/keys/${made.body.id}`, { disabled: true })).body.disabled).toBe(true);
    // Moving its key to another team (or to none) is a change to another team: refused.
    expect((await lead("PATCH", `/keys/${made.body.id}`, { team_id: web.id })).status).toBe(403);
    expect((await lead("PATCH", `/keys/${made.body.id}`, { team_id: null })).status).toBe(403);
    const rotated = await lead("POST", `/keys/${made.body.id}/rotate`, { grace_s: 0 });
    expect(rotated.status).toBe(201);
    expect((await lead("DELETE", `/keys/${made.body.id}`)).status).toBe(200);

    // Another team's key: every change refused, and the key is as it was (it still answers).
    for (const [method, path, body] of [
      ["PATCH", `/keys/${webKey.id}`, { disabled: true }],
      ["POST", `/keys/${webKey.id}/rotate`, { grace_s: 0 }],
      ["DELETE", `/keys/${webKey.id}`, undefined],
    ] as const) {
      const res = await lead(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.type).toBe("permission_error");
    }
    expect((await admin(h, "GET", `/keys/${webKey.id}`)).body).toMatchObject({ disabled: false, revoked: false });
    expect(await chatAs(h, webKey.key, `w2-${tag}`)).toBe(200);
    // A key of no team is no team admin's.
    const loose = (await admin(h, "POST", "/keys", { name: "loose" })).body;
    expect((await lead("GET", `/keys/${loose.id}`)).status).toBe(404);
    expect((await lead("DELETE", `/keys/${loose.id}`)).status).toBe(403);
    expect((await lead("DELETE", "/keys/key_nonexistent")).status).toBe(404);
  });

  it("cannot create, change or delete teams, nor touch prices, MCP servers, deployments, alerts or metrics", async () => {
    for (const [method, path, body] of [
      ["POST", "/teams", { name: "mine-too" }],
      ["PATCH", `/teams/${data.id}`, { budget: { usd: 1000, period: "month" } }],
      ["PATCH", `/teams/${web.id}`, { name: "taken" }],
      ["DELETE", `/teams/${web.id}`, undefined],
      ["GET", "/prices", undefined],
      ["POST", "/prices", { prices: {} }],
      ["GET", "/mcp/servers", undefined],
      ["POST", "/mcp/servers", { name: "x", url: "http://127.0.0.1:1/mcp" }],
      ["GET", "/deployments", undefined],
      ["GET", "/alerts", undefined],
    ] as const) {
      const res = await lead(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.message).toMatch(/team admin/);
    }
    expect((await admin(h, "GET", "/teams")).body.data.map((t: Body) => t.name).sort()).toEqual(["data", "web"]);
    // /metrics answers to full admin keys only.
    expect((await call(h.url, "GET", "/metrics", LEAD)).status).toBe(401);
    // A team admin whose team does not exist is refused everything.
    const stray = await call(h.url, "GET", "/admin/v1/keys", STRAY);
    expect(stray.status).toBe(403);
    expect(stray.body.error.message).toMatch(/no-such-team/);
  });

  it("works the CLI with --url: its team's keys by the team's name, and refused teams", async () => {
    const env = { LLMUX_ADMIN_KEY: LEAD };
    const made = await llmux(
      ["keys", "create", "--url", h.url, "--name", `cli-${tag}`, "--team", "data", "--json"],
      env,
    );
    expect(made.code, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout).team_id).toBe(data.id);
    const listed = await llmux(["keys", "list", "--url", h.url], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(`cli-${tag}`);
    expect(listed.stdout).not.toContain("web-ci");
    const team = await llmux(["teams", "create", "--url", h.url, "--name", `cli-team-${tag}`], env);
    expect(team.code).not.toBe(0);
    expect(team.stderr).toMatch(/team admin/);
    // Naming another team: it is no team this admin can see.
    const elsewhere = await llmux(["keys", "create", "--url", h.url, "--name", "x", "--team", "web"], env);
    expect(elsewhere.code).not.toBe(0);
  }, 60_000);

  it("reads its own team's audit entries alone, which name it as the actor", async () => {
    const rows = (await lead("GET", "/audit?limit=200")).body.rows as Body[];
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.team_id))).toEqual(new Set([data.id]));
    const mine = rows.filter((r) => r.actor === "admin key data lead");
    expect(mine.map((r) => r.action)).toEqual(
      expect.arrayContaining(["key.create", "key.update", "key.rotate", "key.revoke"]),
    );
    // Another team's key: no entries of its changes, even asked by id; only the lead's own refused attempts.
    const other = (await lead("GET", `/audit?target_id=${webKey.id}`)).body.rows as Body[];
    expect(other.every((r) => r.outcome === "refused" && r.actor === "admin key data lead")).toBe(true);
    expect((await admin(h, "GET", `/audit?target_id=${webKey.id}`)).body.rows.length).toBeGreaterThan(0);
  });
});
