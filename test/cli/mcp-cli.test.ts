/** `llmux mcp`: servers and keys' own credentials through a running server (--url) and on the store directly. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshSqlite, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { EVERYTHING, mcpClient, textOf } from "../support/mcp-servers.js";
import { ADMIN, admin, MASTER, teamHarness } from "../support/team.js";
import { emptyDir, llmux } from "./run.js";

const TOKEN = "cli-secret-token-0123456789";

// Each case runs the built command a few times: bounded by the describe's safety net, not by a loaded machine's
// speed (30 s per case timed out under load).
describe("llmux mcp", { timeout: 120_000 }, () => {
  let where: TestLocation;
  let h: Harness;
  const env = { LLMUX_ADMIN_KEY: ADMIN };
  beforeAll(async () => {
    where = await freshSqlite();
    h = await teamHarness(where);
    await h.gateway.open();
  });
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  it("adds a server with a secret env value, shown as set, never printed", async () => {
    const r = await llmux(
      [
        "mcp",
        "add",
        "tools",
        "--url",
        h.url,
        "--command",
        process.execPath,
        "--arg",
        EVERYTHING,
        "--arg",
        "stdio",
      ].concat([
        ...["--env", `TOKEN=${TOKEN}`, "--env", "WHO=shared", "--deny", "get-tiny-image"],
        ...["--own-credential-field", "WHO"],
      ]),
      env,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^secrets\s+TOKEN \(set\), WHO \(set\)$/m);
    expect(r.stdout).not.toContain(TOKEN);
    const list = await llmux(["mcp", "list", "--url", h.url], env);
    expect(list.stdout).toMatch(/^tools\s+api\s+stdio\s+\S+\s+ready\s+\d+$/m);
  });

  it("sets a key's own credential by the key's name; the key's calls use it", async () => {
    const minted = (await admin(h, "POST", "/keys", { name: "ada" })).body;
    const r = await llmux(
      ["mcp", "credentials", "set", "tools", "--key", "ada", "--env", "WHO=ada", "--url", h.url],
      env,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Credential for tools set (WHO)");
    const c = await mcpClient(h.url, minted.key);
    const got = JSON.parse(textOf(await c.callTool({ name: "tools__get-env", arguments: {} }))) as Record<
      string,
      string
    >;
    await c.close();
    expect(got.WHO).toBe("ada");
    const held = await llmux(["mcp", "credentials", "list", "tools", "--url", h.url], env);
    expect(held.stdout).toContain(minted.id);
  });

  it("on the store directly (the server running): the change reaches the server at its next poll", async () => {
    const dir = emptyDir();
    const config = join(dir, "llmux.yaml");
    writeFileSync(config, `store:\n  path: ${where.path}\nsecrets:\n  master_key: ${MASTER}\n`);
    const r = await llmux(["mcp", "update", "tools", "--deny", "echo", "-c", config], {}, dir);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // The server learns it at its next poll of the store's `mcp` revision (not a number of seconds).
    await h.gateway.mcp!.current!.stored!.nextPoll();
    const offered = async () =>
      (await admin(h, "GET", "/mcp/servers")).body.data[0].tools.find((t: { name: string }) => t.name === "echo")
        ?.offered;
    expect(await offered()).toBe(false);
    const removed = await llmux(["mcp", "remove", "tools", "--url", h.url], env);
    expect(removed.stdout).toBe("MCP server tools removed.\n");
    expect((await admin(h, "GET", "/mcp/servers")).body.data).toEqual([]);
  });

  it("says what is wrong with a secret given without a value, without echoing it", async () => {
    const r = await llmux(["mcp", "add", "x", "--command", "node", "--env", TOKEN, "--url", h.url], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--env must be NAME=VALUE");
    expect(r.stderr).not.toContain(TOKEN);
  });
});
