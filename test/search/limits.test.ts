/**
 * `search.calls_per_minute` (issue 42): a caller's web searches and fetches counted over every instance, on
 * both hot-state engines (memory; Redis with a key prefix of its own).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SearchSchema } from "../../src/config/schema-search.js";
import type { Principal } from "../../src/identity/principal.js";
import { admitWebCall, callerWebTools } from "../../src/search/allow.js";
import { WebToolError, type WebTools } from "../../src/search/types.js";
import type { HotState } from "../../src/state/hot-state.js";
import { MemoryState } from "../../src/state/memory.js";
import { RedisState } from "../../src/state/redis.js";

const REDIS = process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379";
const prefix = () => `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`;

const ENGINES = [
  { name: "memory", open: (): HotState => new MemoryState() },
  { name: "redis", open: (): HotState => new RedisState({ url: REDIS, prefix: prefix() }) },
];

const key = (owner: string): Principal => ({ owner, kind: "minted", name: owner });

describe.each(ENGINES)("web calls per minute on $name", ({ open }) => {
  let hot: HotState;
  let other: HotState;
  beforeAll(() => {
    hot = open();
    other = open();
  });
  afterAll(async () => {
    await hot.close();
    await other.close();
  });

  it("a caller past its limit is told when to try again; another caller is not", async () => {
    const search = SearchSchema.parse({ calls_per_minute: 2 });
    const now = Date.now();
    expect(await admitWebCall(hot, search, key("key:a"), now)).toBeUndefined();
    expect(await admitWebCall(hot, search, key("key:a"), now)).toBeUndefined();
    const refused = await admitWebCall(hot, search, key("key:a"), now);
    expect(refused).toMatch(/2 web searches and fetches per minute; try again in \d+ s/);
    expect(await admitWebCall(hot, search, key("key:b"), now)).toBeUndefined();
  });

  it("without calls_per_minute nothing is counted", async () => {
    const search = SearchSchema.parse({});
    for (let i = 0; i < 5; i++) expect(await admitWebCall(hot, search, key("key:c"))).toBeUndefined();
    expect(await admitWebCall(hot, undefined, key("key:c"))).toBeUndefined();
  });
});

describe("a request's web tools, limited for its caller", () => {
  it("past calls_per_minute a search or fetch fails too_many_requests, without reaching the provider", async () => {
    const hot = new MemoryState();
    let searches = 0;
    let fetches = 0;
    const tools: WebTools = {
      search: {
        name: "s",
        kind: "searxng",
        nanosPerSearch: 7,
        search: async () => {
          searches++;
          return [];
        },
      },
      fetcher: {
        nanosPerFetch: 0,
        fetch: async (url) => {
          fetches++;
          return {
            url,
            finalUrl: url,
            contentType: "text/plain",
            text: "",
            truncated: false,
            bytes: 0,
            retrievedAt: "",
          };
        },
      },
    };
    const limited = callerWebTools(tools, hot, SearchSchema.parse({ calls_per_minute: 2 }), key("key:d"));
    const signal = new AbortController().signal;
    await limited.search!.search({ query: "q", count: 1, signal });
    await limited.fetcher!.fetch("https://a.example/", { signal });
    const err = await limited.search!.search({ query: "q", count: 1, signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebToolError);
    expect((err as WebToolError).code).toBe("too_many_requests");
    expect([searches, fetches]).toEqual([1, 1]);
    expect(limited.search!.nanosPerSearch).toBe(7);
    // Without a limit the tools are the same objects.
    expect(callerWebTools(tools, hot, SearchSchema.parse({}), key("key:d"))).toBe(tools);
    await hot.close();
  });
});

describe("shared by instances (Redis)", () => {
  it("two instances on one Redis count one caller's calls together", async () => {
    const p = prefix();
    const a = new RedisState({ url: REDIS, prefix: p });
    const b = new RedisState({ url: REDIS, prefix: p });
    try {
      const search = SearchSchema.parse({ calls_per_minute: 2 });
      const now = Date.now();
      expect(await admitWebCall(a, search, key("key:shared"), now)).toBeUndefined();
      expect(await admitWebCall(b, search, key("key:shared"), now)).toBeUndefined();
      expect(await admitWebCall(a, search, key("key:shared"), now)).toBeDefined();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
