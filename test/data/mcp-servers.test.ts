/** MCP servers and keys' own credentials kept in the database (src/data/mcp-servers.ts, mcp-credentials.ts), on both engines. */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anyCredentials } from "../../src/data/credentials.js";
import { Data } from "../../src/data/data.js";
import { NoMasterKey } from "../../src/data/keys.js";
import { McpCredentials } from "../../src/data/mcp-credentials.js";
import { InvalidMcpServer, MCP_REVISION, McpServerExists, McpServers } from "../../src/data/mcp-servers.js";
import { readRevision } from "../../src/data/revisions.js";
import { keyringOf } from "../../src/secrets/cipher.js";
import { ENGINES, type TestLocation } from "../support/engines.js";

const MASTER = "master-key-for-tests-0123456789";
const TOKEN = "ghp_secret-token-0123456789abcdef";

describe.each(ENGINES)("stored MCP servers on $engine", ({ fresh }) => {
  let where: TestLocation;
  let data: Data;
  let servers: McpServers;
  let creds: McpCredentials;
  const db = () => data.db();
  /** Every text the database holds for these tables, as one string (what someone with the database would read). */
  const atRest = async () => {
    const rows = [
      ...(await sql`select * from mcp_servers`.execute(await db())).rows,
      ...(await sql`select * from mcp_credentials`.execute(await db())).rows,
    ];
    return JSON.stringify(rows);
  };

  beforeAll(async () => {
    where = await fresh();
    data = new Data({ path: where.path, url: where.url });
    servers = new McpServers(db, keyringOf({ master_key: MASTER }));
    creds = new McpCredentials(db, keyringOf({ master_key: MASTER }));
  });
  afterAll(async () => {
    await data.close();
    await where.drop();
  });

  it("adds a server: settings in the clear (defaults filled in), its env sealed; the revision moves", async () => {
    const before = await readRevision(await db(), MCP_REVISION);
    expect(await anyCredentials(data)).toBe(false);
    const s = await servers.create("github", {
      command: "npx",
      args: ["-y", "server-github"],
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: TOKEN, LOG: "x" },
    });
    expect(s.settings).toMatchObject({ transport: "stdio", command: "npx", timeout_ms: 60_000 });
    expect(s.settings).not.toHaveProperty("env");
    expect(s.secrets).toEqual({ env: ["GITHUB_PERSONAL_ACCESS_TOKEN", "LOG"], headers: [] });
    expect(await readRevision(await db(), MCP_REVISION)).toBe(before + 1);
    expect(await atRest()).not.toContain(TOKEN);
    // Sealed secrets are stored: a start without secrets.master_key is refused (TeamParts.checkSecrets).
    expect(await anyCredentials(data)).toBe(true);
    expect((await servers.opened()).github).toMatchObject({
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: TOKEN, LOG: "x" },
    });
  });

  it("refuses a duplicate, a bad name and bad settings, naming the field", async () => {
    await expect(servers.create("github", { command: "x" })).rejects.toBeInstanceOf(McpServerExists);
    await expect(servers.create("a__b", { command: "x" })).rejects.toMatchObject({ field: "name" });
    const bad = await servers.create("bad", { transport: "http", url: "not a url" }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InvalidMcpServer);
    expect((bad as InvalidMcpServer).field).toBe("url");
    expect(await servers.get("bad")).toBeUndefined();
  });

  it("changes env by name (set, remove, keep) and settings; a move to http drops the stdio settings", async () => {
    const s = await servers.update("github", { env: { LOG: null, EXTRA: "e" }, timeout_ms: 5000 });
    expect(s?.secrets.env).toEqual(["EXTRA", "GITHUB_PERSONAL_ACCESS_TOKEN"]);
    expect(s?.settings.timeout_ms).toBe(5000);
    expect((await servers.opened()).github?.env).toEqual({ GITHUB_PERSONAL_ACCESS_TOKEN: TOKEN, EXTRA: "e" });
    const moved = await servers.update("github", {
      transport: "http",
      url: "https://mcp.example.com/mcp",
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(moved?.settings).not.toHaveProperty("command");
    expect(moved?.secrets).toEqual({ env: [], headers: ["Authorization"] });
    expect(await atRest()).not.toContain(TOKEN);
    expect(await servers.update("nothing", { timeout_ms: 1 })).toBeUndefined();
  });

  it("keeps keys' and teams' own credentials sealed, opened for their holders only", async () => {
    await creds.set("github", "key:key_a", { env: {}, headers: { Authorization: "Bearer personal-token-aaaa" } });
    await creds.set("github", "team:team_t", { env: {}, headers: { Authorization: "Bearer team-token-tttt" } });
    expect(await atRest()).not.toContain("personal-token-aaaa");
    const opened = await creds.opened(["key:key_a"]);
    expect(opened.get("github")?.get("key:key_a")?.headers.Authorization).toBe("Bearer personal-token-aaaa");
    expect(opened.get("github")?.has("team:team_t")).toBe(false);
    expect((await creds.list("github")).map((c) => [c.key_id, c.team_id, c.secrets.headers])).toEqual([
      ["key_a", null, ["Authorization"]],
      [null, "team_t", ["Authorization"]],
    ]);
    // Set again: replaced, not added.
    await creds.set("github", "key:key_a", { env: {}, headers: { Authorization: "Bearer personal-token-bbbb" } });
    expect((await creds.opened(["key:key_a"])).get("github")?.get("key:key_a")?.headers.Authorization).toBe(
      "Bearer personal-token-bbbb",
    );
    expect(await creds.delete("github", "team:team_t")).toBe(true);
    expect(await creds.delete("github", "team:team_t")).toBe(false);
  });

  it("re-seals under a new master key; removing a server removes its credentials", async () => {
    const rotated = new McpServers(
      db,
      keyringOf({ master_key: "a-new-master-key-987654321", previous_master_keys: [MASTER] }),
    );
    expect(await rotated.reseal()).toBe(2);
    expect(await rotated.reseal()).toBe(0);
    expect((await rotated.opened()).github?.headers).toEqual({ Authorization: `Bearer ${TOKEN}` });
    expect(await rotated.delete("github")).toBe(true);
    expect(await creds.list("github")).toEqual([]);
    expect(await rotated.delete("github")).toBe(false);
  });

  it("stores a server without secrets without a master key, and refuses secrets without one", async () => {
    const plain = new McpServers(db, undefined);
    await plain.create("plain", { command: "node", args: ["x.js"] });
    await expect(plain.create("sealed", { command: "node", env: { T: "v" } })).rejects.toBeInstanceOf(NoMasterKey);
    expect(Object.keys(await plain.opened())).toEqual(["plain"]);
  });
});
