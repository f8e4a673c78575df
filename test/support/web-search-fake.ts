/**
 * A SearXNG-shaped search server (`GET /search?q=…&format=json`, its JSON answer) and the tiny adapter the web
 * tool emulation's tests run it through (a SearchProvider over its JSON API), plus a page fetcher over a local
 * page server. Stand-ins for the providers of src/search/ in the emulation's own tests.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { FetchedPage, PageFetcher, SearchHit, SearchProvider, SearchQuery } from "../../src/search/types.js";
import { WebToolError } from "../../src/search/types.js";

export interface SearxngFake {
  url: string;
  /** The queries it was asked, in order. */
  readonly queries: string[];
  /** What it does: answer (default), fail with a 500, or never answer. */
  mode: "answer" | "fail" | "hang";
  close(): Promise<void>;
}

export interface FakeResult {
  url: string;
  title: string;
  content: string;
  publishedDate?: string;
}

/** Results for a query: two pages about it, by default. */
export function defaultResults(q: string): FakeResult[] {
  const slug = q.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return [
    {
      url: `https://example.org/${slug}`,
      title: `All about ${q}`,
      content: `The answer to ${q} is 42.`,
      publishedDate: "2025-01-02",
    },
    { url: `https://docs.example.com/${slug}`, title: `${q}: the docs`, content: `Docs for ${q}.` },
  ];
}

export async function startSearxngFake(results = defaultResults): Promise<SearxngFake> {
  const queries: string[] = [];
  const sockets = new Set<import("node:net").Socket>();
  const fake: SearxngFake = {
    url: "",
    queries,
    mode: "answer",
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    if (u.pathname !== "/search" || u.searchParams.get("format") !== "json") {
      res.writeHead(404).end();
      return;
    }
    const q = u.searchParams.get("q") ?? "";
    queries.push(q);
    if (fake.mode === "hang") return;
    if (fake.mode === "fail") {
      res.writeHead(500).end("boom");
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ query: q, number_of_results: 2, results: results(q) }));
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** A SearchProvider over a SearXNG JSON API (the tests' adapter; the real one is src/search's). */
export function searxngProvider(baseUrl: string, nanosPerSearch = 5_000_000): SearchProvider {
  return {
    name: "searxng-fake",
    kind: "searxng",
    nanosPerSearch,
    async search(q: SearchQuery): Promise<SearchHit[]> {
      const u = new URL("/search", baseUrl);
      u.searchParams.set("q", q.query);
      u.searchParams.set("format", "json");
      let res: Response;
      try {
        res = await fetch(u, { signal: q.signal });
      } catch (err) {
        throw new WebToolError("unavailable", (err as Error).message);
      }
      if (!res.ok) throw new WebToolError("unavailable", `searxng answered ${res.status}`);
      const body = (await res.json()) as { results?: FakeResult[] };
      return (body.results ?? []).slice(0, q.count).map((r) => {
        const hit: SearchHit = { url: r.url, title: r.title, snippet: r.content };
        if (r.publishedDate) hit.pageAge = r.publishedDate;
        return hit;
      });
    },
  };
}

/** A PageFetcher over plain HTTP (no SSRF guard: the tests' stand-in; the real one is src/search's). */
export function plainFetcher(): PageFetcher & { readonly urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    nanosPerFetch: 0,
    async fetch(url, opts): Promise<FetchedPage> {
      urls.push(url);
      const res = await fetch(url, { signal: opts.signal }).catch((err: Error) => {
        throw new WebToolError("url_not_accessible", err.message);
      });
      if (!res.ok) throw new WebToolError("url_not_accessible", `the page answered ${res.status}`);
      const text = await res.text();
      const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1];
      const plain = text
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim();
      return {
        url,
        finalUrl: res.url || url,
        title,
        contentType: res.headers.get("content-type") ?? "text/html",
        text: plain,
        truncated: false,
        bytes: text.length,
        retrievedAt: new Date().toISOString(),
      };
    },
  };
}
