/**
 * A stdio MCP server that never starts says why in its own words (its stderr, bounded, credentials scrubbed)
 * rather than only "MCP error -32001: Request timed out"; an entry pasted from Claude Code's `.mcp.json`
 * (`"type": "stdio" | "http" | "sse"`) is accepted as it is, in the configuration file and the admin API.
 */
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { McpSchema, McpServerSchema } from "../../src/config/schema-mcp.js";
import { lastWords, STDERR_KEPT, Upstream } from "../../src/mcp/upstream.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { admin, teamHarness } from "../support/team.js";

const SECRET = "planted-secret-token-0123456789";
const quiet = pino({ level: "silent" });

async function downWith(script: string): Promise<Upstream> {
  const cfg = McpServerSchema.parse({
    command: process.execPath,
    args: ["-e", script],
    env: { TOKEN: SECRET },
    connect_timeout_ms: 1500,
  });
  const u = new Upstream("broken", cfg, quiet);
  await u.start();
  await u.close();
  return u;
}

describe("a stdio MCP server that fails to start", () => {
  it("that hangs without answering: the timeout and its stderr, its credential scrubbed", async () => {
    const u = await downWith(
      `console.error("npm error 404 Not Found - @example/no-such-server"); console.error("token " + process.env.TOKEN); setInterval(() => {}, 1000);`,
    );
    expect(u.lastError).toMatch(/timed out/i);
    expect(u.lastError).toContain("its stderr: npm error 404 Not Found - @example/no-such-server");
    expect(u.lastError).not.toContain(SECRET);
  }, 20_000);

  it("that exits at once: the closed connection and its last words", async () => {
    const u = await downWith(
      `console.error("\\x1b[31mError: Cannot find module 'server.js'\\x1b[0m"); process.exit(1);`,
    );
    expect(u.lastError).toContain("its stderr: Error: Cannot find module 'server.js'");
    expect(u.lastError).not.toContain("\x1b");
  }, 20_000);

  it("keeps at most its last 10 lines and STDERR_KEPT characters", () => {
    const many = Array.from({ length: 50 }, (_, i) => `line ${i} ${"x".repeat(200)}`).join("\n");
    const kept = lastWords(many);
    expect(kept.length).toBeLessThanOrEqual(STDERR_KEPT);
    expect(kept).toContain("line 49");
    expect(kept).not.toContain("line 39 ");
  });
});

describe("Claude Code's .mcp.json spelling (type)", () => {
  it("the configuration file accepts type: stdio, http and sse as transport", () => {
    const parsed = McpSchema.parse({
      servers: {
        local: { type: "stdio", command: "npx", args: ["-y", "@modelcontextprotocol/server-everything"] },
        remote: { type: "http", url: "https://mcp.example.com/mcp" },
        old: { type: "sse", url: "https://mcp.example.com/sse" },
      },
    });
    expect(parsed.servers.local!.transport).toBe("stdio");
    expect(parsed.servers.remote!.transport).toBe("http");
    expect(parsed.servers.old!.transport).toBe("sse");
    expect(parsed.servers.old).not.toHaveProperty("type");
  });

  it("type and transport that disagree are refused, naming type", () => {
    const r = McpServerSchema.safeParse({ type: "sse", transport: "http", url: "https://mcp.example.com/mcp" });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain("type");
  });
});

describe.each(ENGINES)("the admin API takes a pasted .mcp.json entry ($engine)", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where, { mcp: { allow_private_addresses: true } });
  });
  afterAll(async () => {
    await h?.close();
    await where?.drop();
  });

  it("POST with type: sse is stored as transport sse; PATCH with type: http changes it", async () => {
    const created = await admin(h, "POST", "/mcp/servers", {
      name: "pasted",
      type: "sse",
      url: "http://127.0.0.1:9/sse",
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.transport).toBe("sse");
    const patched = await admin(h, "PATCH", "/mcp/servers/pasted", { type: "http", url: "http://127.0.0.1:9/mcp" });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.transport).toBe("http");
  });
});
