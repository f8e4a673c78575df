/**
 * The web tools' decoders (issue 42), called in process: each search provider's answer (SearXNG, Brave, Tavily,
 * Exa) as its adapter reads it, and fetched pages as the fetcher turns them into text. An answer may be refused
 * only as a WebToolError; every hit kept is an http(s) URL with string fields; a page always becomes text.
 */
import fc from "fast-check";
import { decodeBrave } from "../../src/search/brave.js";
import { decodeExa } from "../../src/search/exa.js";
import { htmlToText } from "../../src/search/html-text.js";
import { MAX_PROVIDER_ANSWER } from "../../src/search/provider-call.js";
import { decodeSearxng } from "../../src/search/searxng.js";
import { decodeTavily } from "../../src/search/tavily.js";
import type { SearchHit } from "../../src/search/types.js";
import { WebToolError } from "../../src/search/types.js";
import { bytesMutant, type Json, jsonMutant } from "../mutate.js";
import { type Target, unexpected } from "../target.js";

const hit = (n: number) => ({ url: `https://r${n}.example/p?q=${n}`, title: `Result ${n} &amp; <b>more</b>` });

const SEEDS: Record<string, { decode: (json: unknown) => SearchHit[]; seeds: Json[] }> = {
  searxng: {
    decode: decodeSearxng,
    seeds: [
      {
        query: "q",
        number_of_results: 2,
        results: [
          { ...hit(1), content: "one", engine: "duckduckgo", publishedDate: "2026-01-02T00:00:00", score: 1 },
          { ...hit(2), content: "two", publishedDate: null, parsed_url: ["https", "r2.example"] },
        ],
        answers: [],
        suggestions: ["x"],
      },
    ],
  },
  brave: {
    decode: decodeBrave,
    seeds: [
      {
        type: "search",
        query: { original: "q" },
        web: { type: "search", results: [{ ...hit(1), description: "one <strong>two</strong>", age: "2 days ago" }] },
      },
      { type: "search", query: { original: "q" } },
    ],
  },
  tavily: {
    decode: decodeTavily,
    seeds: [{ query: "q", results: [{ ...hit(1), content: "one", score: 0.9, raw_content: null }], response_time: 1 }],
  },
  exa: {
    decode: decodeExa,
    seeds: [
      {
        requestId: "r",
        results: [{ id: "i", ...hit(1), text: "page text", publishedDate: "2026-03-01T00:00:00.000Z", author: null }],
      },
    ],
  },
};

/** A search provider's answer, mutated, through its adapter's decoder. */
export const searchAnswers: Target<{ kind: string; body: string }> = {
  name: "search-answers",
  level: "decoder",
  input: fc.oneof(...Object.entries(SEEDS).map(([kind, s]) => jsonMutant(s.seeds).map((body) => ({ kind, body })))),
  async run({ kind, body }) {
    // The provider call reads at most this much of an answer and refuses a larger one (`unavailable`) before any
    // decoder: a mutant past it (nested repeats reach hundreds of MB) is not an answer a decoder can be given.
    if (Buffer.byteLength(body) > MAX_PROVIDER_ANSWER) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      return undefined; // the provider call refuses what is not JSON before any decoder
    }
    try {
      const hits = SEEDS[kind]!.decode(json);
      for (const h of hits) {
        if (!/^https?:\/\//.test(h.url)) return `a hit kept a URL that is not http(s): ${h.url.slice(0, 80)}`;
        if (typeof h.title !== "string" || typeof h.snippet !== "string") return "a hit with a field not a string";
        if (h.snippet.length > 4000 || h.title.length > 500) return "a hit past its field bounds";
      }
      return undefined;
    } catch (err) {
      return unexpected(err, WebToolError);
    }
  },
  describe: ({ kind, body }) => `${kind} ${body.slice(0, 400)}`,
};

const PAGES = [
  '<!doctype html><html><head><title>T &amp; t</title><script>x="</p>"</script></head><body><h1>H</h1><p>a <a href="/">b</a></p><ul><li>1</li></ul><table><tr><td>c</td></tr></table></body></html>',
  '<meta property="og:title" content="OG"><div><pre>  code\n  block</pre><svg><text>s</text></svg><noscript>n</noscript>',
  "<p>unclosed <b>tags <i>everywhere<p>and &#x1F600; &#0; &bogus; entities",
].map((p) => Buffer.from(p));

/** A fetched HTML page, mutated bytes decoded as the fetcher decodes them, into text and a title. */
export const fetchedPages: Target<Buffer> = {
  name: "fetched-pages",
  level: "decoder",
  input: bytesMutant(PAGES),
  async run(bytes) {
    // The fetcher reads at most fetch.max_bytes (default 1 MB, at most this) of a page before converting it.
    if (bytes.length > MAX_PROVIDER_ANSWER) return undefined;
    try {
      const page = htmlToText(new TextDecoder("utf-8").decode(bytes));
      if (typeof page.text !== "string") return "no text";
      if (page.title !== undefined && page.title.length > 500) return "a title past 500 characters";
      return undefined;
    } catch (err) {
      return unexpected(err);
    }
  },
  describe: (bytes) => bytes.toString("latin1").slice(0, 400),
};

export const searchTargets: Target<never>[] = [searchAnswers, fetchedPages] as Target<never>[];
