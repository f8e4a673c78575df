/**
 * The searches and fetches llmux ran for a request on its request-log row (issue 42), on SQLite and
 * PostgreSQL: a model that searched twice and fetched once has a row listing the two queries with their result
 * counts and domains and the fetch's domain, path and status, through the admin API (the list and the detail);
 * never the fetched page's text, nor the URL's query string, unless `logging.bodies` keeps bodies (then the page
 * is in the bodies, as the model was given it, and still not on the row).
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockRequest, MockTurn } from "../../src/mock/server.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { type Body, type Harness, startHarness } from "../support/gateway.js";
import { ADMIN, call } from "../support/team.js";
import { type SearxngFake, startSearxngFake } from "../support/web-search-fake.js";
import { PageServer } from "./page-server.js";

const KEY = "svc-key-web-log-1";
const Q1 = "first question";
const Q2 = "second question";
/** Words of the fetched page's text (PAGE_HTML), and a token in the fetched URL's query string. */
const PAGE_WORDS = "First paragraph with";
const URL_TOKEN = "tok-3f9a1c";

/** The model: searches Q1, then Q2, then fetches the page, then answers. */
function model(page: () => string) {
  return (_body: unknown, req: MockRequest): MockTurn => {
    const call = (name: string, args: object): MockTurn => ({
      blocks: [{ type: "tool_call", name, arguments: JSON.stringify(args) }],
    });
    if (req.raw.includes(PAGE_WORDS)) return { blocks: [{ type: "text", text: "The page says hello." }] };
    if (req.raw.includes(`All about ${Q2}`)) return call("web_fetch", { url: page() });
    if (req.raw.includes(`All about ${Q1}`)) return call("web_search", { query: Q2 });
    if (req.raw.includes('"web_search"')) return call("web_search", { query: Q1 });
    return { blocks: [{ type: "text", text: "No tools." }] };
  };
}

async function until<T>(check: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

let searx: SearxngFake;
let pages: PageServer;
beforeAll(async () => {
  searx = await startSearxngFake();
  pages = await PageServer.start();
});
afterAll(async () => {
  await searx.close();
  await pages.close();
});

describe.each(ENGINES)("web tool calls on the request-log row on $engine", ({ fresh }) => {
  let where: TestLocation;
  beforeAll(async () => {
    where = await fresh();
  }, 30_000);
  afterAll(() => where.drop());

  /** A gateway on the engine, asks once, and answers the request's row (list and detail) once written. */
  async function ask(bodies: "off" | "all") {
    const pageUrl = pages.url(`/page.html?token=${URL_TOKEN}`);
    const h: Harness = await startHarness(
      () => ({
        store: where.url ? { url: where.url } : { path: where.path },
        auth: { keys: [KEY] },
        admin: { keys: [ADMIN] },
        logging: { bodies },
        search: {
          providers: { sx: { kind: "searxng", url: searx.url, price_per_1000: 5 } },
          fetch: { allow_private_addresses: true },
        },
      }),
      { fallback: model(() => pageUrl) },
    );
    try {
      const { data: m, response } = await new Anthropic({ apiKey: KEY, baseURL: h.url, maxRetries: 0 }).messages
        .create({
          model: "via-openai-chat",
          max_tokens: 500,
          messages: [{ role: "user", content: "Search twice, then read the page." }],
          tools: [
            { type: "web_search_20250305", name: "web_search", max_uses: 5 },
            { type: "web_fetch_20250910", name: "web_fetch", max_uses: 2 } as never,
          ],
        })
        .withResponse();
      const types = (m.content as unknown as Body[]).map((b) => b.type);
      expect(types.filter((t) => t === "web_search_tool_result")).toHaveLength(2);
      expect(types).toContain("web_fetch_tool_result");
      const id = response.headers.get("x-request-id") ?? "";
      expect(id).not.toBe("");
      const detail = await until(async () => {
        const r = await call(h.url, "GET", `/admin/v1/requests/${encodeURIComponent(id)}`, ADMIN);
        return r.status === 200 ? r.body : undefined;
      });
      const list = await call(h.url, "GET", "/admin/v1/requests?limit=50", ADMIN);
      const row = list.body.rows.find((r: { id: string }) => r.id === id);
      // The log line names the page without its query string.
      const line = await until(async () => h.logs.find((l) => l.req_id === id && l.web));
      expect((line.web as { urls: string[] }).urls).toEqual([pages.url("/page.html")]);
      expect(JSON.stringify(line)).not.toContain(URL_TOKEN);
      return { detail, row };
    } finally {
      await h.close();
    }
  }

  it("lists the two queries with their result counts and the fetch's domain and status; no page text", async () => {
    const { detail, row } = await ask("off");
    const web = {
      searches: 2,
      fetches: 1,
      calls: [
        { tool: "search", query: Q1, status: "ok", results: 2, domains: ["example.org", "docs.example.com"] },
        { tool: "search", query: Q2, status: "ok", results: 2, domains: ["example.org", "docs.example.com"] },
        {
          tool: "fetch",
          domain: "127.0.0.1",
          path: "/page.html",
          status: "ok",
          content_type: "text/html",
          bytes: expect.any(Number),
        },
      ],
    };
    expect(detail.web).toEqual(web);
    expect(row.web).toEqual(web);
    expect(detail.has_bodies).toBe(false);
    expect(detail.bodies).toBeNull();
    // The searches priced on the row: two at $5 per 1,000.
    expect(detail.cost_usd).toBeGreaterThanOrEqual(0.01);
    const text = JSON.stringify(detail);
    expect(text).not.toContain(PAGE_WORDS);
    expect(text).not.toContain(URL_TOKEN);
  });

  it("with logging.bodies the fetched page is in the kept bodies, and still not on the row", async () => {
    const { detail, row } = await ask("all");
    expect(detail.web.calls.map((c: { tool: string }) => c.tool)).toEqual(["search", "search", "fetch"]);
    expect(detail.has_bodies).toBe(true);
    expect(detail.bodies.upstream_request).toContain(PAGE_WORDS);
    expect(JSON.stringify(row)).not.toContain(PAGE_WORDS);
    expect(JSON.stringify(detail.web)).not.toContain(PAGE_WORDS);
  });
});
