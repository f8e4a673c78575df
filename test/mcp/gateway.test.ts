import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";
import {
  EVERYTHING,
  everythingStdio,
  filesystemStdio,
  mcpClient,
  type RemoteServer,
  startEverythingHttp,
  textOf,
} from "../support/mcp-servers.js";
import { SERVICE, within } from "../support/team.js";

/** A credential of a server: it reaches the server, and never a client, a log line or a row. */
const PLANTED = "planted-mcp-credential-7f3a9c2e41";

let h: Harness;
let client: Client;
let http: RemoteServer;
let sse: RemoteServer;
const files = mkdtempSync(join(tmpdir(), "llmux-mcp-files-"));

beforeAll(async () => {
  writeFileSync(join(files, "hello.txt"), "hello from the filesystem server\n");
  [http, sse] = await Promise.all([startEverythingHttp("streamableHttp"), startEverythingHttp("sse")]);
  h = await startHarness(() => ({
    auth: { keys: [SERVICE] },
    logging: { level: "debug", bodies: "all" },
    mcp: {
      servers: {
        everything: everythingStdio({ UPSTREAM_TOKEN: PLANTED }),
        files: filesystemStdio(files),
        remote: { transport: "http", url: http.url, headers: { authorization: `Bearer ${PLANTED}` } },
        legacy: { transport: "sse", url: sse.url },
        // A server that prints its credential on stderr (which llmux logs at debug level).
        noisy: {
          command: process.execPath,
          args: [
            "--input-type=module",
            "-e",
            `console.error("token is " + process.env.NOISY_TOKEN); await import(${JSON.stringify(pathToFileURL(EVERYTHING).href)});`,
          ],
          env: { NOISY_TOKEN: PLANTED },
        },
      },
    },
  }));
  await h.gateway.mcp!.current!.hub.ready();
  client = await mcpClient(h.url, SERVICE);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await h?.close();
  await Promise.all([http?.close(), sse?.close()]);
});

describe("/mcp: one endpoint for every server", () => {
  it("lists every server's tools under namespaced names", async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    for (const name of ["everything__echo", "remote__echo", "legacy__echo", "files__read_text_file"])
      expect(names).toContain(name);
    const echo = tools.find((t) => t.name === "everything__echo")!;
    expect(echo.inputSchema.properties).toHaveProperty("message");
  });

  it("calls a tool on each transport (stdio, Streamable HTTP, SSE)", async () => {
    for (const server of ["everything", "remote", "legacy"]) {
      const r = await client.callTool({ name: `${server}__echo`, arguments: { message: `hi ${server}` } });
      expect(textOf(r)).toBe(`Echo: hi ${server}`);
    }
    const file = await client.callTool({
      name: "files__read_text_file",
      arguments: { path: join(files, "hello.txt") },
    });
    expect(textOf(file)).toContain("hello from the filesystem server");
  });

  it("aggregates prompts and resources, read from the server that owns them", async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toContain("everything__simple-prompt");
    const { resources } = await client.listResources();
    const mine = resources.find((r) => r.name.startsWith("everything__"));
    expect(mine).toBeDefined();
    const read = await client.readResource({ uri: mine!.uri });
    expect(read.contents[0]!.uri).toBe(mine!.uri);
  });

  it("relays progress notifications to the client", async () => {
    const seen: { progress: number; total?: number }[] = [];
    const r = await client.callTool(
      { name: "everything__trigger-long-running-operation", arguments: { duration: 0.6, steps: 3 } },
      undefined,
      { onprogress: (p) => seen.push(p) },
    );
    expect(textOf(r)).toContain("Steps: 3");
    // What the server sends before its result (server-everything's last step races its result, even direct).
    expect(seen.slice(0, 2)).toEqual([
      { progress: 1, total: 3 },
      { progress: 2, total: 3 },
    ]);
  });

  it("relays a cancellation: the client's call ends at once, and the upstream call is abandoned", async () => {
    const ac = new AbortController();
    const call = client.callTool(
      { name: "everything__trigger-long-running-operation", arguments: { duration: 30, steps: 30 } },
      undefined,
      { signal: ac.signal, onprogress: () => ac.abort("enough") },
    );
    await expect(call).rejects.toThrow();
    // The next call on the same session is served (the cancelled one holds nothing).
    const r = await client.callTool({ name: "everything__echo", arguments: { message: "after" } });
    expect(textOf(r)).toBe("Echo: after");
  });

  it("restarts a stdio server that crashed, and serves its tools again", async () => {
    const up = h.gateway.mcp!.current!.hub.upstreams.get("everything")!;
    const pid = up.pid!;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGKILL");
    // The exit is noticed, and the server started again; a call meanwhile waits for it.
    expect(await within(5000, async () => up.status !== "ready" || up.pid !== pid)).toBe(true);
    const r = await client.callTool({ name: "everything__echo", arguments: { message: "again" } });
    expect(textOf(r)).toBe("Echo: again");
    expect(up.pid).not.toBe(pid);
    expect(up.restarts).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it("answers an unknown tool with an MCP error naming it", async () => {
    const err = await client.callTool({ name: "everything__nope", arguments: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).message).toContain("Unknown tool: 'everything__nope'");
  });

  it("judges a tool by the catalog a restarting server last listed: an unknown one is still an MCP error", async () => {
    const up = h.gateway.mcp!.current!.hub.upstreams.get("everything")!;
    await within(10_000, async () => up.status === "ready");
    process.kill(up.pid!, "SIGKILL");
    // The server is down (restarted after a backoff of at least a second): the call is decided meanwhile.
    expect(await within(5000, async () => up.status !== "ready")).toBe(true);
    const err = await client.callTool({ name: "everything__nope", arguments: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(McpError);
    expect((err as McpError).message).toContain("Unknown tool: 'everything__nope'");
    // A tool it listed is still found, and waits for the restart.
    const r = await client.callTool({ name: "everything__echo", arguments: { message: "back" } });
    expect(textOf(r)).toBe("Echo: back");
  }, 30_000);

  it("never lets a server's credential reach the client, the log or the request log", async () => {
    const r = await client.callTool({ name: "everything__get-env", arguments: {} });
    const text = textOf(r);
    expect(text).toContain("UPSTREAM_TOKEN");
    expect(text).not.toContain(PLANTED);
    await h.gateway.requestLog!.flush();
    const db = await h.gateway.team!.data.db();
    const rows = await db.selectFrom("request_log").selectAll().execute();
    const bodies = await db.selectFrom("request_bodies").selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(PLANTED);
    expect(JSON.stringify(bodies)).not.toContain(PLANTED);
    expect(JSON.stringify(h.logs)).not.toContain(PLANTED);
    // The server's stderr was logged, its credential redacted.
    expect(h.logs.some((l) => String(l.msg).includes("token is [REDACTED]"))).toBe(true);
  });
});

describe("/mcp: who may call", () => {
  it("refuses a request without a key", async () => {
    const err = await mcpClient(h.url, undefined).catch((e: unknown) => e as Error);
    expect(String(err)).toContain("No API key");
    const res = await fetch(`${h.url}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(res.status).toBe(401);
  });

  it("serves one server on /mcp/{server} under its own names", async () => {
    const one = await mcpClient(h.url, SERVICE, "/mcp/files");
    try {
      const { tools } = await one.listTools();
      expect(tools.map((t) => t.name)).toContain("read_text_file");
      expect(tools.some((t) => t.name.includes("__"))).toBe(false);
    } finally {
      await one.close();
    }
  });
});
