import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { launch, open, shownOrRefused, signInWithKey, unexpected, type Watched } from "./support/browser.js";
import { ADMIN, admin, openai, startUiServer } from "./support/server.js";

/**
 * The Requests page over the request log (GET /admin/v1/requests): pages of 50 by time with a cursor,
 * and the filters, each checked against the admin API's own answer for the same query.
 */
describe("web UI: the request log's pages and filters", { timeout: 90_000 }, () => {
  let h: Harness;
  let browser: Browser;
  let w: Watched;
  let keyId = "";
  const fresh = () => unexpected(w.errors);

  beforeAll(async () => {
    h = await startUiServer();
    const made = await admin(h, "POST", "/keys", { name: "load-gen" });
    keyId = made.body.id;
    const client = openai(h, made.body.key);
    for (let i = 0; i < 58; i++)
      await client.chat.completions.create({
        model: i % 4 === 0 ? "via-anthropic" : "via-openai-chat",
        messages: [{ role: "user", content: `request number ${i}` }],
      });
    h.mock.enqueue({ httpError: { status: 500, message: "upstream broke" } });
    await client.chat.completions
      .create({ model: "via-openai-chat", messages: [{ role: "user", content: "this one fails" }] })
      .catch(() => undefined);
    // The log rows are written in batches after the requests settle.
    for (let i = 0; i < 50; i++) {
      const all = await admin(h, "GET", "/requests?limit=500");
      if ((all.body?.rows?.length ?? 0) >= 59) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    browser = await launch();
    w = await open(browser, h.url, "requests");
    await w.page.goto("/ui/requests");
    await signInWithKey(w.page, ADMIN);
  });
  afterAll(async () => {
    await w?.close();
    await browser?.close();
    await h?.close();
  });

  const table = () => w.page.getByRole("table", { name: "Requests, newest first" });
  const rows = () => table().locator("tbody tr.clickable");
  const settled = async () => {
    await shownOrRefused(w, table());
    await w.page.locator('table[aria-busy="false"]').waitFor();
  };
  const ids = async () =>
    (
      await rows()
        .locator("a")
        .evaluateAll((as) => as.map((a) => a.getAttribute("href")))
    ).map((href) => decodeURIComponent(String(href).split("/").at(-1) ?? ""));

  it("pages through the log by time: 50 rows, Older, then Newer back to the same first page", async () => {
    // One key's requests (the filter is in the address): the sign-in itself adds no row to them.
    await w.page.goto(`/ui/requests?key_id=${keyId}`);
    await settled();
    const api = await admin(h, "GET", `/requests?limit=50&key_id=${keyId}`);
    const first = await ids();
    expect(first).toEqual(api.body.rows.map((r: { id: string }) => r.id));
    expect(first.length).toBe(50);
    await w.shot("1-first-page");
    await w.page.getByRole("button", { name: "Older →" }).click();
    await w.page.waitForURL((u) => u.searchParams.has("before"));
    await settled();
    const older = await admin(
      h,
      "GET",
      `/requests?limit=50&key_id=${keyId}&before=${encodeURIComponent(api.body.next_before)}`,
    );
    // The page renders the older rows after the address changes: wait for them, not for the first quiet moment.
    await expect.poll(ids, { timeout: 15_000 }).toEqual(older.body.rows.map((r: { id: string }) => r.id));
    const second = await ids();
    expect(second.length).toBe(9);
    expect(second.some((id) => first.includes(id))).toBe(false);
    await w.shot("2-older-page");
    await w.page.getByRole("button", { name: "← Newer" }).click();
    await w.page.waitForURL((u) => !u.searchParams.has("before"));
    await settled();
    await expect.poll(ids, { timeout: 15_000 }).toEqual(first);
    expect(fresh()).toEqual([]);
  });

  it("filters by model, status class and outcome as the API does", async () => {
    for (const [field, value, query] of [
      ["Model", "via-anthropic", "model=via-anthropic"],
      ["Status", "5xx", "status=5xx"],
      ["Outcome", "error", "outcome=error"],
    ] as const) {
      await w.page.goto(`/ui/requests?key_id=${keyId}`);
      await settled();
      // Exactly the field's own label ("Model" is also in the text of the Calls select's options).
      const control = w.page
        .getByRole("form", { name: "Filter requests" })
        .getByLabel(field, { exact: field === "Model" });
      if (field === "Model") await control.fill(value);
      else await control.selectOption(value);
      await w.page.getByRole("button", { name: "Apply" }).click();
      await w.page.waitForURL((u) => u.searchParams.get(query.split("=")[0]!) === value);
      await settled();
      const api = await admin(h, "GET", `/requests?limit=50&key_id=${keyId}&${query}`);
      expect(api.body.rows.length, query).toBeGreaterThan(0);
      expect(await ids(), query).toEqual(api.body.rows.map((r: { id: string }) => r.id));
    }
    await w.shot("3-filtered");
    expect(fresh()).toEqual([]);
  });
});
