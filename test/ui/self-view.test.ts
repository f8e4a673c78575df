import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { launch, open, shownOrRefused, signInWithKey, unexpected } from "./support/browser.js";
import { admin, openai, startUiServer } from "./support/server.js";

/**
 * A key holder signs in with their own lx- key and sees their own usage, requests and spend, read-only,
 * and nothing of anyone else's (the self-service routes, /admin/v1/me…, of the request log).
 */
describe("web UI: a key holder's own view", { timeout: 60_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let alice: { id: string; key: string };
  let bobRequest: string | undefined;

  beforeAll(async () => {
    h = await startUiServer();
    const a = await admin(h, "POST", "/keys", { name: "alice-laptop", budget: { usd: 10, period: "month" } });
    const b = await admin(h, "POST", "/keys", { name: "bob-desktop" });
    alice = { id: a.body.id, key: a.body.key };
    for (let i = 0; i < 3; i++)
      await openai(h, alice.key).chat.completions.create({
        model: "via-anthropic",
        messages: [{ role: "user", content: `alice asks question ${i}` }],
      });
    await openai(h, b.body.key).chat.completions.create({
      model: "via-openai-chat",
      messages: [{ role: "user", content: "bob's own question" }],
    });
    for (let i = 0; i < 40 && !bobRequest; i++) {
      const rows = await admin(h, "GET", `/requests?key_id=${b.body.id}`);
      bobRequest = rows.body?.rows?.[0]?.id;
      if (!bobRequest) await new Promise((r) => setTimeout(r, 100));
    }
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("signs in with an lx- key and sees only that key's usage, requests and spend", async () => {
    const w = await open(browser, h.url, "self-view");
    try {
      const { page } = w;
      await page.goto("/ui/");
      await signInWithKey(page, alice.key);
      expect(await page.locator(".who .badge").textContent()).toBe("key holder");
      expect(await page.locator(".who-name").textContent()).toBe("alice-laptop");
      const nav = page.getByRole("navigation", { name: "Pages" });
      expect(await nav.getByRole("link").allTextContents()).toEqual([
        "My usage",
        "My requests",
        "My sessions",
        "My spend",
        "Playground",
      ]);

      const requests = page.getByTestId("tile-requests");
      await shownOrRefused(w, requests);
      await page.getByRole("region", { name: "Key alice-laptop" }).getByText("of $10.00 this month").waitFor();
      for (let i = 0; i < 20 && (await requests.textContent()) !== "3"; i++) {
        await page.waitForTimeout(250);
        await page.reload();
        await requests.waitFor();
      }
      expect(await requests.textContent()).toBe("3");
      await w.shot("1-my-usage");

      await nav.getByRole("link", { name: "My requests" }).click();
      const table = page.getByRole("table", { name: "Requests, newest first" });
      await shownOrRefused(w, table);
      const rows = table.locator("tbody tr.clickable");
      expect(await rows.count()).toBe(3);
      expect(await table.textContent()).not.toContain("via-openai-chat");
      await w.shot("2-my-requests");
      await rows.first().getByRole("link").click();
      await page.getByText("alice asks question 2").first().waitFor();
      await w.shot("3-my-request");

      await nav.getByRole("link", { name: "My spend" }).click();
      const spend = page.getByRole("table", { name: "Spend by model" });
      await shownOrRefused(w, spend);
      await spend.getByRole("rowheader", { name: "via-anthropic" }).waitFor();
      expect(await spend.getByRole("rowheader", { name: "via-openai-chat" }).count()).toBe(0);
      expect(unexpected(w.errors)).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it("cannot open another key's request, reach the admin pages, or use the admin API", async () => {
    expect(bobRequest, "bob's request in the request log").toBeDefined();
    const w = await open(browser, h.url, "self-view-denied");
    try {
      const { page } = w;
      await page.goto("/ui/keys");
      await signInWithKey(page, alice.key);
      await page.getByRole("alert").filter({ hasText: "No such page" }).waitFor();
      await page.goto(`/ui/requests/${encodeURIComponent(bobRequest!)}`);
      await page.getByRole("alert").filter({ hasText: "Could not load request" }).waitFor();
      await w.shot("1-other-key-request");
      expect(await page.content()).not.toContain("bob's own question");
      expect((await w.context.request.get(`${h.url}/admin/v1/keys`)).status()).toBe(401);
      expect(
        (
          await w.context.request.post(`${h.url}/admin/v1/keys`, {
            headers: { "x-llmux-ui": "1" },
            data: { name: "mine-now" },
          })
        ).status(),
      ).toBe(401);
      expect(unexpected(w.errors, [/status of 404/])).toEqual([]);
      expect(w.errors.filter((e) => /status of 404/.test(e)).length).toBe(1);
    } finally {
      await w.close();
    }
  });
});
