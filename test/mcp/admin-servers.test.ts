import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { everythingStdio, mcpClient, textOf } from "../support/mcp-servers.js";
import { ADMIN, admin, call, teamHarness } from "../support/team.js";

const SHARED = "shared-secret-0123456789abcdef";
const ALICE = "alice-secret-0123456789abcdef";
const TEAM = "team-secret-0123456789abcdef";

/**
 * MCP servers added, changed and removed through the admin API, and keys' own credentials, driven with the
 * official SDK client through /mcp against the reference server (server-everything over stdio), on both engines.
 */
describe.each(ENGINES)("MCP servers through the admin API on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  const clients: Client[] = [];
  const connect = async (key: string) => {
    const c = await mcpClient(h.url, key);
    clients.push(c);
    return c;
  };
  const names = async (c: Client) => (await c.listTools()).tools.map((t) => t.name);
  /** The environment the server-everything process the call reached runs with (its get-env tool). */
  const envOf = async (c: Client) =>
    JSON.parse(textOf(await c.callTool({ name: "added__get-env", arguments: {} }))) as Record<string, string>;
  const mint = async (body: object) => {
    const r = await admin(h, "POST", "/keys", body);
    expect(r.status).toBe(201);
    return r.body as { id: string; key: string };
  };
  let alice: { id: string; key: string };
  let bob: { id: string; key: string };

  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where, { mcp: { servers: { fixed: everythingStdio() } } });
    [alice, bob] = [await mint({ name: "alice" }), await mint({ name: "bob" })];
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await h?.close();
    await where?.drop();
  });

  it("adds a server: its env is answered as set, never its value; the server is served at once", async () => {
    const r = await admin(h, "POST", "/mcp/servers", {
      name: "added",
      ...everythingStdio({ SHARED_TOKEN: SHARED, WHO: "shared" }),
      own_credential_fields: ["SHARED_TOKEN", "WHO", "T", "DAVE_TOKEN"],
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      name: "added",
      source: "api",
      transport: "stdio",
      env: { SHARED_TOKEN: { set: true } },
    });
    expect(JSON.stringify(r.body)).not.toContain(SHARED);
    const shown = await admin(h, "GET", "/mcp/servers/added");
    expect(shown.body.env).toEqual({ SHARED_TOKEN: { set: true }, WHO: { set: true } });
    expect(JSON.stringify(shown.body)).not.toContain(SHARED);
    const c = await connect(bob.key);
    expect(await names(c)).toContain("added__echo");
    expect(textOf(await c.callTool({ name: "added__echo", arguments: { message: "hi" } }))).toBe("Echo: hi");
    const env = await envOf(c);
    expect(env.WHO).toBe("shared");
    expect(env.SHARED_TOKEN).toBe("[REDACTED]");
    const list = await admin(h, "GET", "/mcp/servers");
    expect(list.body.data.map((s: { name: string; source: string }) => [s.name, s.source])).toEqual([
      ["added", "api"],
      ["fixed", "config"],
    ]);
  }, 30_000);

  it("refuses bad settings naming the field, a duplicate, and changes to the configuration file's servers", async () => {
    const bad = await admin(h, "POST", "/mcp/servers", { name: "bad", transport: "http", url: "nope" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("url");
    expect((await admin(h, "POST", "/mcp/servers", { name: "added", command: "x" })).status).toBe(409);
    const fixed = await admin(h, "PATCH", "/mcp/servers/fixed", { timeout_ms: 5 });
    expect(fixed.status).toBe(409);
    expect(fixed.body.error.message).toContain("configuration file");
    expect((await admin(h, "DELETE", "/mcp/servers/fixed")).status).toBe(409);
    expect((await admin(h, "PATCH", "/mcp/servers/none", { timeout_ms: 5 })).status).toBe(404);
  });

  it("a key's own credential is used for its calls only; a team's for its keys", async () => {
    const set = await admin(h, "POST", "/mcp/servers/added/credentials", {
      key_id: alice.id,
      env: { SHARED_TOKEN: ALICE, WHO: "alice" },
    });
    expect(set.status).toBe(201);
    expect(set.body).toMatchObject({ server: "added", key_id: alice.id, env: { WHO: { set: true } } });
    expect(JSON.stringify(set.body)).not.toContain(ALICE);
    const a = await connect(alice.key);
    const mine = await envOf(a);
    expect(mine.WHO).toBe("alice");
    expect(mine.SHARED_TOKEN).toBe("[REDACTED]");
    expect((await envOf(await connect(bob.key))).WHO).toBe("shared");
    expect(h.gateway.mcp!.current!.personal.size).toBe(1);

    const team = await admin(h, "POST", "/teams", { name: "crew" });
    const carol = await mint({ name: "carol", team_id: team.body.id });
    await admin(h, "POST", "/mcp/servers/added/credentials", { team_id: team.body.id, env: { WHO: "crew", T: TEAM } });
    expect((await envOf(await connect(carol.key))).WHO).toBe("crew");
    const held = await admin(h, "GET", "/mcp/servers/added/credentials");
    expect(held.body.data).toHaveLength(2);
    expect(JSON.stringify(held.body)).not.toContain(TEAM);

    const wrong = await admin(h, "POST", "/mcp/servers/added/credentials", { key_id: alice.id, headers: { A: "b" } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.field).toBe("env");
    expect(
      (await admin(h, "POST", "/mcp/servers/added/credentials", { key_id: "key_nobody", env: { A: "b" } })).status,
    ).toBe(400);
  }, 30_000);

  it("a developer sets their key's own credential themselves (self-service), seen by no other key", async () => {
    const dave = await mint({ name: "dave" });
    const me = (method: string, path: string, key: string, body?: unknown) =>
      call(h.url, method, `/admin/v1/me${path}`, key, body);
    const set = await me("POST", "/mcp/servers/added/credentials", dave.key, {
      env: { WHO: "dave", DAVE_TOKEN: ALICE },
    });
    expect(set.status).toBe(201);
    expect(set.body).toMatchObject({ server: "added", key_id: dave.id, env: { WHO: { set: true } } });
    expect(JSON.stringify(set.body)).not.toContain(ALICE);
    expect((await envOf(await connect(dave.key))).WHO).toBe("dave");
    expect((await me("GET", "/mcp/credentials", dave.key)).body.data.map((c: { server: string }) => c.server)).toEqual([
      "added",
    ]);
    expect((await me("GET", "/mcp/credentials", bob.key)).body.data).toEqual([]);
    expect((await me("POST", "/mcp/servers/added/credentials", ADMIN, { env: { A: "b" } })).status).toBe(403);
    expect((await me("POST", "/mcp/servers/none/credentials", dave.key, { env: { A: "b" } })).status).toBe(404);
    expect((await me("DELETE", "/mcp/servers/added/credentials", dave.key)).status).toBe(200);
    expect((await envOf(await connect(dave.key))).WHO).toBe("shared");
  }, 30_000);

  it("own_credential: required refuses a key without one, with a message that says so", async () => {
    const r = await admin(h, "PATCH", "/mcp/servers/added", { own_credential: "required" });
    expect(r.status).toBe(200);
    expect(r.body.own_credential).toBe("required");
    const b = await connect(bob.key);
    const err = await b.callTool({ name: "added__echo", arguments: { message: "x" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).message).toContain("needs your own credential");
    expect((await envOf(await connect(alice.key))).WHO).toBe("alice");
    const gone = await admin(h, "DELETE", `/mcp/servers/added/credentials?key_id=${alice.id}`);
    expect(gone.body).toEqual({ server: "added", key_id: alice.id, team_id: null, deleted: true });
    const refused = await (await connect(alice.key))
      .callTool({ name: "added__echo", arguments: { message: "x" } })
      .catch((e: unknown) => String(e));
    expect(refused).toContain("needs your own credential");
  }, 30_000);

  it("a change of settings applies to open sessions; a removed server is gone", async () => {
    const c = await connect(bob.key);
    expect(await names(c)).toContain("added__echo");
    const r = await admin(h, "PATCH", "/mcp/servers/added", { tools: { deny: ["echo"] }, env: { WHO: null } });
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.env)).toEqual(["SHARED_TOKEN"]);
    expect(await names(c)).not.toContain("added__echo");
    expect(await names(c)).toContain("added__get-sum");
    expect((await admin(h, "DELETE", "/mcp/servers/added")).status).toBe(200);
    expect((await names(c)).some((n) => n.startsWith("added__"))).toBe(false);
    expect((await names(c)).some((n) => n.startsWith("fixed__"))).toBe(true);
    expect((await admin(h, "GET", "/mcp/servers/added")).status).toBe(404);
    expect((await admin(h, "GET", "/mcp/servers/added/credentials")).status).toBe(404);
  }, 30_000);

  it("records every change in the audit log, never a secret; no secret in a log line or a row", async () => {
    const audit = await admin(h, "GET", "/audit?limit=100");
    const actions = (audit.body.rows as { action: string }[]).map((e) => e.action);
    for (const a of [
      "mcp_server.create",
      "mcp_server.update",
      "mcp_server.delete",
      "mcp_credential.set",
      "mcp_credential.delete",
    ])
      expect(actions).toContain(a);
    const text = JSON.stringify(audit.body);
    await h.gateway.requestLog!.flush();
    const db = await h.gateway.team!.data.db();
    const rows = JSON.stringify([
      ...(await db.selectFrom("request_log").selectAll().execute()),
      ...(await db.selectFrom("request_bodies").selectAll().execute()),
    ]);
    for (const secret of [SHARED, ALICE, TEAM]) {
      expect(text).not.toContain(secret);
      expect(rows).not.toContain(secret);
      expect(JSON.stringify(h.logs)).not.toContain(secret);
    }
  });
});
