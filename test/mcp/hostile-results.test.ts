/**
 * A hostile MCP server's tool results are bounded before the SDK validates them and before llmux scrubs them
 * (src/mcp/result-bounds.ts): 200,000 content parts, 8 MB of text, structured content 500 levels deep and a
 * 20 MB message each become an MCP error naming the bound; the connection stays usable (or is started again
 * after the message too large to read); /health answers meanwhile; credentials are scrubbed in place.
 */
import { fileURLToPath } from "node:url";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LineBuffer } from "../../src/mcp/line-buffer.js";
import { MCP_MESSAGE_BYTES, MCP_RESULT_LIMITS } from "../../src/mcp/result-bounds.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { mcpClient, textOf } from "../support/mcp-servers.js";
import { SERVICE } from "../support/team.js";

const TOKEN = "hostile-credential-5b1e9d7c03";
const SCRIPT = fileURLToPath(new URL("../support/hostile-mcp-server.mjs", import.meta.url));

let h: Harness;
let client: Client;

beforeAll(async () => {
  h = await startHarness(() => ({
    auth: { keys: [SERVICE] },
    mcp: { servers: { hostile: { command: process.execPath, args: [SCRIPT], env: { HOSTILE_TOKEN: TOKEN } } } },
  }));
  await h.gateway.mcp!.current!.hub.ready();
  client = await mcpClient(h.url, SERVICE);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await h?.close();
});

async function refusal(tool: string): Promise<McpError> {
  const err = await client.callTool({ name: `hostile__${tool}` }, undefined, { timeout: 60_000 }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, tool).toBeInstanceOf(McpError);
  return err as McpError;
}

describe("a hostile MCP server's results", { timeout: 90_000 }, () => {
  it("200,000 content parts: an MCP error naming the bound, /health answering meanwhile", async () => {
    const [err, health] = await Promise.all([refusal("parts"), fetch(`${h.url}/health`)]);
    expect(err.message).toContain(`200000 content parts; llmux relays at most ${MCP_RESULT_LIMITS.parts}`);
    expect(health.status).toBe(200);
    expect(textOf(await client.callTool({ name: "hostile__echo" }))).toBe("still here");
  });

  it("8 MB of text: an MCP error naming the bound", async () => {
    expect((await refusal("big_text")).message).toContain("more than 4 MB of text");
    expect(textOf(await client.callTool({ name: "hostile__echo" }))).toBe("still here");
  });

  it("structured content 500 levels deep: an MCP error naming the bound", async () => {
    expect((await refusal("deep")).message).toContain(`nests deeper than ${MCP_RESULT_LIMITS.depth} levels`);
  });

  it("a message larger than llmux reads: an MCP error naming that bound, and the server is started again", async () => {
    expect((await refusal("huge_line")).message).toContain(`larger than ${MCP_MESSAGE_BYTES / 1024 / 1024} MB`);
    const upstream = h.gateway.mcp!.current!.hub.upstreams.get("hostile")!;
    await upstream.settled();
    await expect
      .poll(async () => textOf(await client.callTool({ name: "hostile__echo" })), { timeout: 30_000 })
      .toBe("still here");
  });

  it("a credential in a result is scrubbed where it stands, the rest kept as the server wrote it", async () => {
    const r = await client.callTool({ name: "hostile__secret" });
    expect(JSON.stringify(r)).not.toContain(TOKEN);
    expect(r.content).toEqual([
      { type: "text", text: "my token is [REDACTED], twice: [REDACTED]" },
      { type: "text", text: "nothing here" },
    ]);
    expect(r.structuredContent).toEqual({
      nested: { "key-[REDACTED]": ["value [REDACTED]", 7, null] },
      plain: "kept",
    });
  });
});

describe("the stdio line buffer", () => {
  it("is the one the stdio transport reads with", () => {
    const upstream = h.gateway.mcp!.current!.hub.upstreams.get("hostile")! as unknown as {
      client: { transport: { inner: { _readBuffer: unknown } } };
    };
    expect(upstream.client.transport.inner._readBuffer).toBeInstanceOf(LineBuffer);
  });

  it("reads messages split over chunks and several in one chunk, and refuses a line past its bound", () => {
    const b = new LineBuffer(64);
    const a = '{"jsonrpc":"2.0","id":1,"result":{}}';
    const c = '{"jsonrpc":"2.0","method":"notifications/x"}';
    b.append(Buffer.from(a.slice(0, 10)));
    expect(b.readMessage()).toBeNull();
    b.append(Buffer.from(`${a.slice(10)}\n${c}\r\n${a.slice(0, 5)}`));
    expect(b.readMessage()).toEqual(JSON.parse(a));
    expect(b.readMessage()).toEqual(JSON.parse(c));
    expect(b.readMessage()).toBeNull();
    expect(() => b.append(Buffer.alloc(64, 0x20))).toThrow("ReadBuffer exceeded maximum size of 64 bytes");
    b.append(Buffer.from(`${a}\n`));
    expect(b.readMessage()).toEqual(JSON.parse(a));
  });
});
