/**
 * The launchers' probe of /mcp (a GET without a session, src/launch/mcp.ts) and an MCP client's version probe
 * (`server/discover` before `initialize`, as Claude Code 2.1.330 sends it) are answered as before (400:
 * initialize first) but are not logged as failed requests on every launch; a real call without a session is.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { servesMcp } from "../../src/launch/mcp.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { everythingStdio } from "../support/mcp-servers.js";

const KEY = "probe-key-0123456789";
let h: Harness;
beforeAll(async () => {
  h = await startHarness(() => ({
    auth: { keys: [KEY] },
    logging: { level: "debug" },
    mcp: { servers: { everything: everythingStdio() } },
  }));
});
afterAll(() => h?.close());

const rpc = (method: string) =>
  fetch(`${h.url}/mcp`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${KEY}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    // Claude Code's probe: its protocol version, client info and capabilities in params._meta.
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 0,
      method,
      params: { _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28" } },
    }),
  });

const lines = () => h.logs.filter((l) => l.path === "/mcp" && l.req_id !== undefined);
const settle = async (n: number) => {
  for (let i = 0; i < 100 && lines().length < n; i++) await new Promise((r) => setTimeout(r, 20));
};

describe("probes of /mcp", () => {
  it("the launcher's GET and server/discover: answered 400 as before, logged at debug level, not as failures", async () => {
    expect(await servesMcp(h.url, KEY)).toBe(true);
    const discover = await rpc("server/discover");
    expect(discover.status).toBe(400);
    expect(((await discover.json()) as { error: { message: string } }).error.message).toContain("initialize first");
    await settle(2);
    const probes = lines();
    expect(probes).toHaveLength(2);
    for (const l of probes) {
      expect(l.level, JSON.stringify(l)).toBe(20);
      expect(l.outcome).toBe("ok");
      expect(l.msg).toBe("request");
    }
  });

  it("a tool call without a session is still a failed request", async () => {
    const before = lines().length;
    const r = await rpc("tools/list");
    expect(r.status).toBe(400);
    await r.text();
    await settle(before + 1);
    const line = lines().at(-1)!;
    expect(line.msg).toBe("request failed");
    expect(line.outcome).toBe("error");
  });
});
