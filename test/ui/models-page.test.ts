import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { launch, open, signInWithKey, unexpected } from "./support/browser.js";
import { ADMIN, admin, startUiServer } from "./support/server.js";

const PLANTED = "sk-ui-planted-8c2b71d4e0";

/**
 * The web UI's Models page, in real Chromium: llmux.yaml's aliases and providers read-only ("from llmux.yaml"),
 * a stored one added, edited and removed there (in force at once), a stored provider's credential never shown.
 */
describe("web UI: the Models page", { timeout: 90_000 }, () => {
  let h: Harness;
  let browser: Browser;

  beforeAll(async () => {
    h = await startUiServer();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("lists the file's entries read-only, adds, edits and removes a stored alias", async () => {
    const stored = await admin(h, "PUT", "/config/providers/team-openai", {
      type: "openai",
      base_url: `${h.mock.url}/v1`,
      api: "chat",
      api_key: PLANTED,
    });
    expect(stored.status).toBe(200);
    const w = await open(browser, h.url, "models");
    try {
      await w.page.goto("/ui/models");
      await signInWithKey(w.page, ADMIN);
      await w.page.getByRole("heading", { name: "Models" }).first().waitFor();
      const models = w.page.getByRole("table", { name: "Model aliases" });
      const fileRow = models.locator('[data-entry="models/via-anthropic"]');
      await fileRow.waitFor();
      expect(await fileRow.textContent()).toContain("from llmux.yaml");
      expect(await fileRow.getByRole("button").count()).toBe(0);
      const provider = w.page.getByRole("table", { name: "Providers" }).locator('[data-entry="providers/team-openai"]');
      expect(await provider.textContent()).toContain("[sealed]");

      await w.page.getByRole("button", { name: "Add model" }).click();
      const dialog = w.page.getByRole("dialog");
      await dialog.getByLabel("Name").fill("ui-fast");
      await dialog.getByLabel(/Settings/).fill('{"provider": "nowhere"}');
      await dialog.getByRole("button", { name: "Add" }).click();
      await dialog.getByText("models.ui-fast.provider: no provider named 'nowhere'").waitFor();
      await dialog.getByLabel(/Settings/).fill('{"provider": "team-openai", "model": "gpt-4.1"}');
      await dialog.getByRole("button", { name: "Add" }).click();
      const row = models.locator('[data-entry="models/ui-fast"]');
      await row.waitFor();
      expect(await row.textContent()).toContain("stored");
      expect((await admin(h, "GET", "/config/models/ui-fast")).body.settings).toEqual({
        provider: "team-openai",
        model: "gpt-4.1",
      });

      await row.getByRole("button", { name: /Edit/ }).click();
      await dialog.getByLabel(/Settings/).fill('{"provider": "team-openai", "model": "gpt-4.1", "max_tokens": 99}');
      await dialog.getByRole("button", { name: "Save" }).click();
      await w.page.getByText('"max_tokens":99').waitFor();

      await row.getByRole("button", { name: /Remove/ }).click();
      await w.page.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
      await row.waitFor({ state: "detached" });
      expect((await admin(h, "GET", "/config/models/ui-fast")).status).toBe(404);
      expect(await w.page.content()).not.toContain(PLANTED);
      await w.shot("1-models");
      expect(unexpected(w.errors, [/40[04]/])).toEqual([]);
    } finally {
      await w.close();
    }
  });
});
