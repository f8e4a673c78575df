import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { launch, open, signInWithKey, unexpected, type Watched } from "./support/browser.js";
import { ADMIN, admin, call, startUiServer } from "./support/server.js";

/**
 * The shared pieces of the web UI where no other browser test reaches them, in real Chromium: the one-select
 * filters that apply at once (the audit log's Action, the alerts' Rule: the choice goes into the address, the
 * list follows), the Rotate dialog's choice of how long the old secret keeps working (the gateway is asked
 * for it), and the confirming dialog that deletes a team.
 */
describe("web UI: one-select filters, the Rotate and Delete dialogs", { timeout: 90_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let w: Watched;
  let key: { id: string; key: string };

  beforeAll(async () => {
    h = await startUiServer();
    await admin(h, "POST", "/teams", { name: "filters-team" });
    key = (await admin(h, "POST", "/keys", { name: "filters-key" })).body as { id: string; key: string };
    browser = await launch();
    w = await open(browser, h.url, "filters-dialogs");
    await w.page.goto("/ui/audit");
    await signInWithKey(w.page, ADMIN);
  });
  afterAll(async () => {
    await w?.close();
    await browser?.close();
    await h?.close();
  });

  it("the audit log's Action filter lists that action only, kept in the address; any lists them all again", async () => {
    const table = w.page.getByRole("table", { name: "Audit log, newest first" });
    const keyRow = table.getByRole("row").filter({ hasText: "filters-key" });
    const teamRow = table.getByRole("row").filter({ hasText: "filters-team" });
    await keyRow.waitFor();
    await teamRow.waitFor();

    await w.page.getByLabel("Action").selectOption("team.create");
    await w.page.waitForURL((u) => u.searchParams.get("action") === "team.create");
    await keyRow.waitFor({ state: "detached" });
    await teamRow.waitFor();
    expect(new Set(await table.locator("tbody td code").allTextContents())).toEqual(new Set(["team.create"]));

    await w.page.getByLabel("Action").selectOption("");
    await w.page.waitForURL((u) => !u.searchParams.has("action"));
    await keyRow.waitFor();
    expect(await w.page.getByLabel("Action").inputValue()).toBe("");
  });

  it("the alerts' Rule filter goes into the address and says what it found none of", async () => {
    await w.page.goto("/ui/alerts");
    const table = w.page.getByRole("table", { name: "Alerts, newest first" });
    await table.getByText("No alerts.", { exact: false }).waitFor();
    await w.page.getByLabel("Rule").selectOption("budget_share");
    await w.page.waitForURL((u) => u.searchParams.get("rule") === "budget_share");
    await table.getByText("No alerts for budget_share.", { exact: false }).waitFor();
  });

  it("rotating a key with 'one day' keeps the old secret working and shows the new one once", async () => {
    await w.page.goto("/ui/keys");
    await w.page.getByRole("button", { name: "Rotate filters-key" }).click();
    const dialog = w.page.getByRole("dialog", { name: "Rotate filters-key" });
    await dialog.getByLabel("The old secret works for").selectOption({ label: "one day" });
    await dialog.getByRole("button", { name: "Rotate", exact: true }).click();
    const secret = w.page.getByRole("dialog", { name: "New secret for filters-key" });
    await secret.waitFor();
    const fresh = await secret.getByTestId("secret").inputValue();
    expect(fresh).not.toBe(key.key);
    expect((await call(h.url, "GET", "/v1/models", { key: fresh })).status).toBe(200);
    // The old secret answers within its day of grace; with "no longer (stops now)" it would be refused.
    expect((await call(h.url, "GET", "/v1/models", { key: key.key })).status).toBe(200);
    await secret.getByRole("button", { name: "Done" }).click();
    await secret.waitFor({ state: "hidden" });
  });

  it("deleting a team asks first, names what it revokes, and the team is gone", async () => {
    await w.page.goto("/ui/teams");
    await w.page.getByRole("button", { name: "Delete filters-team" }).click();
    const dialog = w.page.getByRole("dialog", { name: "Delete filters-team?" });
    expect(await dialog.textContent()).toContain("Deleting the team revokes its 0 key(s)");
    await dialog.getByRole("button", { name: "Delete team" }).click();
    await dialog.waitFor({ state: "hidden" });
    await w.page.getByRole("table", { name: "Teams" }).getByText("No teams yet.").waitFor();
    const teams = (await admin(h, "GET", "/teams")).body.data as { name: string }[];
    expect(teams.map((t) => t.name)).not.toContain("filters-team");
    expect(unexpected(w.errors)).toEqual([]);
  });
});
