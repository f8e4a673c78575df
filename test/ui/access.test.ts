import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { launch, open, PHONE, shownOrRefused, signInWithKey, unexpected } from "./support/browser.js";
import { ADMIN, admin, openai, seedTraffic, startUiServer } from "./support/server.js";

/** What the focused element is, in words a test can compare. */
const focused = (page: Page) =>
  page.evaluate(`(() => {
    const e = document.activeElement;
    if (!e) return "";
    const s = getComputedStyle(e);
    return JSON.stringify({
      tag: e.tagName.toLowerCase(),
      id: e.id,
      text: (e.textContent || "").trim().slice(0, 40),
      label: e.labels && e.labels[0] ? e.labels[0].textContent.trim().slice(0, 40) : "",
      outline: s.outlineStyle === "none" ? "" : s.outlineWidth,
    });
  })()`) as Promise<string>;

const focusedIs = async (page: Page) =>
  JSON.parse(await focused(page)) as { tag: string; id: string; text: string; label: string; outline: string };

/**
 * Waits (up to 5 s) until `condition` holds for the focused element, for focus that a page moves in an
 * effect after it renders (a new page's content, a form's first field); the assertion that follows judges.
 */
const focusSettles = (page: Page, condition: string) =>
  page
    .waitForFunction(`document.activeElement !== null && ${condition}`, undefined, { timeout: 5000 })
    .then(() => undefined)
    .catch(() => undefined);

/** Whether the page is wider than the window (a sideways scroll of the whole page). */
const overflows = (page: Page) =>
  page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1") as Promise<boolean>;

