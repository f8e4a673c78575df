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
      // The file's alias: no Edit or Remove (its deployments can be changed: that stores it over the file's).
      expect(await fileRow.getByRole("button", { name: /Edit|Remove/ }).count()).toBe(0);
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

  it("lists an alias's deployments, adds one (a bad one refused with its field named) and removes it", async () => {
    const w = await open(browser, h.url, "models-deployments");
    try {
      await w.page.goto("/ui/models");
      await signInWithKey(w.page, ADMIN);
      const fileRow = w.page
        .getByRole("table", { name: "Model aliases" })
        .locator('[data-entry="models/via-anthropic"]');
      await fileRow.getByRole("button", { name: /Deployments/ }).click();
      const dialog = w.page.getByRole("dialog", { name: "Deployments of via-anthropic" });
      const table = dialog.getByRole("table", { name: "Deployments of via-anthropic" });
      const first = table.locator('[data-deployment="anthropic/claude-sonnet-4-5"]');
      await first.waitFor();

      await dialog.getByLabel(/Deployment name/).fill("extra");
      await dialog.getByLabel(/Deployment settings/).fill('{"provider": "nowhere", "model": "m"}');
      await dialog.getByRole("button", { name: "Add deployment" }).click();
      await dialog.getByText("models.via-anthropic.deployments.extra.provider: no provider named 'nowhere'").waitFor();
      expect((await admin(h, "GET", "/config/models/via-anthropic")).body.source).toBe("llmux.yaml");

      await dialog.getByLabel(/Deployment settings/).fill('{"provider": "openai-chat", "model": "gpt-4.1"}');
      await dialog.getByRole("button", { name: "Add deployment" }).click();
      const extra = table.locator('[data-deployment="extra"]');
      await extra.waitFor();
      // The file's alias is now stored over it: said in the dialog, and on the page's row.
      await dialog.getByText(/is also llmux\.yaml's/).waitFor();
      const listed = await admin(h, "GET", "/config/models/via-anthropic/deployments");
      expect(listed.body).toMatchObject({ source: "stored", overrides_file: true });
      expect(listed.body.data.map((d: { name: string }) => d.name)).toEqual(["anthropic/claude-sonnet-4-5", "extra"]);

      await extra.getByRole("button", { name: /Remove/ }).click();
      await dialog.getByRole("button", { name: "Remove" }).click();
      // The confirmation replaces the table, so "extra" is detached before the DELETE is sent: wait for the
      // table to come back (the DELETE answered), then for the refetched list without "extra".
      await first.waitFor();
      await extra.waitFor({ state: "detached" });
      expect(
        (await admin(h, "GET", "/config/models/via-anthropic/deployments")).body.data.map(
          (d: { name: string }) => d.name,
        ),
      ).toEqual(["anthropic/claude-sonnet-4-5"]);
      await w.shot("2-deployments");
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await fileRow.getByText(/stored over llmux\.yaml/).waitFor();
      expect(unexpected(w.errors, [/400/])).toEqual([]);
    } finally {
      await w.close();
      await admin(h, "DELETE", "/config/models/via-anthropic");
    }
  });
});
