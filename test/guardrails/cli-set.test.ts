/**
 * `llmux guardrails set | reset | show` against a running llmux (--url, an admin key): the options change what
 * is stored for the scope (what was stored before is kept), the gateway applies it at once, a mistake names
 * the option, and the audit log says the change came from the CLI.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { guardrailsCommand } from "../../src/cli/guardrails.js";
import { freshSqlite, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { ADMIN, admin, call, SERVICE, teamHarness } from "../support/team.js";
import { planted } from "./planted.js";

const TOKEN = planted("cli-set").find((p) => p.rule === "github-pat")!;
const sub = (name: string) => guardrailsCommand.subcommands!.find((c) => c.name === name)!;

async function cli(name: string, h: Harness, values: Record<string, string | boolean | string[]> = {}) {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((c) => {
    out += String(c);
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((c) => {
    err += String(c);
    return true;
  });
  try {
    const code = await sub(name).run!({ values: { url: h.url, "admin-key": ADMIN, ...values }, args: [], env: {} });
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe("llmux guardrails set / reset / show", () => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await freshSqlite();
    h = await teamHarness(where, { guardrails: { enabled: true, actions: { secrets: "warn" } } });
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    await where?.drop();
  });

  const ask = async () =>
    (
      await call(h.url, "POST", "/v1/chat/completions", SERVICE, {
        model: "via-openai-chat",
        messages: [{ role: "user", content: TOKEN.text }],
      })
    ).status;

  it("sets the gateway's policy option by option, keeping what was set before; reset puts the file's back", async () => {
    expect(await ask()).toBe(200);
    const first = await cli("set", h, { secrets: "block" });
    expect(first.code, first.err).toBe(0);
    expect(first.out).toContain("secrets block");
    expect(await ask()).toBe(400);
    const second = await cli("set", h, { "detect-pii": "on", rule: ["acme-token=acme_([0-9]{6})"] });
    expect(second.code, second.err).toBe(0);
    const shown = await cli("show", h, { json: true });
    const policy = JSON.parse(shown.out);
    expect(policy.stored.gateway).toEqual({
      actions: { secrets: "block" },
      pii: true,
      rules: [{ id: "acme-token", pattern: "acme_([0-9]{6})" }],
    });
    expect(await ask()).toBe(400);
    expect((await cli("reset", h)).code).toBe(0);
    expect(await ask()).toBe(200);
    const audit = (await admin(h, "GET", "/audit?limit=20")).body.rows as Record<string, unknown>[];
    expect(audit.find((r) => r.action === "guardrails.update")).toMatchObject({ source: "cli" });
  });

  it("a team named by its name: its policy kept under its id, option by option", async () => {
    const team = await admin(h, "POST", "/teams", { name: "cli-team" });
    expect((await cli("set", h, { team: "cli-team", secrets: "block" })).code).toBe(0);
    const second = await cli("set", h, { team: "cli-team", "dry-run": "on", json: true });
    expect(second.code, second.err).toBe(0);
    expect(JSON.parse(second.out).stored.teams).toEqual({
      [team.body.id]: { actions: { secrets: "block" }, dry_run: true },
    });
    expect((await cli("reset", h, { team: "cli-team" })).code).toBe(0);
  });

  it("refuses a mistake naming the option", async () => {
    const bad = await cli("set", h, { secrets: "shred" }).catch((e: Error) => ({ code: 2, out: "", err: e.message }));
    expect(bad.err).toContain("--secrets");
    const both = await cli("set", h, { team: "a", key: "b" }).catch((e: Error) => ({
      code: 2,
      out: "",
      err: e.message,
    }));
    expect(both.err).toContain("at most one of --team, --key, --model");
    const alias = await cli("set", h, { model: "no-such-alias", "dry-run": "on" });
    expect(alias.code).toBe(1);
    expect(alias.err).toContain("alias");
  });
});
