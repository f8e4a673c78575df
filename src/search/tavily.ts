import type { SearchProviderConfig } from "../config/schema-search.js";
import { normalDomain } from "./domains.js";
import { hitsAt, type ProviderRequest } from "./provider-call.js";
import type { SearchHit, SearchQuery } from "./types.js";

type Config = Extract<SearchProviderConfig, { kind: "tavily" }>;

/** Tavily's search: `POST /search` {query, max_results, include_domains, exclude_domains} with a bearer key. */
export function tavilyRequest(cfg: Config, q: SearchQuery, count: number): ProviderRequest {
  return {
    url: cfg.url,
    method: "POST",
    headers: { authorization: `Bearer ${cfg.api_key}` },
    body: {
      query: q.query,
      max_results: count,
      search_depth: "basic",
      ...(q.allowedDomains?.length ? { include_domains: q.allowedDomains.map(normalDomain) } : {}),
      ...(q.blockedDomains?.length ? { exclude_domains: q.blockedDomains.map(normalDomain) } : {}),
    },
  };
}

/** Tavily's answer: `results[]` of {url, title, content, published_date}. */
export function decodeTavily(json: unknown, name = "tavily"): SearchHit[] {
  return hitsAt(json, ["results"], name, { snippet: "content", age: ["published_date"] });
}
