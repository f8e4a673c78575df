/** `llmux keys|teams|secrets` on the store directly (server down) and through --url, tables and --json. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshSqlite, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { ADMIN, chat, MASTER, teamHarness } from "../support/team.js";
import { llmux } from "./run.js";

function configFile(content: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), "llmux-cli-")), "llmux.yaml");
  writeFileSync(file, JSON.stringify(content));
  return file;
}

describe("the keys, teams and secrets commands", { timeout: 120_000 }, () => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await freshSqlite();
    h = await teamHarness(where);
  });
  afterAll(async () => {
    await h.close();
  });

  it("a --credential without PROVIDER= is a usage error that never echoes the secret", async () => {
    const secret = "sk-ant-planted-cli-secret-0123456789";
    const r = await llmux(["keys", "create", "--url", h.url, "--name", "k", "--credential", secret], {
      LLMUX_ADMIN_KEY: ADMIN,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--credential must be PROVIDER=SECRET");
    expect(r.stdout + r.stderr).not.toContain(secret);
    expect(r.stdout + r.stderr).not.toContain("sk-ant-planted");
  });

  it("mints, lists, shows and revokes through a running server (--url), in tables and JSON", async () => {
    const env = { LLMUX_ADMIN_KEY: ADMIN };
    const team = await llmux(
      ["teams", "create", "--url", h.url, "--name", "cli-team", "--model", "via-openai-*", "--json"],
      env,
    );
    expect(team.code, team.stderr).toBe(0);
    const teamId = JSON.parse(team.stdout).id as string;
    const created = await llmux(
      ["keys", "create", "--url", h.url, "--name", "cli-key", "--team", teamId, "--user", "bob", "--json"],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; key: string; prefix: string };
    h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
    expect((await chat(h, key.key, "via-openai-chat")).status).toBe(200);

    const table = await llmux(["keys", "list", "--url", h.url, "--team", teamId], env);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^name\s+id\s+team\s+user\s+state\s+spend/);
    expect(lines[1]).toContain(key.id);
    expect(lines[1]).toContain("bob");
    // The team by its name, not its id.
    expect(lines[1]).toContain("cli-team");
    expect(table.stdout).not.toContain(key.key);

    const bad = await llmux(["keys", "create", "--url", h.url, "--name", "x", "--expires", "soon"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--expires must be a date/);

    expect((await llmux(["keys", "revoke", "--url", h.url, key.id], env)).code).toBe(0);
    expect((await chat(h, key.key, "via-openai-chat")).status).toBe(401);
    const missing = await llmux(["keys", "show", "--url", h.url, key.id], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404/);
  });

  it("works on the store directly with the server down, and secrets rotate re-seals credentials", async () => {
    const store = freshPath();
    const first = configFile({ store: { path: store }, secrets: { master_key: MASTER } });
    const created = await llmux([
      "keys",
      "create",
      "-c",
      first,
      "--name",
      "byok",
      "--credential",
      "anthropic=sk-ant-cli-1",
      "--json",
    ]);
    expect(created.code, created.stderr).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; credentials: string[] };
    expect(key.credentials).toEqual(["anthropic"]);
    const shown = await llmux(["keys", "show", "-c", first, key.id]);
    expect(shown.stdout).toContain("byok");
    expect(shown.stdout).not.toContain("sk-ant-cli-1");

    const NEW = "a-new-master-key-0123456789";
    const rotating = configFile({
      store: { path: store },
      secrets: { master_key: NEW, previous_master_keys: [MASTER] },
    });
    const r = await llmux(["secrets", "rotate", "-c", rotating]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/re-sealed 1 credential/);
    expect((await llmux(["secrets", "rotate", "-c", rotating])).stdout).toMatch(/re-sealed 0 credentials/);

    // Without the old master key, and without any master key.
    const after = configFile({ store: { path: store }, secrets: { master_key: NEW } });
    const list = await llmux(["keys", "list", "-c", after, "--json"]);
    expect(JSON.parse(list.stdout).data[0].credentials).toEqual(["anthropic"]);
    const none = await llmux(["start", "-c", configFile({ store: { path: store } }), "--port", "0"]);
    expect(none.code).not.toBe(0);
    expect(none.stderr + none.stdout).toMatch(/secrets\.master_key is not set/);
  });
});

function freshPath(): string {
  return join(mkdtempSync(join(tmpdir(), "llmux-cli-store-")), "llmux.db");
}
