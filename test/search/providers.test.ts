/**
 * The four search providers' adapters against a local fake of each API's shape (issue 42): what each is sent
 * (path, parameters, body, the key's header), what is made of its answer, the domain lists applied after the
 * fact, and every failure as a WebToolError (never a hang past the timeout).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SearchProviderSchema } from "../../src/config/schema-search.js";
import { searchProviderOf } from "../../src/search/providers.js";
import { type SearchQuery, WebToolError } from "../../src/search/types.js";
import { FakeSearch } from "./fake-search.js";

let fake: FakeSearch;
beforeAll(async () => {
  fake = await FakeSearch.start();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.seen.length = 0;
});

const q = (over: Partial<SearchQuery> = {}): SearchQuery => ({
  query: "llmux gateway",
  count: 5,
  signal: new AbortController().signal,
  ...over,
});

async function failure(p: Promise<unknown>): Promise<WebToolError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WebToolError);
  return err as WebToolError;
}

const provider = (cfg: Record<string, unknown>, key?: string) =>
  searchProviderOf("p", SearchProviderSchema.parse(cfg), key ?? (cfg.api_key as string | undefined));

describe("SearXNG", () => {
  it("asks GET {url}/search?q=…&format=json with language and categories, and reads results[]", async () => {
    fake.reply = {
      json: {
        query: "llmux gateway",
        results: [
          { url: "https://a.example/one", title: "One", content: "first", publishedDate: "2026-01-02T00:00:00" },
          { url: "https://b.example/two", title: "Two", content: "second", publishedDate: null },
          { url: "javascript:alert(1)", title: "bad", content: "" },
        ],
      },
    };
    const p = provider({ kind: "searxng", url: `${fake.url}/`, language: "en-US", categories: ["general", "it"] });
    const hits = await p.search(q());
    expect(fake.seen[0]!.method).toBe("GET");
    expect(fake.seen[0]!.path).toBe("/search");
    expect(Object.fromEntries(fake.seen[0]!.query)).toMatchObject({
      q: "llmux gateway",
      format: "json",
      language: "en-US",
      categories: "general,it",
    });
    expect(hits).toEqual([
      { url: "https://a.example/one", title: "One", snippet: "first", pageAge: "2026-01-02T00:00:00" },
      { url: "https://b.example/two", title: "Two", snippet: "second" },
    ]);
    expect(p.kind).toBe("searxng");
  });

  it("asks one allowed domain with site: and never returns a result off it, nor on a blocked one", async () => {
    fake.reply = {
      json: {
        results: [
          { url: "https://evil.example/x", title: "off the list", content: "" },
          { url: "https://docs.good.example/a", title: "on it", content: "" },
          { url: "https://blocked.good.example/b", title: "blocked", content: "" },
        ],
      },
    };
    const p = provider({ kind: "searxng", url: fake.url });
    const hits = await p.search(q({ allowedDomains: ["good.example"], blockedDomains: ["blocked.good.example"] }));
    expect(fake.seen[0]!.query.get("q")).toBe("llmux gateway site:good.example");
    expect(hits.map((h) => h.url)).toEqual(["https://docs.good.example/a"]);
  });

  it("returns at most the count asked for, and at most its configured results", async () => {
    fake.reply = {
      json: { results: Array.from({ length: 30 }, (_, i) => ({ url: `https://r.example/${i}`, title: `${i}` })) },
    };
    expect(await provider({ kind: "searxng", url: fake.url }).search(q({ count: 3 }))).toHaveLength(3);
    expect(await provider({ kind: "searxng", url: fake.url, results: 7 }).search(q({ count: 20 }))).toHaveLength(7);
  });

  it("an answer without results[] (not SearXNG's JSON) is unavailable", async () => {
    fake.reply = { raw: "<html>format json is disabled</html>", type: "text/html" };
    expect((await failure(provider({ kind: "searxng", url: fake.url }).search(q()))).code).toBe("unavailable");
    fake.reply = { json: { nothing: true } };
    expect((await failure(provider({ kind: "searxng", url: fake.url }).search(q()))).code).toBe("unavailable");
  });
});

describe("Brave", () => {
  it("asks GET with q, count, country and X-Subscription-Token, and reads web.results[] (tags stripped)", async () => {
    fake.reply = {
      json: {
        type: "search",
        web: {
          results: [
            {
              url: "https://a.example/",
              title: "A &amp; B",
              description: "the <strong>gateway</strong> docs",
              age: "2 days ago",
            },
            { url: "https://c.example/", title: "C", description: "c", page_age: "2025-12-01T00:00:00" },
          ],
        },
      },
    };
    const p = provider({ kind: "brave", url: `${fake.url}/res/v1/web/search`, api_key: "brave-key-123" });
    const hits = await p.search(q({ count: 4, userLocation: { country: "de", city: "Berlin" } }));
    const seen = fake.seen[0]!;
    expect(seen.path).toBe("/res/v1/web/search");
    expect(seen.headers["x-subscription-token"]).toBe("brave-key-123");
    expect(Object.fromEntries(seen.query)).toMatchObject({ q: "llmux gateway", count: "4", country: "DE" });
    expect(hits).toEqual([
      { url: "https://a.example/", title: "A & B", snippet: "the gateway docs", pageAge: "2 days ago" },
      { url: "https://c.example/", title: "C", snippet: "c", pageAge: "2025-12-01T00:00:00" },
    ]);
  });

  it("an answer without web (no results) is no hits, not an error", async () => {
    fake.reply = { json: { type: "search", query: { original: "x" } } };
    expect(await provider({ kind: "brave", url: fake.url, api_key: "k" }).search(q())).toEqual([]);
  });

  it("its fixed endpoint is the public API", () => {
    expect(SearchProviderSchema.parse({ kind: "brave", api_key: "k" })).toMatchObject({
      url: "https://api.search.brave.com/res/v1/web/search",
    });
  });

  it("a query over 400 characters is query_too_long, and nothing is sent", async () => {
    const err = await failure(
      provider({ kind: "brave", url: fake.url, api_key: "k" }).search(q({ query: "x".repeat(401) })),
    );
    expect(err.code).toBe("query_too_long");
    expect(fake.seen).toHaveLength(0);
  });
});

describe("Tavily", () => {
  it("POSTs {query, max_results, include_domains, exclude_domains} with a bearer key and reads results[]", async () => {
    fake.reply = {
      json: {
        query: "llmux gateway",
        results: [
          { url: "https://docs.good.example/t", title: "T", content: "tavily says", score: 0.9 },
          { url: "https://bad.example/t", title: "off", content: "x", score: 0.8 },
        ],
        response_time: 1.2,
      },
    };
    const p = provider({ kind: "tavily", url: `${fake.url}/search`, api_key: "tvly-secret" });
    const hits = await p.search(
      q({ count: 3, allowedDomains: ["https://Good.example/"], blockedDomains: ["ads.good.example"] }),
    );
    const seen = fake.seen[0]!;
    expect(seen.method).toBe("POST");
    expect(seen.headers.authorization).toBe("Bearer tvly-secret");
    expect(seen.body).toMatchObject({
      query: "llmux gateway",
      max_results: 6,
      include_domains: ["good.example"],
      exclude_domains: ["ads.good.example"],
    });
    // The provider's answer is filtered again: bad.example is not on the allow-list.
    expect(hits).toEqual([{ url: "https://docs.good.example/t", title: "T", snippet: "tavily says" }]);
  });
});

describe("Exa", () => {
  it("POSTs {query, numResults, includeDomains, contents.text.maxCharacters} with x-api-key and reads results[]", async () => {
    fake.reply = {
      json: {
        results: [
          {
            id: "https://e.example/1",
            url: "https://e.example/1",
            title: "E1",
            text: "page text",
            publishedDate: "2026-03-01T00:00:00.000Z",
            author: null,
          },
          { id: "x", url: "https://blocked.example/2", title: "blocked", text: "" },
        ],
      },
    };
    const p = provider({ kind: "exa", url: `${fake.url}/search`, api_key: "exa-key" });
    const hits = await p.search(q({ count: 2, blockedDomains: ["blocked.example"], userLocation: { country: "us" } }));
    const seen = fake.seen[0]!;
    expect(seen.headers["x-api-key"]).toBe("exa-key");
    expect(seen.body).toMatchObject({
      query: "llmux gateway",
      numResults: 4,
      excludeDomains: ["blocked.example"],
      contents: { text: { maxCharacters: 1000 } },
      userLocation: "US",
    });
    expect(hits).toEqual([
      { url: "https://e.example/1", title: "E1", snippet: "page text", pageAge: "2026-03-01T00:00:00.000Z" },
    ]);
  });
});

describe("every provider's failures are WebToolErrors", () => {
  const kinds = [
    { kind: "searxng" },
    { kind: "brave", api_key: "k" },
    { kind: "tavily", api_key: "k" },
    { kind: "exa", api_key: "k" },
  ];

  it.each(kinds)(
    "$kind: 429 is too_many_requests; 500 and 401 are unavailable, without the answer's words",
    async (k) => {
      const p = provider({ ...k, url: fake.url });
      fake.reply = { status: 429, json: { error: "slow down" } };
      expect((await failure(p.search(q()))).code).toBe("too_many_requests");
      fake.reply = { status: 500, raw: "internal detail: db password=hunter2" };
      const e500 = await failure(p.search(q()));
      expect(e500.code).toBe("unavailable");
      expect(e500.message).not.toContain("hunter2");
      fake.reply = { status: 401, json: { error: "bad key k" } };
      const e401 = await failure(p.search(q()));
      expect(e401.code).toBe("unavailable");
      expect(e401.message).toContain("401");
    },
  );

  it.each(kinds)("$kind: a provider that hangs fails with timeout after timeout_ms", async (k) => {
    fake.reply = "hang";
    const err = await failure(provider({ ...k, url: fake.url, timeout_ms: 300 }).search(q()));
    expect(err.code).toBe("timeout");
  });

  it.each(kinds)("$kind: an answer over 2 MB is unavailable", async (k) => {
    fake.reply = { raw: `{"results":[],"pad":"${"x".repeat(2 * 1024 * 1024)}"}` };
    expect((await failure(provider({ ...k, url: fake.url }).search(q()))).code).toBe("unavailable");
  });

  it.each(kinds)("$kind: an unreachable provider is unavailable; an empty query invalid_input", async (k) => {
    const p = provider({ ...k, url: "http://127.0.0.1:1" });
    expect((await failure(p.search(q()))).code).toBe("unavailable");
    expect((await failure(p.search(q({ query: "  " })))).code).toBe("invalid_input");
  });

  it("the caller's own abort is given back as it came, not as a provider failure", async () => {
    fake.reply = "hang";
    const ac = new AbortController();
    const p = provider({ kind: "searxng", url: fake.url }).search(q({ signal: ac.signal }));
    await expect.poll(() => fake.seen.length).toBe(1);
    ac.abort(new Error("client went away"));
    await expect(p).rejects.toThrow("client went away");
  });

  it("a price per 1,000 searches is nano-dollars per search", () => {
    expect(provider({ kind: "brave", api_key: "k", price_per_1000: 5 }).nanosPerSearch).toBe(5_000_000);
    expect(provider({ kind: "searxng", url: fake.url }).nanosPerSearch).toBe(0);
  });
});
