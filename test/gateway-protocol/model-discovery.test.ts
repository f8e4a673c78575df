/**
 * Gateway protocol, "Model discovery" and the startup probe: `GET /v1/models?limit=1000` answers directly
 * (no redirect) in Anthropic's shape, `id` and `display_name`, to `x-api-key` or a bearer token, and lists
 * only the models the key may use; `HEAD /api/hello` is answered without a key.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { admin, SERVICE, teamHarness } from "../support/team.js";

describe.each(ENGINES)("model discovery on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where, {
      models: {
        "claude-sonnet-4-6": { provider: "anthropic", model: "claude-sonnet-4-6" },
        "claude-opus-4-6": { provider: "anthropic", model: "claude-opus-4-6" },
        "claude-via-gpt": { provider: "azure-responses", model: "gpt-5-codex" },
      },
    });
    const team = await admin(h, "POST", "/teams", { name: "discovery", models: ["claude-*", "via-openai-chat"] });
    const minted = await admin(h, "POST", "/keys", {
      name: "dev",
      user: "dev",
      team_id: team.body.id,
      models: ["claude-sonnet-*", "claude-via-gpt", "via-openai-chat"],
    });
    key = minted.body.key;
  });
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  const discover = (headers: Record<string, string>) =>
    fetch(`${h.url}/v1/models?limit=1000`, { headers, redirect: "manual" });

  it("lists only the key's models, in Anthropic's shape, to x-api-key as Claude Code sends it", async () => {
    const res = await discover({ "x-api-key": key });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: { id: string; display_name: string; type: string }[] };
    expect(body.data.map((m) => m.id).sort()).toEqual(["claude-sonnet-4-6", "claude-via-gpt", "via-openai-chat"]);
    for (const m of body.data) {
      expect(m.type).toBe("model");
      expect(m.display_name).toBe(m.id);
    }
  });

  it("answers a bearer token the same way", async () => {
    const res = await discover({ authorization: `Bearer ${key}`, "anthropic-version": "2023-06-01" });
    const body = (await res.json()) as { data: { id: string }[] };
    expect(body.data.map((m) => m.id).sort()).toEqual(["claude-sonnet-4-6", "claude-via-gpt", "via-openai-chat"]);
  });

  it("lists every configured model to a service key, and refuses a request without a key", async () => {
    const all = (await (await discover({ "x-api-key": SERVICE })).json()) as { data: { id: string }[] };
    expect(all.data.map((m) => m.id)).toEqual(expect.arrayContaining(["claude-opus-4-6", "via-gemini"]));
    expect((await discover({})).status).toBe(401);
  });

  it("answers HEAD /api/hello without a key or a body", async () => {
    const res = await fetch(`${h.url}/api/hello`, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });
});