describe("web UI: keyboard and phone width", { timeout: 60_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let requestId: string;

  beforeAll(async () => {
    h = await startUiServer();
    const seed = await seedTraffic(h);
    h.mock.enqueue({
      blocks: [{ type: "tool_call", id: "call_phone_1", name: "run_tests", arguments: '{"filter":"ui"}' }],
    });
    await openai(h, seed.key).chat.completions.create({
      model: "via-anthropic",
      messages: [{ role: "user", content: "Run the **UI** tests and tell me what fails:\n\n```sh\nnpm test\n```" }],
      tools: [{ type: "function", function: { name: "run_tests", parameters: { type: "object", properties: {} } } }],
    });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("is usable with the keyboard alone: skip link, focus ring, dialogs with Enter and Escape", async () => {
    const w = await open(browser, h.url, "keyboard");
    try {
      const { page } = w;
      await page.goto("/ui/keys");
      await page.getByLabel("Admin key, or your own lx- key").waitFor();
      // The sign-in field has the focus: type the key, Enter signs in.
      await focusSettles(page, "document.activeElement.tagName === 'INPUT'");
      expect((await focusedIs(page)).label).toBe("Admin key, or your own lx- key");
      await page.keyboard.type(ADMIN);
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: "Keys" }).waitFor();

      // A fresh load starts at the top of the page: the first Tab reaches the skip link.
      await page.reload();
      await page.getByRole("heading", { name: "Keys" }).waitFor();
      await page.keyboard.press("Tab");
      const skip = await focusedIs(page);
      expect(skip.text).toBe("Skip to content");
      expect(skip.outline).toBe("3px");
      await w.shot("1-skip-link");
      await page.keyboard.press("Enter");
      expect((await focusedIs(page)).id).toBe("main");

      await page.keyboard.press("Tab");
      const create = await focusedIs(page);
      expect(create.text).toBe("Create key");
      expect(create.outline).toBe("3px");
      await page.keyboard.press("Enter");
      const dialog = page.getByRole("dialog", { name: "Create a key" });
      await dialog.waitFor();
      expect((await focusedIs(page)).label).toBe("Name");
      await page.keyboard.type("kbd-key");
      await page.keyboard.press("Tab");
      expect((await focusedIs(page)).label).toMatch(/^Team/);
      await w.shot("2-dialog-by-keyboard");
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });
      expect((await focusedIs(page)).text).toBe("Create key");

      await page.keyboard.press("Enter");
      await dialog.getByLabel("Name").waitFor();
      await page.keyboard.type("kbd-key");
      await page.keyboard.press("Enter");
      const shown = page.getByRole("dialog", { name: "Key kbd-key created" });
      await shown.waitFor();
      expect((await focusedIs(page)).label).toBe("");
      expect(await page.evaluate("document.activeElement.getAttribute('aria-label')")).toBe("The new key");
      await page.keyboard.press("Escape");
      await shown.waitFor({ state: "hidden" });
      await page.getByRole("row").filter({ hasText: "kbd-key" }).waitFor();
      expect((await admin(h, "GET", "/keys")).body.data.some((k: { name: string }) => k.name === "kbd-key")).toBe(true);

      // The page list, by keyboard: Enter on a link opens the page and puts the focus on its content.
      await page.getByRole("link", { name: "Teams" }).focus();
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: "Teams" }).waitFor();
      await focusSettles(page, "document.activeElement.id === 'main'");
      expect((await focusedIs(page)).id).toBe("main");
      expect(unexpected(w.errors)).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it("reads at phone width (390 px): no page wider than the screen; tables scroll on their own", async () => {
    const w = await open(browser, h.url, "phone", { viewport: PHONE });
    try {
      const { page } = w;
      await page.goto("/ui/keys");
      await w.shot("0-sign-in");
      expect(await overflows(page)).toBe(false);
      await signInWithKey(page, ADMIN);
      for (const [path, heading] of [
        ["/ui/keys", "Keys"],
        ["/ui/teams", "Teams"],
        ["/ui/spend", "Spend"],
        ["/ui/sessions", "Sessions"],
        ["/ui/alerts", "Alerts"],
        ["/ui/guardrails", "Guardrails"],
        ["/ui/deployments", "Deployments"],
        ["/ui/playground", "Playground"],
      ] as const) {
        await page.goto(path);
        await page.getByRole("heading", { name: heading, exact: true }).waitFor();
        await page.waitForTimeout(300);
        expect(await overflows(page), path).toBe(false);
        expect(await page.getByRole("link", { name: heading, exact: true }).isVisible(), `${path}: its link`).toBe(
          true,
        );
        await w.shot(`1-${heading.toLowerCase()}`);
      }
      await page.goto("/ui/keys");
      await page.getByRole("button", { name: "Create key" }).click();
      const dialog = page.getByRole("dialog", { name: "Create a key" });
      const box = (await dialog.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
      await w.shot("2-dialog");
      expect(unexpected(w.errors)).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it("reads at phone width: the overview, the request log and a conversation (request log pages)", async () => {
    const w = await open(browser, h.url, "phone-log", { viewport: PHONE });
    try {
      const { page } = w;
      await page.goto("/ui/");
      await signInWithKey(page, ADMIN);
      await shownOrRefused(w, page.getByTestId("tile-requests"));
      await page.waitForTimeout(300);
      expect(await overflows(page)).toBe(false);
      await w.shot("1-overview");
      await page.getByRole("link", { name: "Requests" }).click();
      const table = page.getByRole("table", { name: "Requests, newest first" });
      await shownOrRefused(w, table);
      expect(await overflows(page)).toBe(false);
      await w.shot("2-requests");
      const rows = table.locator("tbody tr.clickable").filter({ hasText: "via-anthropic" });
      for (let i = 0; i < 20 && (await rows.count()) === 0; i++) {
        await page.waitForTimeout(250);
        await page.reload();
      }
      // The newest request to via-anthropic is the tool call: open it with the keyboard.
      await rows.first().getByRole("link").focus();
      await page.keyboard.press("Enter");
      await page.getByRole("heading", { name: "Conversation" }).waitFor();
      requestId = decodeURIComponent(new URL(page.url()).pathname.split("/").at(-1)!);
      await page.getByTestId("tool-call").filter({ hasText: "run_tests" }).waitFor();
      await page.locator(".md code.language-sh").waitFor();
      expect(await overflows(page)).toBe(false);
      await w.shot("3-conversation");
      expect(requestId).toMatch(/\S/);
      expect(unexpected(w.errors)).toEqual([]);
    } finally {
      await w.close();
    }
  });
});
