/**
 * The Overview in Chromium: errors and refusals shown apart (an "Errors 0.0%" tile no longer sits beside an
 * error-rate chart that peaks with refusals), and the stacked tokens chart draws a series at zero as zero
 * (zero reasoning tokens were drawn as a line at the top of the stack, read as 12K).
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { launch, open, shownOrRefused, signInWithKey, unexpected } from "./support/browser.js";
import { ADMIN, admin, openai, startUiServer } from "./support/server.js";

/** The (x, y) pairs of an SVG path of straight segments (M … L … Z), in order. */
function pathPoints(d: string): [number, number][] {
  const nums = (d.match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? []).map(Number);
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < nums.length; i += 2) out.push([nums[i]!, nums[i + 1]!]);
  return out;
}

describe("web UI: the Overview's errors, refusals and stacked tokens", { timeout: 120_000 }, () => {
  let h: Harness;
  let browser: Browser;

  beforeAll(async () => {
    h = await startUiServer();
    const key = (await admin(h, "POST", "/keys", { name: "narrow", models: ["via-openai-chat"] })).body.key as string;
    const client = openai(h, key);
    // Served: tokens in and out, no reasoning tokens. Refused: a model outside the key's allow-list (403).
    for (let i = 0; i < 3; i++)
      await client.chat.completions.create({
        model: "via-openai-chat",
        messages: [{ role: "user", content: `served ${i}` }],
      });
    for (let i = 0; i < 3; i++)
      await client.chat.completions
        .create({ model: "via-anthropic", messages: [{ role: "user", content: "not allowed" }] })
        .catch(() => undefined);
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("refusals only: Errors 0.0% and an error chart with nothing in it; the refusals in a chart of their own", async () => {
    const w = await open(browser, h.url, "overview-apart");
    try {
      const { page } = w;
      await page.goto("/ui/");
      await signInWithKey(page, ADMIN);
      const refused = page.getByTestId("tile-refused");
      await shownOrRefused(w, refused);
      expect(await refused.textContent()).toBe("3");
      expect(await page.getByTestId("tile-errors").textContent()).toBe("0.0%");
      const errors = page.getByTestId("chart-errors");
      expect(await errors.locator(".chart-empty").textContent()).toBe("Nothing in this period.");
      const refusals = page.getByTestId("chart-refused");
      expect(await refusals.locator(".recharts-bar-rectangle").count()).toBeGreaterThan(0);
      await refusals.getByText(/^Numbers/).click();
      const cells = await refusals.locator("tbody td").allTextContents();
      expect(cells.reduce((a, c) => a + Number(c.replace(/,/g, "")), 0)).toBe(3);
      expect(unexpected(w.errors)).toEqual([]);
    } finally {
      await w.close();
    }
  });

  it("the stacked tokens chart: the reasoning band, at zero, has no height and no line of its own", async () => {
    const w = await open(browser, h.url, "overview-stacked-zero");
    try {
      const { page } = w;
      await page.goto("/ui/");
      await signInWithKey(page, ADMIN);
      const tokens = page.getByTestId("chart-tokens");
      await shownOrRefused(w, tokens.locator(".recharts-area").first());
      const areas = tokens.locator(".recharts-area");
      expect(await areas.count()).toBe(5);
      // No series draws an outline along the top of the stack.
      for (const stroke of await tokens
        .locator(".recharts-area-curve")
        .evaluateAll((els) => els.map((e) => e.getAttribute("stroke") ?? "none")))
        expect(stroke).toBe("none");
      // The reasoning band (the last series, on top): its upper edge is its lower edge at every point.
      const d = await areas.last().locator(".recharts-area-area").getAttribute("d");
      expect(d).toBeTruthy();
      const pts = pathPoints(d!);
      expect(pts.length % 2).toBe(0);
      const top = pts.slice(0, pts.length / 2);
      const bottom = pts.slice(pts.length / 2).reverse();
      for (let i = 0; i < top.length; i++) {
        expect(top[i]![0]).toBeCloseTo(bottom[i]![0], 1);
        expect(top[i]![1]).toBeCloseTo(bottom[i]![1], 1);
      }
      // And the band beneath it (input, output…) has height: the chart is not empty.
      const first = pathPoints((await areas.first().locator(".recharts-area-area").getAttribute("d"))!);
      const ys = first.map((p) => p[1]);
      expect(Math.max(...ys) - Math.min(...ys)).toBeGreaterThan(1);
      expect(unexpected(w.errors)).toEqual([]);
    } finally {
      await w.close();
    }
  });
});
