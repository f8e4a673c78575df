import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { everythingStdio, mcpClient, textOf } from "../support/mcp-servers.js";
import { ADMIN, admin, teamHarness } from "../support/team.js";

const PLANTED = "planted-mcp-env-secret-51c0ffee";

/** Every tool call is a request-log row (both engines), in the metrics, and never carries a server's credential. */
describe.each(ENGINES)("MCP tool calls in the request log on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  let client: Client;
  let keyId: string;
  let teamId: string;

  const rows = async (query = "mcp_server=*") => {
    await h.gateway.requestLog!.flush();
    const r = await admin(h, "GET", `/requests?${query}&limit=100`);
    expect(r.status).toBe(200);
    return r.body.rows as Record<string, unknown>[];
  };

  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where, {
      logging: { bodies: "all" },
      mcp: {
        servers: {
          everything: { ...everythingStdio({ SERVER_SECRET: PLANTED }), tools: { approval: ["get-tiny-image"] } },
        },
      },
    });
    await h.gateway.mcp!.current!.hub.ready();
    const team = await admin(h, "POST", "/teams", { name: "tools" });
    teamId = team.body.id;
    const key = await admin(h, "POST", "/keys", { name: "dev", user: "ada", team_id: teamId });
    keyId = key.body.id;
    client = await mcpClient(h.url, key.body.key);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await h?.close();
    await where?.drop();
  });

  it("a tool call is a row: key, user, team, server, tool, session, outcome, latency", async () => {
    expect(textOf(await client.callTool({ name: "everything__echo", arguments: { message: "logged" } }))).toBe(
      "Echo: logged",
    );
    const [row] = await rows();
    expect(row).toMatchObject({
      key_id: keyId,
      key_name: "dev",
      user: "ada",
      team_id: teamId,
      path: "/mcp",
      mcp_server: "everything",
      mcp_tool: "echo",
      mcp_session: client.transport && (client.transport as { sessionId?: string }).sessionId,
      outcome: "ok",
      status: 200,
    });
    expect(row!.latency_ms).toBeGreaterThan(0);
    // The session's other requests (initialize, lists) are not rows of their own.
    const all = await rows("");
    expect(all.filter((r) => r.path === "/mcp").every((r) => r.mcp_server !== undefined)).toBe(true);
  });

  it("keeps the call's arguments and result as bodies, redacted: a server's credential never in them", async () => {
    const r = await client.callTool({ name: "everything__get-env", arguments: {} });
    expect(textOf(r)).not.toContain(PLANTED);
    const [row] = await rows();
    expect(row!.mcp_tool).toBe("get-env");
    const detail = await admin(h, "GET", `/requests/${row!.id}`);
    const bodies = JSON.stringify(detail.body.bodies);
    expect(bodies).toContain("tools/call");
    expect(bodies).toContain("SERVER_SECRET");
    expect(bodies).not.toContain(PLANTED);
    expect(JSON.stringify(h.logs)).not.toContain(PLANTED);
  });

  it("a refused call is a row that says why", async () => {
    await client.callTool({ name: "everything__get-tiny-image", arguments: {} }).catch(() => undefined);
    const [row] = await rows();
    expect(row).toMatchObject({ mcp_tool: "get-tiny-image", outcome: "refused" });
    expect(String(row!.reason)).toContain("approval");
  });

  it("a cancelled call is a row with outcome aborted", async () => {
    const ac = new AbortController();
    await client
      .callTool(
        { name: "everything__trigger-long-running-operation", arguments: { duration: 20, steps: 20 } },
        undefined,
        { signal: ac.signal, onprogress: () => ac.abort() },
      )
      .catch(() => undefined);
    let row: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && row?.mcp_tool !== "trigger-long-running-operation"; i++) {
      [row] = await rows();
      if (row?.mcp_tool !== "trigger-long-running-operation") await new Promise((r) => setTimeout(r, 50));
    }
    expect(row).toMatchObject({ mcp_tool: "trigger-long-running-operation", outcome: "aborted" });
  });

  it("GET /admin/v1/mcp/servers: each server's health and tools, without its credentials", async () => {
    const r = await admin(h, "GET", "/mcp/servers");
    expect(r.status).toBe(200);
    const [server] = r.body.data;
    expect(server).toMatchObject({ name: "everything", transport: "stdio", status: "ready", last_error: null });
    const tools = server.tools as { name: string; needs_approval: boolean; offered: boolean }[];
    expect(tools.find((t) => t.name === "echo")).toMatchObject({ offered: true, needs_approval: false });
    expect(tools.find((t) => t.name === "get-tiny-image")).toMatchObject({ needs_approval: true });
    expect(JSON.stringify(r.body)).not.toContain(PLANTED);
  });

  it("counts tool calls in the metrics by server, tool and outcome", async () => {
    const res = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const text = await res.text();
    expect(text).toMatch(/llmux_mcp_tool_calls_total\{server="everything",tool="echo",outcome="ok"\} 1/);
    expect(text).toMatch(/llmux_mcp_tool_calls_total\{server="everything",tool="get-tiny-image",outcome="refused"\} 1/);
  });
});
