import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Harness } from "../support/gateway.js";
import { type SearxngFake, startSearxngFake } from "../support/web-search-fake.js";
import { launch, open, shownOrRefused, signInWithKey, unexpected, type Watched } from "./support/browser.js";
import { ADMIN, admin, startUiServer } from "./support/server.js";

const QUERY = "meaning of life";

/**
 * A request's page in a real browser for a request whose web search llmux ran (issue 42): its card lists the
 * search with its query, result count and the results' domains, from the request-log row.
 */
describe("web UI: the web search and fetch of a request", { timeout: 60_000 }, () => {
  let h: Harness;
  let searx: SearxngFake;
  let browser: Browser;
  let w: Watched;

  beforeAll(async () => {
    searx = await startSearxngFake();
    h = await startUiServer(() => ({ search: { providers: { sx: { kind: "searxng", url: searx.url } } } }));
    browser = await launch();
    w = await open(browser, h.url, "request-web");
  });
  afterAll(async () => {
    await w?.close();
    await browser?.close();
    await h?.close();
    await searx?.close();
  });

  it("shows the search's query, result count and domains", async () => {
    h.mock.enqueue(
      { blocks: [{ type: "tool_call", name: "web_search", arguments: JSON.stringify({ query: QUERY }) }] },
      { blocks: [{ type: "text", text: "It is 42 (source: https://example.org/meaning-of-life)." }] },
    );
    const res = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "via-openai-chat",
        max_tokens: 500,
        messages: [{ role: "user", content: "What is the meaning of life? Search the web." }],
        tools: [{ type: "web_search_20250305", name: "web_search", max_uses: 3 }],
      }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const id = res.headers.get("x-request-id")!;
    // The row is written as the request settles: asked of the admin API until it is there.
    for (let i = 0; i < 100; i++) {
      if ((await admin(h, "GET", `/requests/${id}`)).status === 200) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    await w.page.goto(`/ui/requests/${id}`);
    await signInWithKey(w.page, ADMIN);
    const card = w.page.getByRole("region", { name: "Web search and fetch" });
    await shownOrRefused(w, card);
    await card.getByText("1 search, 0 fetches run by llmux").waitFor();
    const search = card.locator('[data-web-call="search"]');
    expect(await search.count()).toBe(1);
    const text = await search.innerText();
    expect(text).toContain(QUERY);
    expect(text).toContain("2 results");
    expect(text).toContain("example.org, docs.example.com");
    await w.shot("1-web-search");
    expect(unexpected(w.errors)).toEqual([]);
  });
});
