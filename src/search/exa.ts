import type { SearchProviderConfig } from "../config/schema-search.js";
import { normalDomain } from "./domains.js";
import { arrayAt, type ProviderRequest, resultUrl, text } from "./provider-call.js";
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
  const out: SearchHit[] = [];
  for (const r of arrayAt(json, ["results"], name)) {
    if (!r || typeof r !== "object") continue;
    const o = r as Record<string, unknown>;
    const url = resultUrl(o.url);
    if (!url) continue;
    const age = text(o.publishedDate, 64);
    out.push({
      url,
      title: text(o.title, 500) || url,
      snippet: text(o.text, EXA_TEXT_CHARS),
      ...(age ? { pageAge: age } : {}),
    });
  }
  return out;
}
