/**
 * The playground's "explain" panel in a real browser: for the request the form holds and the key above it,
 * the routing decision (the rule that held and why, the alias, the llmux-route header) or the refusal, with
 * nothing sent upstream — and the same words the gateway's own answer then carries when the request is sent.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { launch, open, signInWithKey, unexpected, type Watched } from "./support/browser.js";
import { ADMIN, admin, call, startUiServer } from "./support/server.js";

describe("web UI: the playground explains a route without sending it", { timeout: 60_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let w: Watched;
  let key: string;

  beforeAll(async () => {
    h = await startUiServer(() => ({
      routing: {
        rules: [
          { name: "sub-agents", match: { agent: "sub" }, route: "via-anthropic" },
          { name: "checkout", match: { tag: "project=checkout" }, route: "via-gemini" },
        ],
      },
    }));
    const k = await admin(h, "POST", "/keys", { name: "explained", models: ["via-*"] });
    expect(k.status).toBe(201);
    key = k.body.key;
    browser = await launch();
    w = await open(browser, h.url, "explain");
    await w.page.goto("/ui/playground");
    await signInWithKey(w.page, ADMIN);
  });
  afterAll(async () => {
    await w?.close();
    await browser?.close();
    await h?.close();
  });

  /** The panel's rows, label → value. */
  async function decision(): Promise<Record<string, string>> {
    const table = w.page.getByTestId("route-explained");
    await table.waitFor();
    const out: Record<string, string> = {};
    for (const row of await table.getByRole("row").all()) {
      const k = await row.getByRole("rowheader").innerText();
      out[k] = await row.getByRole("cell").innerText();
    }
    return out;
  }

  it("says which rule routes the request and why, and the gateway then does just that", async () => {
    await w.page.getByRole("link", { name: "Playground" }).click();
    await w.page.getByLabel("Client key").fill(key);
    await w.page.getByLabel("Dialect").selectOption("messages");
    await w.page.getByLabel("Model").fill("via-openai-chat");
    await w.page.getByLabel("Prompt", { exact: true }).fill("Explain me");
    const upstream = h.mock.requests.length;

    // No rule holds: the alias asked for.
    await w.page.getByRole("button", { name: "Explain" }).click();
    let d = await decision();
    expect(d).toMatchObject({ Requested: "via-openai-chat", Rule: "none held", Alias: "via-openai-chat" });
    expect(d["llmux-route"]).toBe("openai-chat/gpt-4.1");

    // A sub-agent (its header given in the panel): the sub-agent rule.
    await w.page.getByLabel("Extra headers").fill("x-claude-code-agent-id: a1\nx-claude-code-parent-agent-id: main");
    await w.page.getByRole("button", { name: "Explain" }).click();
    await w.page.getByTestId("route-explained").getByText("sub-agents: sub-agent", { exact: true }).waitFor();
    d = await decision();
    expect(d).toMatchObject({ Agent: "sub-agent", Rule: "sub-agents: sub-agent", Alias: "via-anthropic" });
    expect(d["llmux-route"]).toBe("anthropic/claude-sonnet-4-5 (rule sub-agents: sub-agent)");
    await w.shot("1-sub-agent");

    // Nothing was sent upstream; sent for real, the gateway's header says the same.
    expect(h.mock.requests.length).toBe(upstream);
    const sent = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-api-key": key,
        "anthropic-version": "2023-06-01",
        "x-claude-code-agent-id": "a1",
        "x-claude-code-parent-agent-id": "main",
      },
      body: JSON.stringify({ model: "via-openai-chat", max_tokens: 64, messages: [{ role: "user", content: "hi" }] }),
    });
    await sent.text();
    expect(sent.status).toBe(200);
    expect(sent.headers.get("llmux-route")).toBe(d["llmux-route"]);
  });

  it("says why a request would be refused, naming the model", async () => {
    await w.page.getByLabel("Extra headers").fill("");
    await w.page.getByLabel("Model").fill("no-such-alias");
    await w.page.getByRole("button", { name: "Explain" }).click();
    const refused = w.page.getByTestId("route-explained").getByText(/Refused \(\d+\)/);
    await refused.waitFor();
    expect(await w.page.getByTestId("route-explained").innerText()).toContain("no-such-alias");
    const api = await call(h.url, "POST", "/admin/v1/routing/explain", {
      key: ADMIN,
      body: { path: "/v1/embeddings", body: { model: "x", input: "y" } },
    });
    expect(api.status).toBe(400);
    expect(JSON.stringify(api.body)).toContain("is not a generation route");
    await w.shot("2-refused");
    expect(unexpected(w.errors, [/Failed to load resource/])).toEqual([]);
  });
});
