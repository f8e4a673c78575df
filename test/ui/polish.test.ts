import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { launch, open, PHONE, shownOrRefused, signInWithKey, unexpected } from "./support/browser.js";
import { ADMIN, admin, seedTraffic, startUiServer } from "./support/server.js";

const overflows = (page: Page) =>
  page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1") as Promise<boolean>;

/**
 * The rough edges a team lead met in an afternoon with the UI: the Keys table on a phone, the key-created box,
 * the playground for a key holder (signed in with their key, usage with its cost), whole-number chart axes,
 * and the request page of a request that never reached an upstream.
 */
describe("web UI: the team lead's rough edges", { timeout: 90_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let holderKey: string;
  let refusedId: string;

  beforeAll(async () => {
    h = await startUiServer();
    await seedTraffic(h);
    // Keys with long names, a team, limits, and one blocked by its budget: the widest rows the table has.
    const team = await admin(h, "POST", "/teams", { name: "data-platform-and-analytics", models: ["via-*"] });
    for (const name of ["alice-macbook-pro-work-laptop", "bob-desktop-in-the-office", "carol-ci-runner-nightly"])
      await admin(h, "POST", "/keys", {
        name,
        user: `${name.split("-")[0]}@example.com`,
        team_id: team.body.id,
        models: ["via-openai-chat", "via-anthropic"],
        limits: { rpm: 60, tpm: 100_000, concurrency: 4 },
        budget: { usd: 25, period: "month" },
        expires_at: "2031-01-01T00:00:00Z",
      });
    const holder = await admin(h, "POST", "/keys", { name: "dana-laptop", budget: { usd: 10, period: "month" } });
    holderKey = holder.body.key;
    const broke = await admin(h, "POST", "/keys", {
      name: "erin-spent-it-all",
      budget: { usd: 0.000001, period: "day" },
    });
    const refused = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${broke.body.key}` },
      body: JSON.stringify({ model: "via-openai-chat", messages: [{ role: "user", content: "one more" }] }),
    });
    expect(refused.status).toBe(429);
    refusedId = refused.headers.get("x-request-id")!;
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("Keys at 390 px: the page never scrolls sideways, the table fits its box, a new key is shown whole", async () => {
    const w = await open(browser, h.url, "polish-phone", { viewport: PHONE });
    try {
      const { page } = w;
      await page.goto("/ui/keys");
      await signInWithKey(page, ADMIN);
      const table = page.getByRole("table", { name: "Keys" });
      await table.getByRole("link", { name: "erin-spent-it-all" }).waitFor();
      await page.waitForTimeout(300);
      expect(await overflows(page)).toBe(false);
      // Nothing of the table is out of its box: no sideways scrolling to reach a key's status or actions.
      const fit = await table.evaluate((t) => ({ table: t.scrollWidth, box: t.parentElement!.clientWidth }));
      expect(fit.table).toBeLessThanOrEqual(fit.box);
      const row = table.getByRole("row").filter({ hasText: "erin-spent-it-all" });
      const status = (await row.getByText("blocked: budget").boundingBox())!;
      expect(status.x + status.width).toBeLessThanOrEqual(PHONE.width);
      const revoke = (await row.getByRole("button", { name: "Revoke erin-spent-it-all" }).boundingBox())!;
      expect(revoke.x + revoke.width).toBeLessThanOrEqual(PHONE.width);
      await w.shot("1-keys");

      await page.getByRole("button", { name: "Create key" }).click();
      const dialog = page.getByRole("dialog", { name: "Create a key" });
      await dialog.getByLabel("Name").fill("frank-phone");
      await dialog.getByRole("button", { name: "Create key" }).click();
      const shown = page.getByRole("dialog", { name: "Key frank-phone created" });
      const secret = shown.getByTestId("secret");
      const text = await secret.inputValue();
      expect(text).toMatch(/^lx-[\w-]{43}$/);
      // All of it is in sight: nothing scrolled out of its box, the box inside the screen.
      const clip = await secret.evaluate((e) => ({
        width: e.scrollWidth - e.clientWidth,
        height: e.scrollHeight - e.clientHeight,
      }));
      expect(clip).toEqual({ width: 0, height: 0 });
      const box = (await secret.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
      expect(await overflows(page)).toBe(false);
      await w.shot("2-key-created");
      expect(unexpected(w.errors)).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it("the overview's count charts have whole-number axes", async () => {
    const w = await open(browser, h.url, "polish-overview");
    try {
      const { page } = w;
      await page.goto("/ui/");
      await signInWithKey(page, ADMIN);
      const rpm = page.getByTestId("chart-rpm");
      await shownOrRefused(w, rpm.locator(".recharts-bar-rectangle").first());
      const ticks = await rpm
        .locator(".recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value")
        .allTextContents();
      expect(ticks.length).toBeGreaterThan(1);
      for (const t of ticks) expect(t).toMatch(/^\d[\d,]*$/);
      expect(await rpm.locator("figcaption").textContent()).toMatch(/^Requests per (minute|hour|day)$/);
      expect(unexpected(w.errors)).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it("a refused request's page says no upstream request was made, and why", async () => {
    const w = await open(browser, h.url, "polish-request");
    try {
      const { page } = w;
      await page.goto(`/ui/requests/${refusedId}`);
      await signInWithKey(page, ADMIN);
      const upstream = page.getByRole("region", { name: "Upstream request", exact: true });
      await shownOrRefused(w, upstream);
      expect(await upstream.textContent()).toMatch(
        /No upstream request was made: llmux refused this request first: Budget (nearly )?exhausted/,
      );
      expect(await upstream.textContent()).not.toContain("Not recorded");
      expect(unexpected(w.errors)).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it("the playground sends with the key its holder signed in with, and shows usage as a table with the cost", async () => {
    const w = await open(browser, h.url, "polish-playground");
    try {
      const { page } = w;
      await page.goto("/ui/playground");
      await signInWithKey(page, holderKey);
      await page.getByRole("heading", { name: "Playground", exact: true }).waitFor();
      expect(await page.getByTestId("own-key").textContent()).toContain(holderKey.slice(0, 11));
      expect(await page.getByLabel("Client key").count()).toBe(0);
      await page.getByLabel("Model").fill("via-openai-chat");
      await page.getByLabel("Prompt", { exact: true }).fill("How much did this cost?");
      await page.getByRole("button", { name: "Send" }).click();
      await page.getByTestId("playground-answer").getByText("mock: How much did this cost?").waitFor();
      const usage = page.getByRole("table", { name: "Usage" });
      const cost = usage.getByRole("row").filter({ hasText: "Cost" });
      await cost.getByText(/^\$\d/).waitFor();
      // The figures are the request log's: the holder's own request, with its tokens and cost.
      const mine = (await admin(h, "GET", "/requests?limit=1")).body.rows[0];
      expect(mine.key_name).toBe("dana-laptop");
      const input = await usage.getByRole("row").filter({ hasText: "Input tokens" }).locator("td").textContent();
      expect(Number(input!.replace(/,/g, ""))).toBe(mine.input_tokens);
      expect(mine.cost_usd).toBeGreaterThan(0);
      await w.shot("1-playground");
      // Signing out forgets the key in this tab.
      await page.getByRole("button", { name: "Sign out" }).click();
      // Polled from the test (a waitForFunction predicate is compiled in the page, which the UI's CSP forbids
      // whenever it has to poll: a loaded machine).
      await expect
        .poll(
          () =>
            page.evaluate(() =>
              (
                globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }
              ).sessionStorage.getItem("llmux.playground.key"),
            ),
          { timeout: 10_000 },
        )
        .toBeNull();
      expect(unexpected(w.errors)).toEqual([]);
    } finally {
      await w.close();
    }
  });
});
