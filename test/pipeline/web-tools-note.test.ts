/**
 * The request log's note of each web tool call (src/pipeline/web-tools-note.ts, kept by WebRunner, written by
 * src/requestlog/web-calls.ts): bounded (query and path cut, ten domains, forty notes and the rest counted),
 * and never a page's text, a snippet, a URL's query string nor its user name or password.
 */
import { describe, expect, it } from "vitest";
import type { WebToolSpec } from "../../src/ir/web-tools.js";
import { NOTE_PATH_CHARS, NOTE_QUERY_CHARS, noteOf } from "../../src/pipeline/web-tools-note.js";
import { WebRunner } from "../../src/pipeline/web-tools-run.js";
import { webCallsColumn, webCallsOfColumn } from "../../src/requestlog/web-calls.js";
import type { PageFetcher, SearchProvider } from "../../src/search/types.js";

const SEARCH: WebToolSpec = { kind: "search", name: "web_search", dialect: "anthropic", maxUses: 100 };
const FETCH: WebToolSpec = { kind: "fetch", name: "web_fetch", dialect: "anthropic" };

describe("a web tool call's note on the request-log row", () => {
  it("a search: its query cut, its results counted, ten domains each once, no snippet", () => {
    const hits = Array.from({ length: 14 }, (_, i) => ({
      url: `https://h${i % 12}.example/p?secret=1`,
      title: "t",
      snippet: "SNIPPET-TEXT",
    }));
    const note = noteOf({ spec: SEARCH, query: "q".repeat(500), hits });
    expect(note).toMatchObject({ tool: "search", status: "ok", results: 14 });
    if (note.tool !== "search") throw new Error("a search note");
    expect(note.query).toHaveLength(NOTE_QUERY_CHARS);
    expect(note.domains).toEqual(Array.from({ length: 10 }, (_, i) => `h${i}.example`));
    expect(JSON.stringify(note)).not.toContain("SNIPPET");
  });

  it("a fetch: domain and path only (no query string, fragment, user or password), the redirect's domain", () => {
    const url = `https://user:pw@Docs.Example.com/${"a".repeat(400)}?token=abc#frag`;
    const page = {
      url,
      finalUrl: "https://other.example/x",
      contentType: "text/html; charset=utf-8",
      text: "THE PAGE TEXT",
      truncated: true,
      bytes: 1234,
      retrievedAt: "2026-01-01T00:00:00Z",
    };
    const note = noteOf({ spec: FETCH, url, page });
    expect(note).toMatchObject({
      tool: "fetch",
      domain: "docs.example.com",
      status: "ok",
      redirected_to: "other.example",
      content_type: "text/html",
      bytes: 1234,
      truncated: true,
    });
    if (note.tool !== "fetch") throw new Error("a fetch note");
    expect(note.path).toHaveLength(NOTE_PATH_CHARS);
    const text = JSON.stringify(note);
    for (const never of ["token", "frag", "pw", "user", "THE PAGE TEXT"]) expect(text).not.toContain(never);
  });

  it("a failed call says its error code", () => {
    expect(noteOf({ spec: FETCH, url: "http://127.0.0.1/x", error: { code: "url_not_allowed" } })).toEqual({
      tool: "fetch",
      domain: "127.0.0.1",
      path: "/x",
      status: "url_not_allowed",
    });
  });

  it("the runner keeps forty notes and counts the rest; the column says so", async () => {
    const search: SearchProvider = {
      name: "p",
      kind: "searxng",
      nanosPerSearch: 0,
      search: async (q) => [{ url: "https://a.example/", title: "A", snippet: q.query }],
    };
    const fetcher: PageFetcher = {
      nanosPerFetch: 0,
      fetch: async () => {
        throw new Error("never here");
      },
    };
    const runner = new WebRunner({ search, fetcher }, new AbortController().signal);
    for (let i = 0; i < 45; i++) await runner.run(SEARCH, JSON.stringify({ query: `q${i}` }));
    await runner.run(FETCH, JSON.stringify({ url: "ftp://nope" }));
    expect(runner.notes).toHaveLength(40);
    expect(runner.notesOmitted).toBe(6);
    const column = webCallsColumn({
      searches: runner.searches,
      fetches: runner.fetches,
      queries: runner.queries,
      urls: runner.urls,
      nanos: 0,
      calls: runner.notes,
      omitted: runner.notesOmitted,
    });
    const log = webCallsOfColumn(column)!;
    expect(log).toMatchObject({ searches: 45, fetches: 0, omitted: 6 });
    expect(log.calls[39]).toMatchObject({ tool: "search", query: "q39", results: 1, domains: ["a.example"] });
    expect(webCallsColumn(undefined)).toBeNull();
  });
});
