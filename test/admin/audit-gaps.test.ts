/**
 * The audit log records every kind of change, on SQLite and PostgreSQL: price lists stored, MCP servers'
 * settings and credentials set and rotated, keys' credentials and secrets rotated, the master key rotation of
 * `llmux secrets rotate`, sign-ins (an admin key, a minted key, a refused key), and the settings a start or a
 * reload of the workers (SIGHUP) runs with; each with who, from where, when, before and after. Every secret
 * planted along the way is then looked for in every column of every row of the audit table: none is there.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/resolve.js";
import { Data } from "../../src/data/data.js";
import { recordSettingsAtStart } from "../../src/server/settings-audit.js";
import { BIN, llmux } from "../cli/run.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Body, Harness } from "../support/gateway.js";
import { ADMIN, admin, MASTER, teamHarness, within } from "../support/team.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `check` holds, looking every 50 ms (the test's own timeout bounds it). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await sleep(50);
}

const PLANTED = {
  keyCredential: "sk-ant-planted-key-credential-0001",
  mcpHeader: "Bearer planted-mcp-shared-token-0002",
  mcpHeaderRotated: "Bearer planted-mcp-rotated-token-0003",
  mcpOwn: "planted-mcp-own-credential-0004",
  refusedKey: "lx-planted-refused-sign-in-key-000000000000005",
  priceToken: "planted-presigned-token-0006",
  providerKey: "sk-planted-provider-key-0007",
  providerKeyRotated: "sk-planted-provider-key-rotated-0008",
  newMaster: "planted-new-master-key-0123456789-0009",
};

describe.each(ENGINES)("the audit log's coverage on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  const minted: string[] = [];
  const rows = async (action: string): Promise<Body[]> =>
    (await admin(h, "GET", `/audit?action=${action}&limit=100`)).body.rows;
  const store = () => (where.url ? { url: where.url } : { path: where.path });

  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where, {
      prices: { "claude-sonnet-4-5": { input: 3, output: 15 } },
      // Its MCP server is a placeholder on this host (never reached).
      mcp: { allow_private_addresses: true },
    });
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  it("records a price list stored, before and after, without the token of its URL", async () => {
    const body = {
      source: `https://prices.example.com/list.json?X-Amz-Signature=${PLANTED.priceToken}`,
      models: [{ id: "audit-model", input: 1, output: 2 }],
    };
    expect((await admin(h, "POST", "/prices", body)).status).toBe(201);
    expect(
      (await admin(h, "POST", "/prices", { ...body, models: [...body.models, { id: "m2", input: 1, output: 1 }] }))
        .status,
    ).toBe(201);
    const [second, first] = await rows("price_list.update");
    expect(first).toMatchObject({ actor: `admin key ${ADMIN.slice(0, 4)}…`, source: "api", target_type: "price_list" });
    expect(first!.before).toMatchObject({ version: 0, models: 0 });
    expect(first!.after).toMatchObject({ source: "https://prices.example.com/list.json", models: 1 });
    expect(second!.before).toMatchObject({ models: 1 });
    expect(second!.after).toMatchObject({ models: 2 });
  });

  it("records MCP servers' settings and credentials set, rotated and removed, never their values", async () => {
    const added = await admin(h, "POST", "/mcp/servers", {
      name: "remote",
      transport: "http",
      url: "http://127.0.0.1:9/mcp",
      headers: { Authorization: PLANTED.mcpHeader },
      own_credential_fields: ["Authorization"],
    });
    expect(added.status).toBe(201);
    const rotated = await admin(h, "PATCH", "/mcp/servers/remote", {
      headers: { Authorization: PLANTED.mcpHeaderRotated },
    });
    expect(rotated.status).toBe(200);
    const key = await admin(h, "POST", "/keys", { name: "mcp-user" });
    minted.push(key.body.key);
    const own = { key_id: key.body.id, headers: { Authorization: PLANTED.mcpOwn } };
    expect((await admin(h, "POST", "/mcp/servers/remote/credentials", own)).status).toBe(201);
    expect((await admin(h, "DELETE", `/mcp/servers/remote/credentials?key_id=${key.body.id}`)).status).toBe(200);
    expect((await rows("mcp_server.create"))[0]).toMatchObject({ target_type: "mcp_server", target_name: "remote" });
    const update = (await rows("mcp_server.update"))[0]!;
    expect(update.before).toMatchObject({ headers: { Authorization: { set: true } } });
    expect(await rows("mcp_credential.set")).toHaveLength(1);
    expect(await rows("mcp_credential.delete")).toHaveLength(1);
  });

  it("records a key's credentials and secret rotated, and sign-ins with an admin key, a minted key and a refused one", async () => {
    const key = await admin(h, "POST", "/keys", { name: "rotated", credentials: { anthropic: PLANTED.keyCredential } });
    minted.push(key.body.key);
    const rotated = await admin(h, "POST", `/keys/${key.body.id}/rotate`, { grace_s: 0 });
    minted.push(rotated.body.key);
    expect((await rows("key.rotate"))[0]).toMatchObject({ target_id: key.body.id, target_name: "rotated" });
    const signIn = (k: string) =>
      fetch(`${h.url}/ui/auth/key`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-llmux-ui": "1", "x-forwarded-for": "203.0.113.7" },
        body: JSON.stringify({ key: k }),
      });
    expect((await signIn(ADMIN)).status).toBe(200);
    expect((await signIn(rotated.body.key)).status).toBe(200);
    expect((await signIn(PLANTED.refusedKey)).status).toBe(401);
    const signIns = await rows("sign_in");
    expect(signIns.map((r) => [r.actor, r.outcome])).toEqual([
      [`key ${PLANTED.refusedKey.slice(0, 11)}…`, "refused"],
      ["rotated", "ok"],
      [`admin key ${ADMIN.slice(0, 4)}…`, "ok"],
    ]);
    for (const r of signIns) expect(r).toMatchObject({ source: "ui", via: expect.any(String) });
    expect(signIns[1]).toMatchObject({ target_id: key.body.id });
    // What each sign-in was given: a role (and a team admin's team), never the key.
    expect(signIns.map((r) => r.after)).toEqual([null, { role: "key", team: null }, { role: "admin", team: null }]);
    expect(signIns.map((r) => r.address)).toEqual(["203.0.113.7", "203.0.113.7", "203.0.113.7"]);
  });

  it("records llmux secrets rotate (the CLI on the store) with how many credentials it re-sealed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-audit-rotate-"));
    const file = join(dir, "llmux.yaml");
    writeFileSync(
      file,
      JSON.stringify({ store: store(), secrets: { master_key: PLANTED.newMaster, previous_master_keys: [MASTER] } }),
    );
    const run = await llmux(["secrets", "rotate", "-c", file], { USER: "ops" });
    expect(run.code, run.stderr).toBe(0);
    const [entry] = await rows("secrets.rotate");
    expect(entry).toMatchObject({ actor: "cli:ops", via: "cli", source: "cli", address: null, target_type: "secrets" });
    expect((entry!.after as Body).resealed).toBeGreaterThanOrEqual(1);
    expect((entry!.after as Body).master_key).toMatch(/^k[0-9a-f]{10}$/);
  }, 60_000);

  it("records the settings a start runs with when they changed (a rotated provider key included), and a SIGHUP reload of the workers", async () => {
    const dir = mkdtempSync(join(tmpdir(), "llmux-audit-settings-"));
    const file = join(dir, "llmux.yaml");
    const write = (apiKey: string, port: number) =>
      writeFileSync(
        file,
        JSON.stringify({
          store: store(),
          server: { port },
          secrets: { master_key: PLANTED.newMaster },
          providers: { up: { type: "openai", base_url: `${h.mock.url}/v1`, api_key: apiKey, api: "chat" } },
          models: { m: { provider: "up", model: "gpt-4o-mini" } },
        }),
      );
    const data = new Data({ path: where.path, url: where.url });
    try {
      write(PLANTED.providerKey, 4801);
      const load = (env = {}) => resolveConfig({ config: file }, env).config;
      expect(await recordSettingsAtStart(data, load(), file)).toBe(true);
      // The same settings again: nothing recorded.
      expect(await recordSettingsAtStart(data, load(), file)).toBe(false);
      // The provider's key rotated: its section's fingerprint moves (the key itself is in no row).
      write(PLANTED.providerKeyRotated, 4801);
      expect(await recordSettingsAtStart(data, load(), file)).toBe(true);
      const change = (await rows("settings.change"))[0]!;
      expect(change).toMatchObject({ target_type: "settings", target_name: file, source: "cli" });
      const changedSections = Object.keys(change.after as Body).filter(
        (k) => (change.before as Body)[k] !== (change.after as Body)[k],
      );
      expect(changedSections).toEqual(["providers"]);
      expect((await rows("settings.load")).length).toBe(1);
    } finally {
      await data.close();
    }

    // llmux start --workers 2: SIGHUP reloads the workers with the file read again; the primary records it.
    write(PLANTED.providerKeyRotated, 0);
    let child: ChildProcess | undefined;
    let out = "";
    try {
      child = spawn(process.execPath, [BIN, "start", "--workers", "2", "-c", file, "--port", "0"], {
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", USER: "ops" },
      });
      child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
      child.stderr!.on("data", (b: Buffer) => (out += b.toString()));
      // Each wait ends on the event it waits for (a line of the primary's, or its exit); one that does not come
      // within 50 s fails with what llmux said (a worker that did not start or stop), not as the test's timeout.
      // Ended: by itself (exitCode) or by a signal (signalCode; exitCode stays null).
      const ended = () => child!.exitCode !== null || child!.signalCode !== null;
      const said = async (line: RegExp) => {
        const end = Date.now() + 50_000;
        await until(() => line.test(out) || ended() || Date.now() > end);
        if (!line.test(out))
          throw new Error(
            `llmux ${ended() ? `ended (${child!.signalCode ?? `exit status ${child!.exitCode}`})` : "was still running 50 s later"} before saying ${line}:\n${out}`,
          );
      };
      await said(/workers serving one port/);
      write(PLANTED.providerKey, 0);
      child.kill("SIGHUP");
      await said(/workers reloaded/);
      expect(await within(10_000, async () => (await rows("settings.reload")).length === 1), out).toBe(true);
      const reload = (await rows("settings.reload"))[0]!;
      expect(reload.actor).toMatch(/^llmux on .+ \(ops\)$/);
      const moved = Object.keys(reload.after as Body).filter(
        (k) => (reload.before as Body)[k] !== (reload.after as Body)[k],
      );
      expect(moved).toEqual(["providers"]);
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child!.once("exit", r));
        child.kill("SIGTERM");
        // A stop that does not end in its own grace is a failure of its own, named with what llmux said.
        const stopped = await Promise.race([exited.then(() => true), sleep(40_000).then(() => false)]);
        if (!stopped) child.kill("SIGKILL");
        expect(stopped, `llmux --workers 2 did not stop on SIGTERM:\n${out}`).toBe(true);
      }
    }
  }, 120_000);

  it("holds none of the secrets planted above, in any column of any row", async () => {
    const data = new Data({ path: where.path, url: where.url });
    try {
      const all = await (await data.db()).selectFrom("audit_log").selectAll().execute();
      expect(all.length).toBeGreaterThan(15);
      const text = JSON.stringify(all);
      for (const [name, secret] of Object.entries(PLANTED)) expect(text, name).not.toContain(secret);
      expect(text).not.toContain(MASTER);
      expect(text).not.toContain(ADMIN);
      for (const k of minted) expect(text).not.toContain(k);
    } finally {
      await data.close();
    }
  });
});
