/**
 * `llmux models deployments list|add|rm`: one deployment of a model alias at a time, through a running llmux
 * (--url); the change in force at once, a bad one refused with its field named, in the history.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshSqlite, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { ADMIN, SERVICE, teamHarness } from "../support/team.js";
import { llmux } from "./run.js";

describe("llmux models deployments", { timeout: 120_000 }, () => {
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

  const route = async (model: string) => {
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${SERVICE}`, "content-type": "application/json" },
      body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
    });
    await res.arrayBuffer();
    return `${res.status} ${(res.headers.get("llmux-route") ?? "").split(/[ ;]/)[0]}`;
  };

  it("lists, adds (a bad one refused naming its field), replaces and removes a deployment", async () => {
    const url = ["--url", h.url];
    const list = await llmux(["models", "deployments", "list", "via-gemini", ...url], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^gemini\/gemini-2\.5-pro\s+gemini\s+gemini-2\.5-pro\s/m);
    const bad = await llmux(["models", "deployments", "add", "via-gemini", "eu", "--provider", "ghost", ...url], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("models.via-gemini.deployments.eu.provider: no provider named 'ghost'");
    const noProvider = await llmux(["models", "deployments", "add", "via-gemini", ...url], env);
    expect(noProvider.code).toBe(2);
    const added = await llmux(
      ["models", "deployments", "add", "via-gemini", "--provider", "openai-chat", "--model", "gpt-4.1", ...url],
      env,
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^name\s+openai-chat\/gpt-4\.1$/m);
    expect(added.stdout).toMatch(/^added\s+true$/m);
    expect(added.stderr).toContain("note: models.via-gemini is also llmux.yaml's");
    const heavier = await llmux(
      ["models", "deployments", "add", "via-gemini", "openai-chat/gpt-4.1", "--provider", "openai-chat"].concat([
        "--model",
        "gpt-4.1",
        "--weight",
        "3",
        "--json",
        ...url,
      ]),
      env,
    );
    expect(heavier.code, heavier.stderr).toBe(0);
    expect(JSON.parse(heavier.stdout)).toMatchObject({ added: false, settings: { weight: 3 } });
    const rm = await llmux(["models", "deployments", "rm", "via-gemini", "gemini/gemini-2.5-pro", ...url], env);
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stdout).toMatch(/^deployment gemini\/gemini-2\.5-pro removed from via-gemini \(version \d+\)$/m);
    expect(await route("via-gemini")).toBe("200 openai-chat/gpt-4.1");
    const last = await llmux(["models", "deployments", "rm", "via-gemini", "openai-chat/gpt-4.1", ...url], env);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain("last deployment");
    const history = await llmux(["config", "history", ...url], env);
    expect(history.stdout).toContain("delete deployment gemini/gemini-2.5-pro of models via-gemini");
    const help = await llmux(["models", "--help"], env);
    expect(help.stdout).toMatch(/^\s+deployments\s+List, add \(or replace\) and remove one deployment/m);
  });
});
