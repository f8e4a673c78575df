/**
 * A launcher warns before the tool starts when the key's allow-lists (its own, its team's) exclude the names
 * the tool will ask for: Claude Code's default names, or those given with --model / --small-model.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allowListWarning, excludedNames, keyAllowLists } from "../../src/launch/allow-check.js";
import { DEFAULT_MODELS } from "../../src/launch/default-models.js";
import { freshSqlite } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { type Home, launch, makeHome, removeHome } from "../support/launch.js";
import { admin, teamHarness } from "../support/team.js";
import { writeStandIns } from "./stand-in.js";

describe("the allow-list check of the launchers", () => {
  it("names each excluded name, the allow-lists and what to do", () => {
    const lists = { key: ["claude-sonnet-*"], team: { name: "data", models: ["claude-*", "gpt-low"] } };
    expect(excludedNames(["claude-opus-4-8", "claude-sonnet-4-5", "claude-haiku-4-5"], lists)).toEqual([
      "claude-opus-4-8",
      "claude-haiku-4-5",
    ]);
    expect(allowListWarning("Claude Code", ["claude-opus-4-8", "claude-haiku-4-5"], lists, true)).toBe(
      "warning: this key may not use 'claude-opus-4-8' and 'claude-haiku-4-5', which Claude Code asks for by default (allow-list: claude-sonnet-*; team data: claude-*, gpt-low); llmux will refuse them (403). Give allowed names with --model (and --small-model), or ask your llmux administrator to widen the allow-list.",
    );
    expect(allowListWarning("Claude Code", ["claude-sonnet-4-5"], lists, false)).toBeUndefined();
    expect(allowListWarning("Codex CLI", ["gpt-5.5"], { key: null, team: null }, false)).toBeUndefined();
  });
});

describe("llmux claude with a minted key whose allow-list excludes Claude Code's default names", {
  timeout: 60_000,
}, () => {
  let h: Harness;
  let home: Home;
  let bin: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const where = await freshSqlite();
    drop = where.drop;
    h = await teamHarness(where, (mockUrl) => ({
      providers: { anthropic: { type: "anthropic", base_url: mockUrl, api_key: "k" } },
      models: {
        "claude-*": { provider: "anthropic" },
        "gpt-low": { provider: "anthropic", model: "claude-haiku-4-5" },
      },
    }));
    home = makeHome();
    bin = writeStandIns(join(home.root, "bin"));
  });
  afterAll(async () => {
    await h?.close();
    await drop?.();
    removeHome(home);
  });

  it("warns on stderr before the tool starts, and says nothing for a key that may use them", async () => {
    const team = await admin(h, "POST", "/teams", { name: "data", models: ["claude-sonnet-*", "gpt-low"] });
    const narrow = await admin(h, "POST", "/keys", { name: "narrow", team_id: team.body.id });
    expect(await keyAllowLists(h.url, narrow.body.key)).toEqual({
      key: null,
      team: { name: "data", models: ["claude-sonnet-*", "gpt-low"] },
    });
    const out = join(home.root, "rec.json");
    const env = { FAKE_OUT: out };
    const r = await launch(home, ["claude", "--url", h.url, "--key", narrow.body.key], { path: [bin], env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `llmux: warning: this key may not use '${DEFAULT_MODELS.claude.model}' and '${DEFAULT_MODELS.claude.small}', which Claude Code asks for by default (allow-list: team data: claude-sonnet-*, gpt-low)`,
    );
    const given = await launch(
      home,
      ["claude", "--url", h.url, "--key", narrow.body.key, "--model", "claude-sonnet-4-5", "--small-model", "gpt-low"],
      { path: [bin], env },
    );
    expect(given.code, given.stderr).toBe(0);
    expect(given.stderr).not.toContain("warning:");
    const wide = await admin(h, "POST", "/keys", { name: "wide" });
    const free = await launch(home, ["claude", "--url", h.url, "--key", wide.body.key], { path: [bin], env });
    expect(free.code, free.stderr).toBe(0);
    expect(free.stderr).not.toContain("warning:");
  });
});
