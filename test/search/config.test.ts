// biome-ignore-all lint/suspicious/noTemplateCurlyInString: configuration values spell ${VAR} literally
/**
 * `search:` in the configuration (issue 42): errors that name the field, keys from the environment or sealed,
 * the WebTools built from it, who may use the tools, and the gateway's counters of each call.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/config/load.js";
import { SearchSchema } from "../../src/config/schema-search.js";
import type { Principal } from "../../src/identity/principal.js";
import { mayUseWebTools } from "../../src/search/allow.js";
import { buildWebTools } from "../../src/search/build.js";
import { nanosPerSearch, webToolNanos } from "../../src/search/cost.js";
import { WebToolError } from "../../src/search/types.js";
import { Keyring } from "../../src/secrets/cipher.js";
import { startHarness } from "../support/gateway.js";
import { FakeSearch } from "./fake-search.js";

let fake: FakeSearch;
beforeAll(async () => {
  fake = await FakeSearch.start();
});
afterAll(() => fake.close());

function problems(search: unknown, env: Record<string, string> = {}): string[] {
  try {
    parseConfig({ search }, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message.split("\n").slice(1);
    throw err;
  }
  return [];
}

describe("search: errors name the field", () => {
  it.each([
    [{ providers: { s: { kind: "searxng" } } }, "search.providers.s.url"],
    [{ providers: { b: { kind: "brave" } } }, "search.providers.b.api_key"],
    [{ providers: { s: { kind: "searxng", url: "http://s", results: 21 } } }, "search.providers.s.results"],
    [{ providers: { s: { kind: "bing", url: "http://s" } } }, "search.providers.s.kind"],
    [{ providers: { s: { kind: "searxng", url: "ftp://s" } } }, "search.providers.s.url"],
    [{ providers: { s: { kind: "searxng", url: "http://s" } }, default: "t" }, "search.default"],
    [
      {
        providers: { s: { kind: "searxng", url: "http://s" }, b: { kind: "brave", api_key: "k" } },
      },
      "search.default",
    ],
    [{ fetch: { content_types: ["html"] } }, "search.fetch.content_types"],
    [{ fetch: { max_redirects: 50 } }, "search.fetch.max_redirects"],
    [{ allow: { tags: ["no-equals"] } }, "search.allow.tags"],
    [{ providers: { s: { kind: "searxng", url: "http://s", extra: 1 } } }, "search.providers.s"],
  ])("%j → %s", (search, field) => {
    const lines = problems(search);
    expect(
      lines.some((l) => l.includes(field)),
      lines.join("\n"),
    ).toBe(true);
  });

  it("an api_key from an unset variable names the field and the variable", () => {
    const lines = problems({ providers: { b: { kind: "brave", api_key: "${BRAVE_KEY}" } } });
    expect(lines.join("\n")).toMatch(/search\.providers\.b\.api_key.*BRAVE_KEY/);
  });

  it("defaults: 5 results, 8 s, fetch on with 1 MB, 5 redirects, no private addresses", () => {
    const c = parseConfig({ search: { providers: { s: { kind: "searxng", url: "http://s" } } } }, {});
    expect(c.search?.providers.s).toMatchObject({ results: 5, timeout_ms: 8000, price_per_1000: 0 });
    expect(c.search?.fetch).toMatchObject({
      enabled: true,
      max_bytes: 1024 * 1024,
      max_redirects: 5,
      allow_private_addresses: false,
    });
    expect(parseConfig({}, {}).search).toBeUndefined();
  });
});

describe("the WebTools built from search:", () => {
  it("the default provider (or the only one) and the fetcher; nothing without search:", () => {
    const one = buildWebTools(
      SearchSchema.parse({ providers: { s: { kind: "searxng", url: "http://s" } } }),
      undefined,
    );
    expect(one.search?.name).toBe("s");
    expect(one.fetcher).toBeDefined();
    const two = buildWebTools(
      SearchSchema.parse({
        providers: { s: { kind: "searxng", url: "http://s" }, b: { kind: "brave", api_key: "k", price_per_1000: 3 } },
        default: "b",
        fetch: { enabled: false },
      }),
      undefined,
    );
    expect(two.search).toMatchObject({ name: "b", kind: "brave", nanosPerSearch: 3_000_000 });
    expect(two.fetcher).toBeUndefined();
    expect(buildWebTools(undefined, undefined)).toEqual({});
  });

  it("a key from the environment is sent as the variable says", async () => {
    const c = parseConfig(
      { search: { providers: { b: { kind: "brave", url: fake.url, api_key: "${BRAVE_KEY}" } } } },
      { BRAVE_KEY: "from-env-123" },
    );
    fake.reply = { json: { web: { results: [] } } };
    await buildWebTools(c.search, undefined).search!.search({
      query: "q",
      count: 1,
      signal: AbortSignal.timeout(5000),
    });
    expect(fake.seen.at(-1)!.headers["x-subscription-token"]).toBe("from-env-123");
  });

  it("a sealed key is opened with the master key; without it, searches fail unavailable and it is said", async () => {
    const ring = new Keyring("a-master-key-of-enough-length-0123456789");
    const s = ring.seal("tvly-sealed-secret");
    const search = SearchSchema.parse({
      providers: { t: { kind: "tavily", url: fake.url, api_key: `sealed:${s.keyVersion}:${s.sealed}` } },
    });
    fake.reply = { json: { results: [{ url: "https://a.example/", title: "A", content: "a" }] } };
    const hits = await buildWebTools(search, ring).search!.search({
      query: "q",
      count: 1,
      signal: AbortSignal.timeout(5000),
    });
    expect(hits).toHaveLength(1);
    expect(fake.seen.at(-1)!.headers.authorization).toBe("Bearer tvly-sealed-secret");
    const warned: string[] = [];
    const closed = buildWebTools(search, undefined, { warn: (m) => warned.push(m) });
    const err = await closed
      .search!.search({ query: "q", count: 1, signal: AbortSignal.timeout(5000) })
      .catch((e) => e);
    expect(err).toBeInstanceOf(WebToolError);
    expect((err as WebToolError).code).toBe("unavailable");
    expect(warned.join()).toContain("search.providers.t.api_key");
    expect(warned.join()).not.toContain(s.sealed);
  });

  it("the cost of a request's calls: each search at its provider's price, each fetch at the fetcher's", () => {
    const tools = buildWebTools(
      SearchSchema.parse({
        providers: { b: { kind: "brave", api_key: "k", price_per_1000: 5 } },
        fetch: { price_per_1000: 1 },
      }),
      undefined,
    );
    expect(nanosPerSearch(tools)).toBe(5_000_000);
    expect(webToolNanos(tools, { searches: 3, fetches: 2 })).toBe(17_000_000);
    expect(webToolNanos({}, { searches: 3, fetches: 2 })).toBe(0);
  });
});

describe("who may use the web tools", () => {
  const principal = (p: Partial<Principal>): Principal => ({ owner: "key:k1", kind: "minted", ...p });
  const search = (more: Record<string, unknown> = {}) =>
    SearchSchema.parse({ providers: { s: { kind: "searxng", url: "http://s" } }, ...more });

  it("without an allow-list every caller may (without search: there are no tools to use: WebTools is empty)", () => {
    expect(mayUseWebTools(search(), principal({}), "search")).toBe(true);
    expect(mayUseWebTools(search(), { owner: "open", kind: "open" }, "fetch")).toBe(true);
    expect(mayUseWebTools(undefined, principal({}), "search")).toBe(true);
  });

  it("an allow-list admits keys by name glob, teams by id, and tags", () => {
    const s = search({ allow: { keys: ["ci-*"], teams: ["team_research"], tags: ["websearch=on"] } });
    expect(mayUseWebTools(s, principal({ name: "ci-runner" }), "search")).toBe(true);
    expect(mayUseWebTools(s, principal({ name: "dev", teamId: "team_research" }), "search")).toBe(true);
    expect(mayUseWebTools(s, principal({ name: "dev", tags: ["project=x", "websearch=on"] }), "search")).toBe(true);
    expect(mayUseWebTools(s, principal({ name: "dev", teamId: "team_other", tags: ["websearch=off"] }), "search")).toBe(
      false,
    );
    expect(mayUseWebTools(s, { owner: "open", kind: "open" }, "search")).toBe(false);
    // fetch follows search.allow unless fetch.allow says
    expect(mayUseWebTools(s, principal({ name: "ci-runner" }), "fetch")).toBe(true);
    expect(mayUseWebTools(s, principal({ name: "dev" }), "fetch")).toBe(false);
  });

  it("fetch.allow is its own list; fetch.enabled: false refuses every fetch", () => {
    const s = search({ fetch: { allow: { keys: ["fetcher"] } } });
    expect(mayUseWebTools(s, principal({ name: "fetcher" }), "fetch")).toBe(true);
    expect(mayUseWebTools(s, principal({ name: "other" }), "fetch")).toBe(false);
    expect(mayUseWebTools(s, principal({ name: "other" }), "search")).toBe(true);
    expect(mayUseWebTools(search({ fetch: { enabled: false } }), principal({}), "fetch")).toBe(false);
  });
});

describe("the gateway builds them and counts each call", () => {
  it("gateway.webTools from search:, and llmux_web_searches_total / llmux_web_fetches_total on /metrics", async () => {
    const h = await startHarness(() => ({
      admin: { keys: ["admin-key-123456"] },
      search: { providers: { sx: { kind: "searxng", url: fake.url } } },
    }));
    try {
      const tools = h.gateway.webTools;
      expect(tools.search?.name).toBe("sx");
      fake.reply = { json: { results: [{ url: "https://a.example/", title: "A", content: "a" }] } };
      await tools.search!.search({ query: "q", count: 1, signal: AbortSignal.timeout(5000) });
      fake.reply = { status: 429, json: {} };
      await tools.search!.search({ query: "q", count: 1, signal: AbortSignal.timeout(5000) }).catch(() => undefined);
      await tools
        .fetcher!.fetch("http://169.254.169.254/", { signal: AbortSignal.timeout(5000) })
        .catch(() => undefined);
      const res = await fetch(`${h.url}/metrics`, { headers: { authorization: "Bearer admin-key-123456" } });
      const text = await res.text();
      expect(text).toContain('llmux_web_searches_total{provider="sx",outcome="ok"} 1');
      expect(text).toContain('llmux_web_searches_total{provider="sx",outcome="too_many_requests"} 1');
      expect(text).toContain('llmux_web_fetches_total{outcome="url_not_allowed"} 1');
    } finally {
      await h.close();
    }
  });
});
