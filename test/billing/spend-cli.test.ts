/** `llmux spend`, through a running server (--url) and on the store directly with the server down. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llmux } from "../cli/run.js";
import { freshSqlite, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { ADMIN, call, chat, MASTER, teamHarness } from "../support/team.js";

describe("llmux spend", () => {
  let where: TestLocation;
  let h: Harness;
  let keyId: string;
  beforeAll(async () => {
    where = await freshSqlite();
    h = await teamHarness(where);
    const minted = await call(h.url, "POST", "/admin/v1/keys", ADMIN, { name: "spender" });
    keyId = minted.body.id;
    for (let i = 0; i < 3; i++) expect((await chat(h, minted.body.key, "via-openai-chat")).status).toBe(200);
    // Written within moments of each answer.
    for (let t = 0; t < 100; t++) {
      const s = await call(h.url, "GET", "/admin/v1/spend?group_by=key", ADMIN);
      if (s.body.rows.some((r: { group: string; requests: number }) => r.group === keyId && r.requests === 3)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(async () => {
    await h.close();
  });

  it("prints a table through --url, grouped as asked", async () => {
    const r = await llmux(["spend", "--url", h.url, "--by", "model"], { LLMUX_ADMIN_KEY: ADMIN });
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^model\s+alias\s+upstream_model\s+requests\s+refused\s+input_tokens/);
    expect(r.stdout).toMatch(/via-openai-chat\s+via-openai-chat\s+gpt-4\.1\s+3\s+0\s/);
  });

  it("--by kind: the chat calls as generate", async () => {
    const r = await llmux(["spend", "--url", h.url, "--by", "kind"], { LLMUX_ADMIN_KEY: ADMIN });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^kind\s+requests\s+refused\s+input_tokens/);
    expect(r.stdout).toMatch(/^generate\s+3\s+0\s/m);
  });

  it("reads the store directly with --json (the server may be down)", async () => {
    await h.close();
    const file = join(mkdtempSync(join(tmpdir(), "llmux-spend-")), "llmux.yaml");
    writeFileSync(
      file,
      JSON.stringify({ store: { path: where.path }, admin: { keys: [ADMIN] }, secrets: { master_key: MASTER } }),
    );
    const r = await llmux(["spend", "--config", file, "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { rows: { group: string; requests: number; cost_usd: number }[] };
    const mine = out.rows.find((x) => x.group === keyId)!;
    expect(mine.requests).toBe(3);
    expect(mine.cost_usd).toBeGreaterThan(0);
  });

  it("refuses an unknown grouping, naming the option", async () => {
    const r = await llmux(["spend", "--by", "colour"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--by must be one of key, team, model, user, day, kind/);
  });
});
