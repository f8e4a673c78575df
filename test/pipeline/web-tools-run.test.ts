/**
 * The runner of emulated web tool calls (src/pipeline/web-tools-run.ts): a provider that never answers gives
 * the model a timeout result (the request never hangs on it), max_uses is honoured per tool, bad input is
 * refused before a provider is asked, and a provider's own failure is an error result, never a throw.
 */
import { describe, expect, it } from "vitest";
import type { WebToolSpec } from "../../src/ir/web-tools.js";
import { WebRunner } from "../../src/pipeline/web-tools-run.js";
import type { PageFetcher, SearchProvider, SearchQuery } from "../../src/search/types.js";

const SEARCH: WebToolSpec = { kind: "search", name: "web_search", dialect: "anthropic", maxUses: 2 };
const FETCH: WebToolSpec = { kind: "fetch", name: "web_fetch", dialect: "anthropic" };

function provider(search: (q: SearchQuery) => Promise<{ url: string; title: string; snippet: string }[]>) {
  const asked: SearchQuery[] = [];
  const p: SearchProvider = {
    name: "p",
    kind: "searxng",
    nanosPerSearch: 7,
    search: (q) => {
      asked.push(q);
      return search(q);
    },
  };
  return { p, asked };
}

const args = (o: object) => JSON.stringify(o);

describe("WebRunner", () => {
  it("gives a timeout result when the provider never answers, and aborts its call", async () => {
    const { p, asked } = provider(() => new Promise(() => undefined));
    const runner = new WebRunner({ search: p }, new AbortController().signal, 50);
    const out = await runner.run(SEARCH, args({ query: "q" }));
    expect(out.error?.code).toBe("timeout");
    expect(out.text).toContain("web_search failed (timeout)");
    expect(asked[0]!.signal.aborted).toBe(true);
  });

  it("counts uses per tool and refuses the one past max_uses", async () => {
    const { p, asked } = provider(async (q) => [{ url: "https://a.example/", title: "A", snippet: q.query }]);
    const runner = new WebRunner({ search: p }, new AbortController().signal);
    const outs = [];
    for (const q of ["one", "two", "three"]) outs.push(await runner.run(SEARCH, args({ query: q })));
    expect(outs.map((o) => o.error?.code)).toEqual([undefined, undefined, "max_uses_exceeded"]);
    expect(asked.map((q) => q.query)).toEqual(["one", "two"]);
    expect(runner.searches).toBe(2);
    expect(runner.nanos).toBe(14);
    expect(runner.queries).toEqual(["one", "two"]);
    expect(outs[0]!.text).toContain("URL: https://a.example/");
  });

  it("passes the client's domains, location and result count to the provider", async () => {
    const { p, asked } = provider(async () => []);
    const runner = new WebRunner({ search: p }, new AbortController().signal);
    const spec: WebToolSpec = {
      ...SEARCH,
      allowedDomains: ["example.org"],
      blockedDomains: ["bad.example"],
      userLocation: { country: "FR", city: "Paris" },
      count: 3,
    };
    const out = await runner.run(spec, args({ query: "q" }));
    expect(asked[0]).toMatchObject({
      query: "q",
      count: 3,
      allowedDomains: ["example.org"],
      blockedDomains: ["bad.example"],
      userLocation: { country: "FR", city: "Paris" },
    });
    expect(out.text).toBe('No web results for "q".');
  });

  it("keeps to the allowed and blocked domains whatever the provider answers", async () => {
    const urls = [
      "https://example.org/a",
      "https://docs.example.org/b",
      "https://bad.example.org/c",
      "https://other.net/",
    ];
    const { p } = provider(async () => urls.map((url) => ({ url, title: url, snippet: "" })));
    const runner = new WebRunner({ search: p }, new AbortController().signal);
    const spec: WebToolSpec = { ...SEARCH, allowedDomains: ["example.org"], blockedDomains: ["bad.example.org"] };
    const out = await runner.run(spec, args({ query: "q" }));
    expect(out.hits?.map((h) => h.url)).toEqual(["https://example.org/a", "https://docs.example.org/b"]);
  });

  it("refuses bad input before asking anyone, and turns a provider's failure into an error result", async () => {
    const { p, asked } = provider(async () => {
      throw new Error("socket hang up");
    });
    const fetcher: PageFetcher = { nanosPerFetch: 0, fetch: async () => Promise.reject(new Error("never")) };
    const runner = new WebRunner({ search: p, fetcher }, new AbortController().signal);
    expect((await runner.run(SEARCH, "not json")).error?.code).toBe("invalid_input");
    expect((await runner.run(SEARCH, args({ query: "x".repeat(501) }))).error?.code).toBe("query_too_long");
    expect((await runner.run(FETCH, args({ url: "file:///etc/passwd" }))).error?.code).toBe("invalid_input");
    expect(asked).toHaveLength(0);
    const failed = await runner.run({ ...SEARCH, maxUses: 10 }, args({ query: "q" }));
    expect(failed.error).toEqual({ code: "unavailable", message: "socket hang up" });
  });

  it("says web search is unavailable when no provider is configured", async () => {
    const runner = new WebRunner({}, new AbortController().signal);
    expect((await runner.run(SEARCH, args({ query: "q" }))).error?.code).toBe("unavailable");
    expect((await runner.run(FETCH, args({ url: "https://example.org/" }))).error?.code).toBe("unavailable");
  });
});
