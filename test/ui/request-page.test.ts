import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { launch, open, shownOrRefused, signInWithKey, unexpected, type Watched } from "./support/browser.js";
import { ADMIN, BODIES_KNOWN, startUiServer } from "./support/server.js";

/** A 1×1 PNG. */
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

/**
 * A request's page in a real browser, for what coding tools send beyond text: the image the client sent,
 * the reasoning that came back, the route when the first deployment failed and a fallback answered, and
 * the four raw bodies side by side.
 */
describe("web UI: a request's page", { timeout: 60_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let w: Watched;

  beforeAll(async () => {
    h = await startUiServer((mockUrl) => ({
      providers: { "anthropic-b": { type: "anthropic", base_url: mockUrl, api_key: "an-key-b" } },
      models: {
        "claude-first": { provider: "anthropic", model: "claude-sonnet-4-5", fallbacks: ["claude-backup"] },
        "claude-backup": { provider: "anthropic-b", model: "claude-opus-4-1" },
      },
    }));
    browser = await launch();
    w = await open(browser, h.url, "request-page");
  });
  afterAll(async () => {
    await w?.close();
    await browser?.close();
    await h?.close();
  });

  it("shows the image sent, the reasoning and answer, the route through the fallback, and the raw bodies", async () => {
    expect(BODIES_KNOWN, "logging.bodies is not in this build's configuration").toBe(true);
    // The first deployment fails; the fallback alias answers with reasoning.
    h.mock.enqueue(
      { httpError: { status: 500, message: "upstream broke" } },
      {
        blocks: [
          { type: "reasoning", text: "The picture is a single **red** pixel." },
          { type: "text", text: "It is one red pixel." },
        ],
      },
    );
    const res = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "claude-first",
        max_tokens: 2000,
        thinking: { type: "enabled", budget_tokens: 1024 },
        messages: [
          {
            role: "user",
            content: [
              { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
              { type: "text", text: "What is in the picture?" },
            ],
          },
        ],
      }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const id = res.headers.get("x-request-id")!;
    expect(res.headers.get("llmux-route")).toContain("claude-backup");

    await w.page.goto(`/ui/requests/${id}`);
    await signInWithKey(w.page, ADMIN);
    // The row is written as the request settles: reload until the page has it.
    const conversation = w.page.getByRole("heading", { name: "Conversation" });
    for (let i = 0; i < 20 && !(await conversation.isVisible()); i++) {
      await w.page.waitForTimeout(250);
      await w.page.reload();
    }
    await shownOrRefused(w, conversation);

    // The route: the failed first deployment, then the fallback alias that answered.
    await w.page.getByText("2 attempts").waitFor();
    const hops = w.page.locator("ol.route li");
    expect(await hops.count()).toBeGreaterThanOrEqual(2);
    expect((await hops.allInnerTexts()).join(" | ")).toMatch(/claude-backup/);
    expect((await hops.allInnerTexts()).join(" | ")).toMatch(/500/);

    // The image the client sent, shown as a picture.
    const img = w.page.locator("figure.image img");
    await img.waitFor();
    expect(await img.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
    expect(await img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBe(1);

    // The answer: its reasoning folded, Markdown rendered once opened; then its text.
    const answer = w.page.getByRole("article", { name: "Answer" });
    const reasoning = answer.locator("details.reasoning");
    await reasoning.waitFor();
    expect(await reasoning.getAttribute("open")).toBeNull();
    await reasoning.locator("summary").click();
    await reasoning.locator(".md strong", { hasText: "red" }).waitFor();
    await answer.getByText("It is one red pixel.").waitFor();

    // The four bodies, each recorded.
    await w.page.getByRole("heading", { name: "Raw bodies" }).waitFor();
    const bodies = w.page.locator(".bodies .body");
    expect(await bodies.count()).toBe(4);
    for (const title of ["Client request", "Upstream request", "Upstream response", "Client response"]) {
      const card = bodies.filter({ hasText: title });
      expect(await card.count(), title).toBe(1);
      expect(await card.getByText("Not recorded.").count(), `${title} is recorded`).toBe(0);
    }
    await bodies.filter({ hasText: "Upstream request" }).getByText("claude-opus-4-1").first().waitFor();
    await w.shot("1-image-reasoning-route-bodies");
    expect(unexpected(w.errors)).toEqual([]);
  });

  it("folds a developer message's long instructions like the system prompt", async () => {
    const instructions = `You are Codex. ${"Follow the repository's conventions. ".repeat(800)}`;
    const res = await fetch(`${h.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-backup",
        input: [
          { type: "message", role: "developer", content: [{ type: "input_text", text: instructions }] },
          { type: "message", role: "user", content: [{ type: "input_text", text: "List the files." }] },
        ],
      }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const id = res.headers.get("x-request-id")!;
    await w.page.goto(`/ui/requests/${id}`);
    const conversation = w.page.getByRole("heading", { name: "Conversation" });
    for (let i = 0; i < 20 && !(await conversation.isVisible()); i++) {
      await w.page.waitForTimeout(250);
      await w.page.reload();
    }
    const developer = w.page.getByRole("article", { name: "Developer" });
    const folded = developer.locator("details");
    await folded.waitFor();
    expect(await folded.getAttribute("open")).toBeNull();
    expect(await folded.locator("summary").innerText()).toMatch(/Developer · [\d,]+ characters/);
    // Folded, the page stays short; the user's message is shown as it is.
    const height = await w.page
      .locator("body")
      .evaluate((b) => (b as unknown as { scrollHeight: number }).scrollHeight);
    expect(height).toBeLessThan(4000);
    await w.page.getByRole("article", { name: "User" }).getByText("List the files.").waitFor();
    expect(unexpected(w.errors)).toEqual([]);
  });
});
