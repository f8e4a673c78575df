/**
 * The web tools llmux runs itself when the routed upstream cannot (docs/search.md): a search provider and a
 * page fetcher. Providers' adapters (SearXNG, Brave, Tavily, Exa) and the fetcher live in this room; the
 * server-tool emulation in the pipeline calls them through these types only.
 */

/** One search result, as every provider's adapter returns it. */
export interface SearchHit {
  url: string;
  title: string;
  /** The provider's snippet or extract, plain text. */
  snippet: string;
  /** How old the page is, as the provider says it ("2 days ago", an ISO date), when it says. */
  pageAge?: string;
}

export interface SearchQuery {
  query: string;
  /** How many results to return at most. */
  count: number;
  /** Only results on these domains (and their subdomains). */
  allowedDomains?: readonly string[];
  /** Never results on these domains (and their subdomains). */
  blockedDomains?: readonly string[];
  /** The user's approximate location, for providers that take it. */
  userLocation?: { country?: string; region?: string; city?: string; timezone?: string };
  signal: AbortSignal;
}

/** Why a web tool call failed, in Anthropic's web_search/web_fetch error codes (mapped per client dialect). */
export type WebToolErrorCode =
  | "unavailable"
  | "too_many_requests"
  | "invalid_input"
  | "max_uses_exceeded"
  | "query_too_long"
  | "url_not_allowed"
  | "url_not_accessible"
  | "unsupported_content_type"
  | "too_large"
  | "timeout";

export class WebToolError extends Error {
  constructor(
    readonly code: WebToolErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface SearchProvider {
  /** The provider's name in search.providers. */
  readonly name: string;
  readonly kind: "searxng" | "brave" | "tavily" | "exa";
  /** Price of one search in nano-dollars (price per 1,000 searches / 1,000). */
  readonly nanosPerSearch: number;
  /** Throws WebToolError (never hangs past its configured timeout). */
  search(q: SearchQuery): Promise<SearchHit[]>;
}

export interface FetchedPage {
  /** The URL asked for. */
  url: string;
  /** The URL after redirects. */
  finalUrl: string;
  title?: string;
  contentType: string;
  /** The page as text (HTML converted), cut at the fetcher's limit. */
  text: string;
  truncated: boolean;
  /** Bytes read from the network. */
  bytes: number;
  /** When fetched (ISO). */
  retrievedAt: string;
}

export interface PageFetcher {
  /** Throws WebToolError: url_not_allowed (private/link-local address, also after a redirect), url_not_accessible,
   *  unsupported_content_type, too_large, timeout. */
  fetch(
    url: string,
    opts: { signal: AbortSignal; allowedDomains?: readonly string[]; blockedDomains?: readonly string[] },
  ): Promise<FetchedPage>;
  /** Price of one fetch in nano-dollars (0 unless configured). */
  readonly nanosPerFetch: number;
}

/** What the gateway built from search.* in the config: the default provider and the fetcher, when configured. */
export interface WebTools {
  search?: SearchProvider;
  fetcher?: PageFetcher;
}
