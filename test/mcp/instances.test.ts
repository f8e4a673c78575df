import { randomBytes } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";
import { everythingStdio, mcpClient, textOf } from "../support/mcp-servers.js";

const KEY_A = "svc-key-mcp-instances-a";
const KEY_B = "svc-key-mcp-instances-b";

/** Two instances sharing the hot state (Redis): an MCP session opened on one continues on the other. */
describe("MCP sessions on many instances", () => {
  const prefix = `mcp-${randomBytes(6).toString("hex")}:`;
  let one: Harness;
  let two: Harness;
  const clients: Client[] = [];

  const instance = () =>
    startHarness(() => ({
      auth: { keys: [KEY_A, KEY_B] },
      state: { url: "redis://127.0.0.1:6379", prefix },
      mcp: { servers: { everything: everythingStdio() } },
    }));

  /** A client that continues a session (the SDK's client skips initialize when given a session id). */
  const continuing = async (base: string, key: string, sessionId: string) => {
    const c = new Client({ name: "llmux-test", version: "1" });
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      sessionId,
      requestInit: { headers: { authorization: `Bearer ${key}` } },
    });
    await c.connect(transport);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    [one, two] = await Promise.all([instance(), instance()]);
    await Promise.all([one.gateway.mcp!.current!.hub.ready(), two.gateway.mcp!.current!.hub.ready()]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all([one?.close(), two?.close()]);
  });

  it("a session started on one instance lists and calls on the other", async () => {
    const first = await mcpClient(one.url, KEY_A);
    clients.push(first);
    const id = (first.transport as StreamableHTTPClientTransport).sessionId!;
    expect(id).toEqual(expect.any(String));
    await first.callTool({ name: "everything__echo", arguments: { message: "on one" } });
    const there = await continuing(two.url, KEY_A, id);
    const { tools } = await there.listTools();
    expect(tools.map((t) => t.name)).toContain("everything__echo");
    const r = await there.callTool({ name: "everything__echo", arguments: { message: "on two" } });
    expect(textOf(r)).toBe("Echo: on two");
  });

  it("another key cannot continue someone's session, on either instance", async () => {
    const first = await mcpClient(one.url, KEY_A);
    clients.push(first);
    const id = (first.transport as StreamableHTTPClientTransport).sessionId!;
    for (const base of [one.url, two.url]) {
      const other = await continuing(base, KEY_B, id);
      const err = await other.listTools().catch((e: unknown) => String(e));
      expect(err).toContain("Session not found");
    }
  });

  it("an ended session (DELETE) is continued nowhere", async () => {
    const first = await mcpClient(one.url, KEY_A);
    const transport = first.transport as StreamableHTTPClientTransport;
    const id = transport.sessionId!;
    await transport.terminateSession();
    await first.close();
    const there = await continuing(two.url, KEY_A, id);
    const err = await there.listTools().catch((e: unknown) => String(e));
    expect(err).toContain("Session not found");
  });
});
