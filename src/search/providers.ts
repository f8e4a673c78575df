import type { SearchProviderConfig } from "../config/schema-search.js";
import { braveRequest, decodeBrave } from "./brave.js";
import { filterHits } from "./domains.js";
import { decodeExa, exaRequest } from "./exa.js";
import { callProvider, type ProviderRequest } from "./provider-call.js";
import { decodeSearxng, searxngRequest } from "./searxng.js";
import { decodeTavily, tavilyRequest } from "./tavily.js";
import { type SearchHit, type SearchProvider, type SearchQuery, WebToolError } from "./types.js";

/** Nano-dollars of one call at a price per 1,000 calls in USD. */
export function nanosPerCall(pricePer1000: number): number {
  return Math.round(pricePer1000 * 1_000_000);
}

/** The most characters of a query a provider takes (Brave and Tavily: 400; longer is refused as query_too_long). */
const MAX_QUERY: Record<SearchProviderConfig["kind"], number> = { searxng: 2000, brave: 400, tavily: 400, exa: 2000 };

/** Results asked of a provider that takes a count: more when a domain list will drop some afterwards. */
function askFor(count: number, q: SearchQuery): number {
  const filtered = (q.allowedDomains?.length ?? 0) + (q.blockedDomains?.length ?? 0) > 0;
  return Math.min(20, filtered ? count * 2 : count);
}

/** The provider's request and the decoder of its answer. */
function adapterOf(
  cfg: SearchProviderConfig,
  apiKey: string | undefined,
): { request(q: SearchQuery, count: number): ProviderRequest; decode(json: unknown, name: string): SearchHit[] } {
  switch (cfg.kind) {
    case "searxng":
      return { request: (q) => searxngRequest(cfg, q, apiKey), decode: decodeSearxng };
    case "brave":
      return { request: (q, n) => braveRequest({ ...cfg, api_key: apiKey ?? "" }, q, n), decode: decodeBrave };
    case "tavily":
      return { request: (q, n) => tavilyRequest({ ...cfg, api_key: apiKey ?? "" }, q, n), decode: decodeTavily };
    case "exa":
      return { request: (q, n) => exaRequest({ ...cfg, api_key: apiKey ?? "" }, q, n), decode: decodeExa };
  }
}

/**
 * A search provider from its settings (`search.providers.NAME`). `apiKey` is the key as opened (a sealed one
 * opened in memory); `unusable` says why a provider that needs one has none it can use: each search then fails
 * with `unavailable` and that reason.
 */
export function searchProviderOf(
  name: string,
  cfg: SearchProviderConfig,
  apiKey: string | undefined,
  unusable?: string,
): SearchProvider {
  const adapter = adapterOf(cfg, apiKey);
  const maxQuery = MAX_QUERY[cfg.kind];
  return {
    name,
    kind: cfg.kind,
    nanosPerSearch: nanosPerCall(cfg.price_per_1000),
    async search(q: SearchQuery): Promise<SearchHit[]> {
      const query = q.query.trim();
      if (query === "") throw new WebToolError("invalid_input", "the search query is empty");
      if (query.length > maxQuery)
        throw new WebToolError("query_too_long", `the search query is over ${maxQuery} characters`);
      if (unusable) throw new WebToolError("unavailable", unusable);
      const count = Math.max(
        1,
        Math.min(Number.isFinite(q.count) && q.count > 0 ? Math.floor(q.count) : cfg.results, cfg.results),
      );
      const json = await callProvider(
        name,
        adapter.request({ ...q, query }, askFor(count, q)),
        cfg.timeout_ms,
        q.signal,
      );
      return filterHits(adapter.decode(json, name), { ...q, count });
    },
  };
}
