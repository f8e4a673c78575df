import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { launch, open, shownOrRefused, signInWithKey, unexpected, type Watched } from "./support/browser.js";
import { ADMIN, BODIES_KNOWN, startUiServer } from "./support/server.js";

/**
 * A request's page with a prompt too long to render as Markdown (0.7 MB of nested emphasis and brackets,
 * the kind of text whose parsing is not linear): it is shown as plain text, saying so, and the page stays
 * usable.
 */
describe("web UI: a very long prompt on a request's page", { timeout: 60_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let w: Watched;

  beforeAll(async () => {
    h = await startUiServer(() => ({ server: { body_limit_mb: 4 }, logging: { body_max_kb: 2048 } }));
    browser = await launch();
    w = await open(browser, h.url, "long-markdown");
  });
  afterAll(async () => {
    await w?.close();
    await browser?.close();
    await h?.close();
  });

  it("is shown as plain text past the size Markdown is rendered for", async () => {
    expect(BODIES_KNOWN, "logging.bodies is not in this build's configuration").toBe(true);
    const prompt = `${"*[a _".repeat(70_000)} end-of-prompt`;
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "via-openai-chat", messages: [{ role: "user", content: prompt }] }),
    });
    expect(res.status).toBe(200);
    const id = res.headers.get("x-request-id")!;
    await w.page.goto(`/ui/requests/${id}`);
    await signInWithKey(w.page, ADMIN);
    const conversation = w.page.getByRole("heading", { name: "Conversation" });
    for (let i = 0; i < 20 && !(await conversation.isVisible()); i++) {
      await w.page.waitForTimeout(250);
      await w.page.reload();
    }
    await shownOrRefused(w, conversation);
    await w.page
      .getByText(/Shown as plain text: [\d,]+ characters/)
      .first()
      .waitFor();
    expect(await w.page.locator(".md-plain .plain-text").first().textContent()).toContain("end-of-prompt");
    expect(unexpected(w.errors)).toEqual([]);
  });
});
