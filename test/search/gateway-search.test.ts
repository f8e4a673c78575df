/**
 * The web tools as the gateway builds them from `search:` (issue 42): an Anthropic client's web_search over a
 * Chat Completions upstream runs through the SearXNG adapter of src/search/ against a SearXNG-shaped fake, is
 * counted on /metrics; a caller `search.allow` does not admit gets the tool removed and the model told.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockRequest, MockTurn } from "../../src/mock/server.js";
import { type Body, type Harness, startHarness } from "../support/gateway.js";
import { type SearxngFake, startSearxngFake } from "../support/web-search-fake.js";

const SEARCH = { type: "web_search_20250305", name: "web_search", max_uses: 3 } as const;
const QUERY = "meaning of life";

function model(_body: unknown, req: MockRequest): MockTurn {
  if (req.raw.includes("Web search results for")) {
    const url = /URL: (https:[^\s\\"]+)/.exec(req.raw)?.[1] ?? "none";
    return { blocks: [{ type: "text", text: `It is 42 (source: ${url}).` }] };
  }
  if (!req.raw.includes('"web_search"')) return { blocks: [{ type: "text", text: "No search tool." }] };
  return { blocks: [{ type: "tool_call", name: "web_search", arguments: JSON.stringify({ query: QUERY }) }] };
}

let searx: SearxngFake;
beforeAll(async () => {
  searx = await startSearxngFake();
});
afterAll(() => searx.close());

const ask = (h: Harness, key = "svc-key-1") =>
  new Anthropic({ apiKey: key, baseURL: h.url, maxRetries: 0 }).messages.create({
    model: "via-openai-chat",
    max_tokens: 500,
    messages: [{ role: "user", content: "What is the meaning of life? Search the web." }],
    tools: [SEARCH],
  });

describe("search: in the configuration, through the gateway", () => {
  it("the SearXNG adapter runs the search, the answer cites it, /metrics counts it", async () => {
    const h = await startHarness(
      () => ({
        auth: { keys: ["svc-key-1"] },
        admin: { keys: ["admin-key-123456"] },
        search: { providers: { sx: { kind: "searxng", url: searx.url } } },
      }),
      { fallback: model },
    );
    try {
      const m = await ask(h);
      const content = m.content as unknown as Body[];
      expect(content.map((b) => b.type)).toContain("web_search_tool_result");
      const result = content.find((b) => b.type === "web_search_tool_result")!;
      expect(result.content[0]).toMatchObject({
        type: "web_search_result",
        url: "https://example.org/meaning-of-life",
      });
      expect(m.usage.server_tool_use?.web_search_requests).toBe(1);
      expect(searx.queries.at(-1)).toBe(QUERY);
      const text = await (
        await fetch(`${h.url}/metrics`, { headers: { authorization: "Bearer admin-key-123456" } })
      ).text();
      expect(text).toContain('llmux_web_searches_total{provider="sx",outcome="ok"} 1');
    } finally {
      await h.close();
    }
  });

  it("a key search.allow does not admit: the tool is removed, the model told, nothing searched", async () => {
    const h = await startHarness(
      () => ({
        auth: { keys: ["svc-key-1"] },
        search: { providers: { sx: { kind: "searxng", url: searx.url } }, allow: { keys: ["ci-*"] } },
      }),
      { fallback: model },
    );
    try {
      const before = searx.queries.length;
      const m = await ask(h);
      expect((m.content as unknown as Body[]).map((b) => b.type)).not.toContain("server_tool_use");
      expect(searx.queries.length).toBe(before);
      const up = h.mock.requests.find((r) => r.path.endsWith("/chat/completions"))!;
      expect(JSON.stringify(up.body)).not.toContain('"web_search"');
      expect(JSON.stringify(up.body)).toContain("not allowed to use web search");
    } finally {
      await h.close();
    }
  });

  it("search.calls_per_minute: the key's second search in the minute is a too_many_requests result", async () => {
    const h = await startHarness(
      () => ({
        auth: { keys: ["svc-key-1"] },
        search: { providers: { sx: { kind: "searxng", url: searx.url } }, calls_per_minute: 1 },
      }),
      { fallback: model },
    );
    try {
      const first = (await ask(h)).content as unknown as Body[];
      expect(first.find((b) => b.type === "web_search_tool_result")!.content[0].type).toBe("web_search_result");
      const before = searx.queries.length;
      const second = (await ask(h)).content as unknown as Body[];
      expect(second.find((b) => b.type === "web_search_tool_result")!.content).toEqual({
        type: "web_search_tool_result_error",
        error_code: "too_many_requests",
      });
      expect(searx.queries.length).toBe(before);
    } finally {
      await h.close();
    }
  });
});
