import type { SearchProviderConfig } from "../config/schema-search.js";
import { normalDomain } from "./domains.js";
import { hitsAt, type ProviderRequest } from "./provider-call.js";
import type { SearchHit, SearchQuery } from "./types.js";

type Config = Extract<SearchProviderConfig, { kind: "exa" }>;

/** Characters of each page's text Exa is asked for (the snippet). */
export const EXA_TEXT_CHARS = 1000;

/**
 * Exa's search: `POST /search` {query, numResults, includeDomains, excludeDomains, contents: {text:
 * {maxCharacters}}, userLocation} with the key in x-api-key.
 */
export function exaRequest(cfg: Config, q: SearchQuery, count: number): ProviderRequest {
  const country = q.userLocation?.country;
  return {
    url: cfg.url,
    method: "POST",
    headers: { "x-api-key": cfg.api_key },
    body: {
      query: q.query,
      numResults: count,
      ...(q.allowedDomains?.length ? { includeDomains: q.allowedDomains.map(normalDomain) } : {}),
      ...(q.blockedDomains?.length ? { excludeDomains: q.blockedDomains.map(normalDomain) } : {}),
      contents: { text: { maxCharacters: EXA_TEXT_CHARS } },
      ...(country && /^[A-Za-z]{2}$/.test(country) ? { userLocation: country.toUpperCase() } : {}),
    },
  };
}

/** Exa's answer: `results[]` of {url, title, text, publishedDate}. */
export function decodeExa(json: unknown, name = "exa"): SearchHit[] {
  return hitsAt(json, ["results"], name, { snippet: "text", age: ["publishedDate"], snippetChars: EXA_TEXT_CHARS });
}
