import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { everythingStdio, mcpClient, textOf } from "../support/mcp-servers.js";
import { admin, teamHarness } from "../support/team.js";

/** A key's MCP rules, enforced on tools/list and tools/call, on both engines (the rules live in the data layer). */
describe.each(ENGINES)("MCP access on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  const clients: Client[] = [];
  const connect = async (key: string, path = "/mcp") => {
    const c = await mcpClient(h.url, key, path);
    clients.push(c);
    return c;
  };
  const mint = async (body: Record<string, unknown>): Promise<{ id: string; key: string }> => {
    const r = await admin(h, "POST", "/keys", body);
    expect(r.status).toBe(201);
    return r.body;
  };
  const names = async (c: Client) => (await c.listTools()).tools.map((t) => t.name).sort();

  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where, {
      mcp: {
        calls_per_minute: 3,
        servers: {
          everything: { ...everythingStdio(), tools: { deny: ["get-env"], approval: ["get-tiny-image"] } },
          other: everythingStdio(),
        },
      },
    });
    await h.gateway.mcp!.current!.hub.ready();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await h?.close();
    await where?.drop();
  });

  it("a key sees only the tools its rules allow, and a call of another is refused naming it", async () => {
    const { key } = await mint({ name: "echo-only", mcp: { tools: ["everything__echo", "other__get-sum"] } });
    const c = await connect(key);
    expect(await names(c)).toEqual(["everything__echo", "other__get-sum"]);
    expect(textOf(await c.callTool({ name: "everything__echo", arguments: { message: "ok" } }))).toBe("Echo: ok");
    const err = await c.callTool({ name: "other__echo", arguments: { message: "no" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).message).toContain("The tool 'other__echo' is not allowed for this API key");
  });

  it("a team's server rules bound its keys', on /mcp and on /mcp/{server}", async () => {
    const team = await admin(h, "POST", "/teams", { name: "only-other", mcp: { servers: ["other"] } });
    expect(team.status).toBe(201);
    const { key } = await mint({ name: "member", team_id: team.body.id });
    const names_ = await names(await connect(key));
    expect(names_.length).toBeGreaterThan(0);
    expect(names_.every((n) => n.startsWith("other__"))).toBe(true);
    const refused = await connect(key, "/mcp/everything").catch((e: unknown) => e as Error);
    expect(String(refused)).toContain("The MCP server 'everything' is not allowed for this API key");
  });

  it("a server's deny list hides a tool from every key", async () => {
    const { key } = await mint({ name: "all" });
    const all = await names(await connect(key));
    expect(all).toContain("other__get-env");
    expect(all).not.toContain("everything__get-env");
  });

  it("a tool that needs approval is refused with a message that says so", async () => {
    const { key } = await mint({ name: "approval" });
    const c = await connect(key);
    const err = await c.callTool({ name: "everything__get-tiny-image", arguments: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).message).toContain("needs an administrator's approval");
  });

  it("limits a key's tool calls per minute (mcp.calls_per_minute)", async () => {
    const { key } = await mint({ name: "limited" });
    const c = await connect(key);
    for (let i = 0; i < 3; i++) await c.callTool({ name: "other__echo", arguments: { message: `${i}` } });
    const err = await c.callTool({ name: "other__echo", arguments: { message: "4" } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).message).toContain("3 MCP tool calls per minute");
  });

  it("a revoked key is refused on its next request, in a session it opened before", async () => {
    const { id, key } = await mint({ name: "revoked" });
    const c = await connect(key);
    expect(textOf(await c.callTool({ name: "other__echo", arguments: { message: "before" } }))).toBe("Echo: before");
    // Revoked through this instance: its memory of keys is dropped before the answer (another instance's
    // revocation is learned at the next identity poll: test/identity/key-poll.test.ts).
    expect((await admin(h, "DELETE", `/keys/${id}`)).status).toBe(200);
    const r = await c.listTools().then(
      () => "served",
      (e: unknown) => String(e),
    );
    expect(r).toContain("was revoked");
  });
});
