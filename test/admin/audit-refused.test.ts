/**
 * Refused admin changes are in the audit log (issue 48, item 13), on SQLite and PostgreSQL, as docs/teams.md
 * says: no key or a wrong one (401), a client key or a team admin out of its team (403), a body refused by
 * validation (400) or a name taken (409), each with `outcome: refused`, who tried (never their key, at most its
 * first characters), what, and why, never a secret of the body; reads that are refused are not changes and are
 * not recorded; refusals are recorded at most 30 per client address per 10 minutes (anyone can be refused, and
 * the log is never pruned).
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Body, Harness } from "../support/gateway.js";
import { admin, call, SERVICE, teamHarness } from "../support/team.js";

const LEAD = "team-lead-admin-key-0123456789";
const PLANTED = "planted-refused-env-secret-5a5a5a5a";
const WRONG = "wrong-admin-key-9f9f9f9f9f9f";

/** A JSON call from a chosen loopback address (the budget of refusals is per address). */
function from(address: string, url: string, method: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, localAddress: address, headers: { "content-type": "application/json" } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

describe.each(ENGINES)("refused admin changes in the audit log on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  let web: Body;

  const refusedRows = async (action: string): Promise<Body[]> =>
    ((await admin(h, "GET", `/audit?action=${action}&limit=500`)).body.rows as Body[]).filter(
      (r) => r.outcome === "refused",
    );

  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where, {
      admin: { keys: ["admin-key-0123456789abcdef", { key: LEAD, team: "data", name: "data lead" }] },
    });
    await admin(h, "POST", "/teams", { name: "data" });
    web = (await admin(h, "POST", "/teams", { name: "web" })).body;
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  it("records 401s and 403s at the door with who tried, never their key", async () => {
    expect((await call(h.url, "POST", "/admin/v1/keys", undefined, { name: "a" })).status).toBe(401);
    expect((await call(h.url, "POST", "/admin/v1/keys", WRONG, { name: "b" })).status).toBe(401);
    expect((await call(h.url, "POST", "/admin/v1/teams", SERVICE, { name: "c" })).status).toBe(403);
    const keys = await refusedRows("key.create");
    expect(keys.map((r) => r.actor).sort()).toEqual(["unknown", `unknown key ${WRONG.slice(0, 4)}…`]);
    expect(keys.find((r) => r.actor === "unknown")?.reason).toMatch(/admin key is required/);
    const [team] = await refusedRows("team.create");
    expect(team).toMatchObject({ action: "team.create", target_type: "team", outcome: "refused", after: null });
    expect(team!.reason).toMatch(/client key/);
    const all = JSON.stringify((await admin(h, "GET", "/audit?limit=500")).body);
    expect(all).not.toContain(WRONG);
    expect(all).not.toContain(SERVICE);
  });

  it("records a team admin's change out of its team (403) under its team", async () => {
    const r = await call(h.url, "POST", "/admin/v1/keys", LEAD, { name: "stray", team_id: web.id });
    expect(r.status).toBe(403);
    const [row] = (await refusedRows("key.create")).filter((x) => x.actor === "admin key data lead");
    expect(row).toBeDefined();
    expect(row!.team_id).not.toBeNull();
    expect(row!.reason).toBe(r.body.error.message);
  });

  it("records validation (400) and conflict (409) refusals, without the secrets of the body", async () => {
    const bad = await admin(h, "POST", "/mcp/servers", {
      name: "refused-server",
      command: "node",
      env: { TOKEN: PLANTED, NODE_OPTIONS: PLANTED },
      own_credential_fields: ["NODE_OPTIONS"],
    });
    expect(bad.status).toBe(400);
    const taken = await admin(h, "POST", "/teams", { name: "web" });
    expect(taken.status).toBe(409);
    const [server] = await refusedRows("mcp_server.create");
    expect(server).toMatchObject({ actor: expect.stringMatching(/^admin key /), outcome: "refused" });
    expect(server!.reason).toMatch(/own_credential_fields/);
    const teams = await refusedRows("team.create");
    expect(teams.some((r) => r.reason === taken.body.error.message)).toBe(true);
    const db = await h.gateway.team!.data.db();
    expect(JSON.stringify(await db.selectFrom("audit_log").selectAll().execute())).not.toContain(PLANTED);
  });

  it("does not record refused reads, and records at most 30 refusals per address in 10 minutes", async () => {
    const before = (await admin(h, "GET", "/audit?limit=500")).body.rows.length as number;
    expect((await call(h.url, "GET", "/admin/v1/keys")).status).toBe(401);
    expect((await admin(h, "GET", "/audit?limit=500")).body.rows.length).toBe(before);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++)
      statuses.push(await from("127.0.0.7", `${h.url}/admin/v1/teams`, "POST", { name: `x${i}` }));
    expect(statuses).toEqual(Array(40).fill(401));
    const rows = (await refusedRows("team.create")).filter((r) => r.address === "127.0.0.7");
    expect(rows).toHaveLength(30);
    // Another address is still recorded.
    expect(await from("127.0.0.8", `${h.url}/admin/v1/teams`, "POST", { name: "y" })).toBe(401);
    expect((await refusedRows("team.create")).filter((r) => r.address === "127.0.0.8")).toHaveLength(1);
  });
});
