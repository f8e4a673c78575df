/**
 * `llmux models`, `llmux providers` and `llmux config`: model aliases and providers stored at runtime through a
 * running llmux (--url), in force at once, the merged configuration exported as YAML with the credential
 * sealed, the history, and a roll-back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { freshSqlite, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { ADMIN, SERVICE, teamHarness } from "../support/team.js";
import { llmux } from "./run.js";

const PLANTED = "sk-cli-planted-5e1d0c9a";

describe("llmux models / providers / config", { timeout: 120_000 }, () => {
  let where: TestLocation;
  let h: Harness;
  const env = { LLMUX_ADMIN_KEY: ADMIN, TEAM_KEY: PLANTED };
  beforeAll(async () => {
    where = await freshSqlite();
    h = await teamHarness(where);
    await h.gateway.open();
  });
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  const status = (model: string) =>
    fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${SERVICE}`, "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
    }).then((r) => r.status);

  it("adds a provider and a model, lists them beside llmux.yaml's, exports, rolls back", async () => {
    const url = ["--url", h.url];
    const p = await llmux(
      ["providers", "add", "team-openai", "--type", "openai", "--api", "chat", ...url, "--api-key-env", "TEAM_KEY"],
      env,
    );
    // --api is not an option: said so, nothing stored.
    expect(p.code).toBe(2);
    const added = await llmux(
      [
        ...["providers", "add", "team-openai", "--type", "openai", "--api-key-env", "TEAM_KEY"],
        ...["--base-url", `${h.mock.url}/v1`, "--settings", "{api: chat}", ...url],
      ],
      env,
    );
    expect(added.stderr).toBe("");
    expect(added.code).toBe(0);
    expect(added.stdout).toContain("[sealed]");
    const m = await llmux(
      ["models", "add", "team-fast", "--provider", "team-openai", "--model", "gpt-4.1", ...url],
      env,
    );
    expect(m.code, m.stderr).toBe(0);
    expect(await status("team-fast")).toBe(200);
    expect(h.mock.requests.at(-1)!.headers.authorization).toBe(`Bearer ${PLANTED}`);
    const bad = await llmux(["models", "add", "broken", "--provider", "ghost", ...url], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("models.broken.provider: no provider named 'ghost'");
    const list = await llmux(["models", "list", ...url], env);
    expect(list.stdout).toMatch(/^team-fast\s+stored\s+2\s/m);
    expect(list.stdout).toMatch(/^via-gemini\s+llmux\.yaml\s+-\s/m);
    const set = await llmux(["models", "set", "team-fast", "--settings", "max_tokens: 64", ...url], env);
    expect(set.code, set.stderr).toBe(0);
    const exported = await llmux(["config", "export", ...url], env);
    expect(exported.code).toBe(0);
    expect(exported.stdout).not.toContain(PLANTED);
    expect(exported.stdout).not.toContain("an-key");
    const yaml = parse(exported.stdout) as { providers: Record<string, { api_key?: string }>; models: object };
    expect(yaml.providers["team-openai"]!.api_key).toBe("[sealed]");
    expect(yaml.models).toMatchObject({ "team-fast": { provider: "team-openai", max_tokens: 64 } });
    const history = await llmux(["config", "history", ...url], env);
    expect(history.stdout).toMatch(/^3\s.*put models team-fast$/m);
    const back = await llmux(["config", "rollback", "1", ...url], env);
    expect(back.stdout).toContain("rolled back to version 1: now version 4");
    expect(await status("team-fast")).toBe(404);
    const rm = await llmux(["providers", "rm", "team-openai", ...url], env);
    expect(rm.code, rm.stderr).toBe(0);
    for (const r of [p, added, m, bad, list, set, exported, history, back, rm])
      expect(r.stdout + r.stderr).not.toContain(PLANTED);
  });
});
