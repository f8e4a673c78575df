/**
 * Admission holds the search provider's price (issue 42): a request whose web search llmux runs holds each use
 * `max_uses` allows at the provider's price per search, on top of the model's rounds, so a key whose budget is
 * just below that is refused before the upstream is called, with the budget named; one use fewer fits. On
 * SQLite and PostgreSQL (the budget's book is the database).
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockRequest, MockTurn } from "../../src/mock/server.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { type Body, type Harness, startHarness } from "../support/gateway.js";
import { ADMIN, admin, MASTER } from "../support/team.js";
import { type SearxngFake, startSearxngFake } from "../support/web-search-fake.js";

/** The model: searches once, then answers. */
function model(_body: unknown, req: MockRequest): MockTurn {
  if (req.raw.includes("Web search results for")) return { blocks: [{ type: "text", text: "It is 42." }] };
  if (!req.raw.includes('"web_search"')) return { blocks: [{ type: "text", text: "No search tool." }] };
  return { blocks: [{ type: "tool_call", name: "web_search", arguments: JSON.stringify({ query: "life" }) }] };
}

let searx: SearxngFake;
beforeAll(async () => {
  searx = await startSearxngFake();
});
afterAll(() => searx.close());

describe.each(ENGINES)("admission holds the searches' price on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await startHarness(
      () => ({
        store: where.url ? { url: where.url } : { path: where.path },
        admin: { keys: [ADMIN] },
        secrets: { master_key: MASTER },
        // $1 a search: max_uses 5 holds $5, max_uses 4 holds $4 (the model's rounds cost a fraction of a cent).
        search: { providers: { sx: { kind: "searxng", url: searx.url, price_per_1000: 1000 } } },
      }),
      { fallback: model },
    );
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    await where.drop();
  });

  const ask = (key: string, maxUses: number) =>
    new Anthropic({ apiKey: key, baseURL: h.url, maxRetries: 0 }).messages.create({
      model: "via-openai-chat",
      max_tokens: 200,
      messages: [{ role: "user", content: "What is the meaning of life? Search the web." }],
      tools: [{ type: "web_search_20250305", name: "web_search", max_uses: maxUses }],
    });

  it("a budget just below max_uses × the price per search refuses before the upstream is called; one use fewer fits", async () => {
    const r = await admin(h, "POST", "/keys", { name: "searcher", budget: { usd: 4.99, period: "day" } });
    expect(r.status).toBe(201);
    const key = r.body.key as string;
    const upstreamBefore = h.mock.requests.length;
    const searchesBefore = searx.queries.length;
    const err = await ask(key, 5).then(
      () => undefined,
      (e: unknown) => e as { status: number; message: string },
    );
    expect(err?.status, err?.message).toBe(402);
    expect(err?.message).toMatch(/this API key has spent \$0\.00 of its daily budget of \$4\.99/);
    expect(err?.message).toMatch(
      /The \$4\.99 left does not fit what this request may cost, \$5\.00 \(\$5\.00 of it for the web searches and fetches its tools' max_uses allow\)/,
    );
    expect(err?.message).toContain("fewer web searches (max_uses)");
    expect(h.mock.requests.length).toBe(upstreamBefore);
    expect(searx.queries.length).toBe(searchesBefore);

    const m = await ask(key, 4);
    const content = m.content as unknown as Body[];
    expect(content.map((b) => b.type)).toContain("web_search_tool_result");
    expect(m.usage.server_tool_use?.web_search_requests).toBe(1);
    expect(searx.queries.length).toBe(searchesBefore + 1);
  });
});
