/**
 * A key's or team's own MCP credential fills only what the server declares for it (`own_credential_fields`):
 * a key holder who could set any environment variable of a stdio server ran code on llmux's host
 * (NODE_OPTIONS=--import=data:…, LD_PRELOAD, PATH, BASH_ENV, PYTHONPATH), with the server's shared token in
 * reach, again on every supervised restart. Driven with the official MCP client against server-everything.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { McpServerSchema } from "../../src/config/schema-mcp.js";
import { keySubject } from "../../src/data/mcp-credentials.js";
import { personalConfig } from "../../src/mcp/personal.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { everythingStdio, mcpClient, textOf } from "../support/mcp-servers.js";
import { admin, call, teamHarness } from "../support/team.js";

const SHARED = "shared-mcp-token-0123456789abcdef";
const OWN = "own-github-token-0123456789abcdef";

/** NODE_OPTIONS that make any Node program write `marker` before it starts (what the attack round used). */
const planting = (marker: string) =>
  `--import=data:text/javascript,process.getBuiltinModule('fs').writeFileSync('${marker}','ran')`;

const sqlite = ENGINES.find((e) => e.engine === "sqlite")!;

describe("own MCP credentials fill only the declared fields", () => {
  let where: TestLocation;
  let h: Harness;
  const clients: Client[] = [];
  const marker = join(mkdtempSync(join(tmpdir(), "llmux-mcp-own-")), "ran");
  let key: { id: string; key: string };
  let fenced: { id: string; key: string };

  const me = (method: string, path: string, k: string, body?: unknown) =>
    call(h.url, method, `/admin/v1/me${path}`, k, body);
  const envOf = async (k: string) => {
    const c = await mcpClient(h.url, k);
    clients.push(c);
    return JSON.parse(textOf(await c.callTool({ name: "gh__get-env", arguments: {} }))) as Record<string, string>;
  };

  beforeAll(async () => {
    where = await sqlite.fresh();
    h = await teamHarness(where, {
      mcp: {
        // The remote servers below are placeholders on this host (never reached).
        allow_private_addresses: true,
        servers: {
          gh: { ...everythingStdio({ SHARED_TOKEN: SHARED }), own_credential_fields: ["GITHUB_TOKEN"] },
          other: everythingStdio(),
        },
      },
    });
    key = (await admin(h, "POST", "/keys", { name: "holder" })).body;
    fenced = (await admin(h, "POST", "/keys", { name: "fenced", mcp: { servers: ["other"] } })).body;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await h?.close();
    await where?.drop();
  });

  it("refuses a key's own value for a variable the server does not declare, naming it; no code runs", async () => {
    for (const [name, value] of [
      ["NODE_OPTIONS", planting(marker)],
      ["LD_PRELOAD", "/tmp/evil.so"],
      ["PATH", "/tmp/evil-bin"],
      ["BASH_ENV", "/tmp/evil.sh"],
      ["PYTHONPATH", "/tmp/evil"],
    ] as const) {
      const r = await me("POST", "/mcp/servers/gh/credentials", key.key, { env: { GITHUB_TOKEN: OWN, [name]: value } });
      expect(r.status, name).toBe(400);
      expect(r.body.error.field).toBe(`env.${name}`);
      expect(r.body.error.message).toContain("own_credential_fields: GITHUB_TOKEN");
    }
    // Nothing was stored: the key's calls go to the shared server, which never ran the planted code.
    expect((await me("GET", "/mcp/credentials", key.key)).body.data).toEqual([]);
    expect((await envOf(key.key)).NODE_OPTIONS).toBeUndefined();
    expect(existsSync(marker)).toBe(false);
  }, 30_000);

  it("takes the declared variable, and the key's calls get it", async () => {
    const r = await me("POST", "/mcp/servers/gh/credentials", key.key, { env: { GITHUB_TOKEN: OWN } });
    expect(r.status).toBe(201);
    const env = await envOf(key.key);
    expect(env.GITHUB_TOKEN).toBe("[REDACTED]");
    expect(env.SHARED_TOKEN).toBe("[REDACTED]");
  }, 30_000);

  it("refuses the same through the administrators' route, for a key or a team", async () => {
    const team = (await admin(h, "POST", "/teams", { name: "crew" })).body;
    for (const who of [{ key_id: key.id }, { team_id: team.id }]) {
      const r = await admin(h, "POST", "/mcp/servers/gh/credentials", { ...who, env: { NODE_OPTIONS: "x" } });
      expect(r.status).toBe(400);
      expect(r.body.error.field).toBe("env.NODE_OPTIONS");
    }
    // A server that declares nothing takes no own credential at all.
    const none = await admin(h, "POST", "/mcp/servers/other/credentials", { key_id: key.id, env: { A: "b" } });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toContain("takes no own credentials");
  });

  it("refuses a key setting a credential on a server it may not use", async () => {
    const r = await me("POST", "/mcp/servers/gh/credentials", fenced.key, { env: { GITHUB_TOKEN: OWN } });
    expect(r.status).toBe(403);
    expect(r.body.error.message).toContain("not allowed for this API key");
  });

  it("never applies an undeclared value stored before (by an older llmux): the process runs without it", async () => {
    await h.gateway.team!.mcpCredentials.set("gh", keySubject(key.id), {
      env: { GITHUB_TOKEN: OWN, NODE_OPTIONS: planting(marker) },
      headers: {},
    });
    await h.gateway.mcp!.current!.changed();
    const env = await envOf(key.key);
    expect(env.GITHUB_TOKEN).toBe("[REDACTED]");
    expect(env.NODE_OPTIONS).toBeUndefined();
    expect(existsSync(marker)).toBe(false);
  }, 30_000);

  it("refuses declaring a variable that changes what a program runs, or a framing header", async () => {
    const bad = await admin(h, "POST", "/mcp/servers", {
      name: "bad",
      ...everythingStdio(),
      own_credential_fields: ["GITHUB_TOKEN", "NODE_OPTIONS"],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe("own_credential_fields.1");
    const header = await admin(h, "POST", "/mcp/servers", {
      name: "bad",
      transport: "http",
      url: "http://127.0.0.1:9/mcp",
      own_credential_fields: ["Mcp-Session-Id"],
    });
    expect(header.status).toBe(400);
    expect(header.body.error.field).toBe("own_credential_fields.0");
  });
});

describe("personalConfig", () => {
  it("keeps only the declared names, a header's in any case, replacing the server's value once", () => {
    const remote = McpServerSchema.parse({
      transport: "http",
      url: "http://127.0.0.1:9/mcp",
      headers: { Authorization: "Bearer shared", "X-Team": "t" },
      own_credential_fields: ["authorization"],
    });
    const mine = personalConfig(remote, { env: {}, headers: { AUTHORIZATION: "Bearer mine", Host: "evil" } });
    expect(mine.transport === "http" && mine.headers).toEqual({ "X-Team": "t", AUTHORIZATION: "Bearer mine" });
    const stdio = McpServerSchema.parse({ command: "x", env: { A: "1" }, own_credential_fields: ["TOKEN"] });
    const own = personalConfig(stdio, { env: { TOKEN: "t", NODE_OPTIONS: "--import=x" }, headers: {} });
    expect(own.transport === "stdio" && own.env).toEqual({ A: "1", TOKEN: "t" });
  });
});
