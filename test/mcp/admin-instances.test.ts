import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { everythingStdio, mcpClient, textOf } from "../support/mcp-servers.js";
import { admin, teamHarness, within } from "../support/team.js";

/**
 * Two gateway instances on one database (PostgreSQL, as instances share one; and one SQLite file): an MCP server added, changed or removed, or a key's own
 * credential set, through one instance's admin API is served by the other without a restart, within the
 * `mcp` revision's poll (a second), in sessions opened before the change too.
 */
describe.each(ENGINES)("MCP servers changed through the admin API, on two instances on $engine", ({ fresh }) => {
  let where: TestLocation;
  let one: Harness;
  let two: Harness;
  const clients: Client[] = [];
  const connect = async (h: Harness, key: string) => {
    const c = await mcpClient(h.url, key);
    clients.push(c);
    return c;
  };
  const names = async (c: Client) => (await c.listTools()).tools.map((t) => t.name);
  let key: { id: string; key: string };

  beforeAll(async () => {
    where = await fresh();
    one = await teamHarness(where);
    two = await teamHarness(where);
    // As `llmux start` does: the stored servers are read (and watched) at the start, not at the first /mcp request.
    await Promise.all([one.gateway.open(), two.gateway.open()]);
    key = (await admin(one, "POST", "/keys", { name: "dev" })).body;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all([one?.close(), two?.close()]);
    await where?.drop();
  });

  it("a server added on one instance is served by the other", async () => {
    const added = await admin(one, "POST", "/mcp/servers", {
      name: "added",
      ...everythingStdio({ WHO: "shared" }),
      own_credential_fields: ["WHO"],
    });
    expect(added.status).toBe(201);
    // Instance two learns of it by itself (no request reached it yet), and connects it.
    expect(
      await within(3000, async () => two.gateway.mcp!.current?.hub.upstreams.get("added")?.status === "ready"),
    ).toBe(true);
    const c = await connect(two, key.key);
    expect(await names(c)).toContain("added__echo");
    expect(textOf(await c.callTool({ name: "added__echo", arguments: { message: "two" } }))).toBe("Echo: two");
    const list = await admin(two, "GET", "/mcp/servers");
    expect(list.body.data).toMatchObject([{ name: "added", source: "api", status: "ready" }]);
  }, 30_000);

  it("a server whose env changed is connected again on the other instance, its tools listed throughout", async () => {
    const c = await connect(two, key.key);
    const pid = two.gateway.mcp!.current!.hub.upstreams.get("added")!.pid;
    expect(pid).toEqual(expect.any(Number));
    expect((await admin(one, "PATCH", "/mcp/servers/added", { env: { WHO: "changed" } })).status).toBe(200);
    const seen: boolean[] = [];
    const replaced = await within(5000, async () => {
      seen.push((await names(c)).includes("added__echo"));
      return two.gateway.mcp!.current!.hub.upstreams.get("added")!.pid !== pid;
    });
    expect(replaced).toBe(true);
    expect(seen.every((listed) => listed)).toBe(true);
    const env = JSON.parse(textOf(await c.callTool({ name: "added__get-env", arguments: {} }))) as Record<
      string,
      string
    >;
    expect(env.WHO).toBe("changed");
  }, 30_000);

  it("a change on one instance applies in a session open on the other", async () => {
    const c = await connect(two, key.key);
    expect(await names(c)).toContain("added__echo");
    expect((await admin(one, "PATCH", "/mcp/servers/added", { tools: { deny: ["echo"] } })).status).toBe(200);
    expect(await within(3000, async () => !(await names(c)).includes("added__echo"))).toBe(true);
    expect(await names(c)).toContain("added__get-sum");
  }, 30_000);

  it("a key's own credential set on one instance is used on the other", async () => {
    const c = await connect(two, key.key);
    const who = async () =>
      (JSON.parse(textOf(await c.callTool({ name: "added__get-env", arguments: {} }))) as Record<string, string>).WHO;
    expect(await who()).toBe("changed");
    const set = await admin(one, "POST", "/mcp/servers/added/credentials", { key_id: key.id, env: { WHO: "mine" } });
    expect(set.status).toBe(201);
    expect(await within(3000, async () => (await who()) === "mine")).toBe(true);
  }, 30_000);

  it("a server removed on one instance is gone on the other", async () => {
    const c = await connect(two, key.key);
    expect((await admin(one, "DELETE", "/mcp/servers/added")).status).toBe(200);
    expect(await within(3000, async () => !two.gateway.mcp!.current?.hub.upstreams.has("added"))).toBe(true);
    expect((await names(c)).some((n) => n.startsWith("added__"))).toBe(false);
    // Nothing is served any more: /mcp answers as a gateway without servers does.
    const r = await fetch(`${two.url}/mcp`, {
      method: "POST",
      headers: { authorization: `Bearer ${key.key}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(r.status).toBe(404);
  }, 30_000);
});
