/**
 * The labels of `llmux-route` and the request log's route: a request routed by a pattern (`claude-*`, every
 * Claude Code request under it) or by an alias asked for in another case says so; only a fallback alias is
 * called one (issue 44: every such request was labelled "fallback alias").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, tempStorePath } from "../support/gateway.js";
import { ADMIN, call, SERVICE, teamHarness } from "../support/team.js";

describe("llmux-route labels", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await teamHarness({ engine: "sqlite", path: tempStorePath(), drop: async () => undefined }, (mockUrl) => ({
      providers: { "anthropic-b": { type: "anthropic", base_url: mockUrl, api_key: "an-key-b" } },
      models: {
        "claude-*": { provider: "anthropic", model: "claude-sonnet-4-5" },
        "Gpt-High": { provider: "openai-chat", model: "gpt-4.1" },
        first: { provider: "anthropic", model: "claude-opus-4-1", fallbacks: ["second"] },
        second: { provider: "anthropic-b", model: "claude-sonnet-4-5" },
      },
    }));
  });
  afterAll(async () => {
    await h?.close();
  });

  async function send(model: string): Promise<{ route: string; id: string }> {
    const res = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${SERVICE}` },
      body: JSON.stringify({ model, max_tokens: 100, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    await res.text();
    return { route: res.headers.get("llmux-route") ?? "", id: res.headers.get("x-request-id") ?? "" };
  }

  async function logged(id: string): Promise<string> {
    // The row is written as the request settles: asked again until it is there.
    for (let i = 0; i < 200; i++) {
      const r = await call(h.url, "GET", `/admin/v1/requests/${id}`, ADMIN);
      if (r.status === 200) return r.body.route as string;
      await new Promise((ok) => setTimeout(ok, 25));
    }
    throw new Error(`request ${id} was not logged`);
  }

  it("a request routed by a pattern says the pattern, not a fallback alias (header and request log)", async () => {
    const { route, id } = await send("claude-sonnet-4-5-20250929");
    expect(route).toBe("anthropic/claude-sonnet-4-5 (pattern claude-*)");
    expect(route).not.toContain("fallback");
    expect(await logged(id)).toBe(route);
  });

  it("an alias asked for in another case says the alias, not a fallback alias", async () => {
    const { route, id } = await send("gpt-high");
    expect(route).toBe("openai-chat/gpt-4.1 (alias Gpt-High, asked as gpt-high)");
    expect(await logged(id)).toBe(route);
  });

  it("an alias asked for as written says nothing more", async () => {
    expect((await send("Gpt-High")).route).toBe("openai-chat/gpt-4.1");
  });

  it("a fallback alias is still called one", async () => {
    h.mock.enqueue({ httpError: { status: 500, message: "upstream broke" } });
    const { route, id } = await send("first");
    expect(route).toMatch(/^anthropic-b\/claude-sonnet-4-5 \(fallback alias second\); anthropic\/claude-opus-4-1: 500/);
    expect(await logged(id)).toBe(route);
  });
});
