/**
 * The audit log on SQLite and PostgreSQL: every change through the admin API (and the CLI on the store, and
 * web UI sign-ins) is recorded with who, from where, what (before and after) and when; never a secret; and
 * nothing can change or delete an entry through the API.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llmux } from "../cli/run.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { ADMIN, admin, call, MASTER, teamHarness } from "../support/team.js";

describe.each(ENGINES)("the audit log on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where);
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  it("records who changed what, from where, before and after, never a secret", async () => {
    const team = await admin(h, "POST", "/teams", { name: "data" });
    const minted = await admin(h, "POST", "/keys", {
      name: "alice-laptop",
      team_id: team.body.id,
      credentials: { anthropic: "sk-ant-planted-audit-secret-0123" },
    });
    expect(minted.status).toBe(201);
    expect((await admin(h, "PATCH", `/keys/${minted.body.id}`, { budget: { usd: 5, period: "day" } })).status).toBe(
      200,
    );
    const rotated = await admin(h, "POST", `/keys/${minted.body.id}/rotate`, { grace_s: 0 });
    expect((await admin(h, "DELETE", `/keys/${minted.body.id}`)).status).toBe(200);
    // A sign-in to the web UI with an admin key (the UI is on by default).
    const signIn = await fetch(`${h.url}/ui/auth/key`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-llmux-ui": "1" },
      body: JSON.stringify({ key: ADMIN }),
    });
    expect(signIn.status).toBe(200);

    const log = await admin(h, "GET", "/audit?limit=100");
    expect(log.status).toBe(200);
    const rows = log.body.rows as Record<string, unknown>[];
    expect(rows.map((r) => r.action)).toEqual([
      "sign_in",
      "key.revoke",
      "key.rotate",
      "key.update",
      "key.create",
      "team.create",
    ]);
    for (const r of rows) {
      expect(r).toMatchObject({ actor: `admin key ${ADMIN.slice(0, 4)}…`, via: "admin_key", outcome: "ok" });
      expect(r.address).toMatch(/127\.0\.0\.1/);
      expect(Date.parse(r.time as string)).toBeGreaterThan(Date.now() - 120_000);
    }
    expect(rows[0]).toMatchObject({ source: "ui" });
    expect(rows[1]).toMatchObject({
      source: "api",
      target_type: "key",
      target_id: minted.body.id,
      target_name: "alice-laptop",
    });
    const update = rows.find((r) => r.action === "key.update")!;
    expect(update.before).toMatchObject({ budget: null, team_id: team.body.id });
    expect(update.after).toMatchObject({ budget: { usd: 5, period: "day" } });
    expect(update.team_id).toBe(team.body.id);
    const created = rows.find((r) => r.action === "key.create")!;
    expect(created.after).toMatchObject({ name: "alice-laptop", credentials: ["anthropic"] });
    // Never a secret: not the minted key, not the rotated one, not the stored credential.
    const text = JSON.stringify(log.body);
    expect(text).not.toContain(minted.body.key);
    expect(text).not.toContain(rotated.body.key);
    expect(text).not.toContain("sk-ant-planted");
    // Filtered by target; and entries are not changed or deleted through the API.
    const mine = await admin(h, "GET", `/audit?target_id=${minted.body.id}`);
    expect(mine.body.rows.map((r: { action: string }) => r.action)).toEqual([
      "key.revoke",
      "key.rotate",
      "key.update",
      "key.create",
    ]);
    expect((await admin(h, "DELETE", "/audit")).status).toBe(405);
    // A key holder may not read it.
    const other = await admin(h, "POST", "/keys", { name: "reader" });
    expect((await call(h.url, "GET", "/admin/v1/audit", other.body.key)).status).toBe(403);
  });

  it("records the CLI's changes on the store directly as the operating system's user, and llmux audit shows them", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "llmux-audit-")), "llmux.yaml");
    writeFileSync(
      file,
      JSON.stringify({ store: where.url ? { url: where.url } : { path: where.path }, secrets: { master_key: MASTER } }),
    );
    const made = await llmux(["teams", "create", "--name", "cli-made", "-c", file], { USER: "lead" });
    expect(made.code, made.stderr).toBe(0);
    const shown = await llmux(["audit", "-c", file, "--action", "team.create"], { USER: "lead" });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout.split("\n")[0]).toMatch(/^time\s+actor\s+from\s+action\s+target\s+changed/);
    expect(shown.stdout).toMatch(/cli:lead\s+cli\s+team\.create\s+cli-made/);
    const api = (await admin(h, "GET", "/audit?action=team.create")).body.rows;
    expect(api[0]).toMatchObject({
      actor: "cli:lead",
      via: "cli",
      source: "cli",
      address: null,
      target_name: "cli-made",
    });
  }, 120_000);
});
