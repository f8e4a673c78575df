/**
 * Web search and fetch on an upstream that cannot run them (issue 42, src/pipeline/web-tools-*.ts): an
 * Anthropic client's web_search server tool over an OpenAI Chat upstream, read with the official SDKs. The
 * model (the scripted mock) calls the function llmux declared, llmux runs it against a SearXNG-shaped fake,
 * feeds the results back and the model answers citing them; the client sees server_tool_use and
 * web_search_tool_result blocks and the searches in its usage, as a native search shows them.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI, type GroundingSupport } from "@google/genai";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { MockRequest, MockTurn } from "../../src/mock/server.js";
import { type Body, eventually, type Harness, startHarness } from "../support/gateway.js";
import { plainFetcher, type SearxngFake, searxngProvider, startSearxngFake } from "../support/web-search-fake.js";

const SEARCH = { type: "web_search_20250305", name: "web_search", max_uses: 5 } as const;
const QUERY = "meaning of life";
const FIRST_URL = "https://example.org/meaning-of-life";

/** The model: searches once, then answers citing the first result's URL (or says what failed). */
function model(_body: unknown, req: MockRequest): MockTurn {
  if (req.raw.includes("web_fetch failed") || req.raw.includes("URL: http://127.0.0.1"))
    return { blocks: [{ type: "text", text: "The page says: fetched fine." }] };
  if (req.raw.includes("Web search results for")) {
    const url = /URL: (https:[^\s\\"]+)/.exec(req.raw)?.[1] ?? "none";
    return { blocks: [{ type: "text", text: `It is 42 (source: ${url}).` }] };
  }
  if (req.raw.includes("max_uses_exceeded") || req.raw.includes("web_search failed"))
    return { blocks: [{ type: "text", text: "The search is not working." }] };
  if (req.raw.includes('"web_fetch"')) {
    const page = /FETCH (http:\/\/[^\s\\"]+)/.exec(req.raw)?.[1] ?? "http://invalid";
    return {
      blocks: [
        { type: "text", text: "Fetching." },
        { type: "tool_call", name: "web_fetch", arguments: JSON.stringify({ url: page }) },
      ],
    };
  }
  if (!req.raw.includes('"web_search"')) return { blocks: [{ type: "text", text: "No search tool." }] };
  return {
    blocks: [
      { type: "text", text: "Let me search." },
      { type: "tool_call", name: "web_search", arguments: JSON.stringify({ query: QUERY }) },
    ],
  };
}

let h: Harness;
let searx: SearxngFake;
let pages: Server;
let pagesUrl: string;
const fetcher = plainFetcher();

beforeAll(async () => {
  searx = await startSearxngFake();
  pages = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end("<html><head><title>Local page</title></head><body><p>The local page text.</p></body></html>");
  });
  await new Promise<void>((r) => pages.listen(0, "127.0.0.1", r));
  pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}/page`;
  h = await startHarness(
    () => ({}),
    { fallback: model },
    {
      webTools: { search: searxngProvider(searx.url), fetcher },
    },
  );
});

afterAll(async () => {
  await h.close();
  await searx.close();
  await new Promise<void>((r) => pages.close(() => r()));
});

beforeEach(() => {
  h.mock.reset();
  searx.queries.length = 0;
  searx.mode = "answer";
});

const sdk = () => new Anthropic({ apiKey: "k", baseURL: h.url, maxRetries: 0 });
const ASK = [{ role: "user" as const, content: "What is the meaning of life? Search the web." }];

function upstreamBodies(): Body[] {
  return h.mock.requests.filter((r) => r.path.endsWith("/chat/completions")).map((r) => r.body as Body);
}

function expectSearched(content: Body[]) {
  expect(content.map((b) => b.type)).toEqual(["text", "server_tool_use", "web_search_tool_result", "text"]);
  const [, use, result, answer] = content;
  expect(use).toMatchObject({ name: "web_search", input: { query: QUERY } });
  expect(use!.id).toMatch(/^srvtoolu_/);
  expect(result!.tool_use_id).toBe(use!.id);
  expect(result!.content[0]).toMatchObject({ type: "web_search_result", url: FIRST_URL, page_age: "2025-01-02" });
  expect(typeof result!.content[0].encrypted_content).toBe("string");
  expect(answer!.text).toContain(FIRST_URL);
  // The answer's text cited to the result it names, as a native search cites it.
  expect(answer!.citations).toHaveLength(1);
  expect(answer!.citations[0]).toMatchObject({
    type: "web_search_result_location",
    url: FIRST_URL,
    title: `All about ${QUERY}`,
    cited_text: `The answer to ${QUERY} is 42.`,
  });
  expect(typeof answer!.citations[0].encrypted_index).toBe("string");
}

describe("web search for an Anthropic client on a Chat Completions upstream", () => {
  it("streams the search as server_tool_use + web_search_tool_result and the answer citing it", async () => {
    const events: string[] = [];
    const stream = sdk().messages.stream({
      model: "via-openai-chat",
      max_tokens: 1000,
      messages: ASK,
      tools: [SEARCH],
    });
    stream.on("streamEvent", (e) => events.push(e.type === "content_block_start" ? e.content_block.type : e.type));
    const m = await stream.finalMessage();
    expectSearched(m.content as unknown as Body[]);
    expect(m.stop_reason).toBe("end_turn");
    expect(m.usage.server_tool_use?.web_search_requests).toBe(1);
    expect(events.filter((e) => e === "message_start")).toHaveLength(1);
    expect(searx.queries).toEqual([QUERY]);
    const [first, second] = upstreamBodies();
    expect(first!.tools.map((t: Body) => t.function.name)).toContain("web_search");
    expect(JSON.stringify(first)).not.toContain("web_search_20250305");
    expect(JSON.stringify(second!.messages.at(-1))).toContain("The answer to meaning of life is 42.");
    // the usage of both upstream calls, summed
    expect(m.usage.output_tokens).toBeGreaterThan(0);
    // the search on the request's log line, with its price in the cost
    const line = await eventually(() => h.logs.find((l) => (l.web as Body | undefined)?.searches === 1));
    expect(line.web).toEqual({ searches: 1, fetches: 0, queries: [QUERY], urls: [] });
    expect(line.cost_usd).toBeGreaterThanOrEqual(0.005); // the fake provider's $5 per 1,000 searches
  });

  it("answers a client that waits for the whole message the same way", async () => {
    const m = await sdk().messages.create({
      model: "via-openai-chat",
      max_tokens: 1000,
      messages: ASK,
      tools: [SEARCH],
    });
    expectSearched(m.content as unknown as Body[]);
    expect(m.usage.server_tool_use?.web_search_requests).toBe(1);
  });

  it("gives the model the same results again when the client sends the blocks back next turn", async () => {
    const m = await sdk().messages.create({
      model: "via-openai-chat",
      max_tokens: 1000,
      messages: ASK,
      tools: [SEARCH],
    });
    h.mock.reset();
    await sdk().messages.create({
      model: "via-openai-chat",
      max_tokens: 1000,
      tools: [SEARCH],
      messages: [...ASK, { role: "assistant", content: m.content as never }, { role: "user", content: "Thanks!" }],
    });
    const [body] = upstreamBodies();
    const msgs = body!.messages as Body[];
    const call = msgs.find((x) => x.role === "assistant" && x.tool_calls)!;
    expect(call.tool_calls[0].function).toMatchObject({ name: "web_search" });
    const result = msgs.find((x) => x.role === "tool")!;
    expect(result.tool_call_id).toBe(call.tool_calls[0].id);
    expect(JSON.stringify(result.content)).toContain("The answer to meaning of life is 42.");
    expect(JSON.stringify(body)).not.toContain("server_tool_use");
  });

  it("stops at max_uses: the extra search gets max_uses_exceeded and the model goes on", async () => {
    const loop = (_b: unknown, req: MockRequest): MockTurn =>
      req.raw.includes("max_uses_exceeded")
        ? { blocks: [{ type: "text", text: "Enough searching." }] }
        : { blocks: [{ type: "tool_call", name: "web_search", arguments: JSON.stringify({ query: QUERY }) }] };
    h.mock.enqueue(loop(null, { raw: "" } as MockRequest), loop(null, { raw: "" } as MockRequest));
    h.mock.enqueue(loop(null, { raw: "" } as MockRequest), { blocks: [{ type: "text", text: "Enough searching." }] });
    const m = await sdk().messages.create({
      model: "via-openai-chat",
      max_tokens: 1000,
      messages: ASK,
      tools: [{ ...SEARCH, max_uses: 2 }],
    });
    const results = (m.content as unknown as Body[]).filter((b) => b.type === "web_search_tool_result");
    expect(results).toHaveLength(3);
    expect(results[2]!.content).toEqual({ type: "web_search_tool_result_error", error_code: "max_uses_exceeded" });
    expect(searx.queries).toHaveLength(2);
    expect(m.usage.server_tool_use?.web_search_requests).toBe(2);
    expect((m.content.at(-1) as Body).text).toBe("Enough searching.");
    expect(JSON.stringify(upstreamBodies().at(-1))).toContain("max_uses_exceeded");
  });

  it("a failing search provider gives the model an error result, and the answer goes on", async () => {
    searx.mode = "fail";
    const m = await sdk().messages.create({
      model: "via-openai-chat",
      max_tokens: 1000,
      messages: ASK,
      tools: [SEARCH],
    });
    const result = (m.content as unknown as Body[]).find((b) => b.type === "web_search_tool_result")!;
    expect(result.content).toEqual({ type: "web_search_tool_result_error", error_code: "unavailable" });
    expect((m.content.at(-1) as Body).text).toBe("The search is not working.");
  });

  it("passes the tool through untouched to an Anthropic upstream (it runs the search itself)", async () => {
    await sdk().messages.create({ model: "via-anthropic", max_tokens: 1000, messages: ASK, tools: [SEARCH] });
    const sent = h.mock.requests.find((r) => r.path === "/v1/messages")!;
    expect((sent.body as Body).tools).toEqual([SEARCH]);
    expect(searx.queries).toEqual([]);
  });

  it("fetches a page for web_fetch and shows it as web_fetch_tool_result", async () => {
    const m = await sdk().messages.create({
      model: "via-openai-chat",
      max_tokens: 1000,
      messages: [{ role: "user", content: `FETCH ${pagesUrl} please` }],
      tools: [{ type: "web_fetch_20250910", name: "web_fetch", max_uses: 3 } as never],
    });
    const content = m.content as unknown as Body[];
    expect(content.map((b) => b.type)).toEqual(["text", "server_tool_use", "web_fetch_tool_result", "text"]);
    expect(content[1]).toMatchObject({ name: "web_fetch", input: { url: pagesUrl } });
    expect(content[2]!.content).toMatchObject({
      type: "web_fetch_result",
      url: pagesUrl,
      content: { type: "document", source: { type: "text", media_type: "text/plain" }, title: "Local page" },
    });
    expect(content[2]!.content.content.source.data).toContain("The local page text.");
    expect(m.usage.server_tool_use?.web_fetch_requests).toBe(1);
  });
});

describe("web search for a Responses client on a Chat Completions upstream", () => {
  it("shows the search as a web_search_call item with its events, and the answer citing it", async () => {
    const oa = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
    const stream = oa.responses.stream({
      model: "via-openai-chat",
      input: "What is the meaning of life? Search the web.",
      tools: [{ type: "web_search" }],
      store: false,
    });
    const seen: string[] = [];
    stream.on("event", (e) => seen.push(e.type));
    const r = await stream.finalResponse();
    const call = r.output.find((i) => i.type === "web_search_call")!;
    expect(call).toMatchObject({ status: "completed", action: { type: "search", query: QUERY } });
    expect(JSON.stringify(call)).toContain(FIRST_URL);
    expect(r.output_text).toContain(FIRST_URL);
    const texts = r.output.flatMap((i) => (i.type === "message" ? (i.content as Body[]) : []));
    const text = texts.find((t) => String(t.text).includes(FIRST_URL))!;
    expect(text.annotations).toEqual([
      {
        type: "url_citation",
        url: FIRST_URL,
        title: `All about ${QUERY}`,
        start_index: text.text.indexOf(FIRST_URL),
        end_index: text.text.indexOf(FIRST_URL) + FIRST_URL.length,
      },
    ]);
    for (const t of ["in_progress", "searching", "completed"]) expect(seen).toContain(`response.web_search_call.${t}`);
    expect(searx.queries).toEqual([QUERY]);
  });
});

describe("web search for a Responses client: the next turn", () => {
  it("puts the web_search_call it sends back as the call and its result for the upstream", async () => {
    const oa = new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
    const first = await oa.responses.create({
      model: "via-openai-chat",
      input: "What is the meaning of life? Search the web.",
      tools: [{ type: "web_search" }],
      store: false,
    });
    h.mock.reset();
    await oa.responses.create({
      model: "via-openai-chat",
      input: [
        { role: "user", content: "What is the meaning of life? Search the web." },
        ...(first.output as never[]),
        { role: "user", content: "Thanks!" },
      ],
      tools: [{ type: "web_search" }],
      store: false,
    });
    const msgs = upstreamBodies()[0]!.messages as Body[];
    const call = msgs.find((x) => x.role === "assistant" && x.tool_calls)!;
    expect(call.tool_calls[0].function).toEqual({ name: "web_search", arguments: JSON.stringify({ query: QUERY }) });
    const result = msgs.find((x) => x.role === "tool")!;
    expect(result.tool_call_id).toBe(call.tool_calls[0].id);
    expect(JSON.stringify(result.content)).toContain(FIRST_URL);
  });
});

describe("Google Search grounding for a Gemini client on a Chat Completions upstream", () => {
  it("runs the search and answers with groundingMetadata (queries, sources and supports), streamed and whole", async () => {
    const ai = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: h.url, retryOptions: { attempts: 1 } } });
    const ask = {
      model: "via-openai-chat",
      contents: "What is the meaning of life? Search the web.",
      config: { tools: [{ googleSearch: {} }] },
    };
    let text = "";
    let grounding: Body | undefined;
    for await (const chunk of await ai.models.generateContentStream(ask)) {
      text += chunk.text ?? "";
      grounding = (chunk.candidates?.[0]?.groundingMetadata as Body | undefined) ?? grounding;
    }
    expect(text).toContain(FIRST_URL);
    expect(grounding).toMatchObject({
      webSearchQueries: [QUERY],
      groundingChunks: [{ web: { uri: FIRST_URL, title: `All about ${QUERY}` } }, { web: {} }],
    });
    // The sentence citing the first result, in UTF-8 bytes of the answer's text as Gemini CLI reads them.
    const cites = (all: string, supports: GroundingSupport[] | undefined) => {
      expect(supports).toHaveLength(1);
      const { segment, groundingChunkIndices } = supports![0]!;
      expect(groundingChunkIndices).toEqual([0]);
      const cut = Buffer.from(all, "utf8")
        .subarray(segment!.startIndex ?? 0, segment!.endIndex)
        .toString("utf8");
      expect(cut).toBe(`It is 42 (source: ${FIRST_URL}).`);
      expect(segment!.text).toBe(cut);
    };
    cites(text, grounding?.groundingSupports as GroundingSupport[] | undefined);
    const whole = await ai.models.generateContent(ask);
    expect(whole.text).toContain(FIRST_URL);
    expect(whole.candidates?.[0]?.groundingMetadata?.webSearchQueries).toEqual([QUERY]);
    cites(whole.text ?? "", whole.candidates?.[0]?.groundingMetadata?.groundingSupports);
    expect(searx.queries).toEqual([QUERY, QUERY]);
  });
});

describe("a search that takes its time", () => {
  it("keeps the client's stream alive with pings while it runs", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const inner = searxngProvider(searx.url);
    const slow = {
      ...inner,
      search: async (q: Parameters<typeof inner.search>[0]) => gate.then(() => inner.search(q)),
    };
    const g = await startHarness(
      () => ({ streams: { ping_interval_ms: 20 } }),
      { fallback: model },
      {
        webTools: { search: slow },
      },
    );
    try {
      const res = await fetch(`${g.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "k", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({
          model: "via-openai-chat",
          max_tokens: 100,
          stream: true,
          messages: ASK,
          tools: [SEARCH],
        }),
      });
      let text = "";
      const decoder = new TextDecoder();
      for await (const chunk of res.body!) {
        text += decoder.decode(chunk as Uint8Array, { stream: true });
        // The search answers only once a ping came after its server_tool_use block.
        if (text.indexOf("event: ping", text.indexOf('"server_tool_use"')) > 0) release();
      }
      const use = text.indexOf('"server_tool_use"');
      expect(use).toBeGreaterThan(0);
      expect(text.indexOf("event: ping", use)).toBeGreaterThan(use);
      expect(text.indexOf('"web_search_tool_result"')).toBeGreaterThan(text.indexOf("event: ping", use));
      expect(text).toContain(FIRST_URL);
    } finally {
      release();
      await g.close();
    }
  });
});

describe("web search without a search provider", () => {
  it("removes the tool and tells the model, never a silent drop", async () => {
    const bare = await startHarness(() => ({}), { fallback: model });
    try {
      const m = await new Anthropic({ apiKey: "k", baseURL: bare.url, maxRetries: 0 }).messages.create({
        model: "via-openai-chat",
        max_tokens: 1000,
        messages: ASK,
        tools: [SEARCH],
      });
      expect((m.content[0] as Body).text).toBe("No search tool.");
      const sent = JSON.stringify(bare.mock.requests[0]!.body);
      expect(sent).toContain("the web_search tool is not available here");
      expect(sent).not.toContain('"name":"web_search"');
    } finally {
      await bare.close();
    }
  });
});
