import type { SearchProviderConfig } from "../config/schema-search.js";
import { normalDomain } from "./domains.js";
import { plainText } from "./plain-text.js";
import { hitsAt, type ProviderRequest } from "./provider-call.js";
import type { SearchHit, SearchQuery } from "./types.js";

type Config = Extract<SearchProviderConfig, { kind: "brave" }>;

/**
 * Brave's web search: `GET …/res/v1/web/search?q=&count=&country=` with the key in X-Subscription-Token.
 * One allowed domain is asked for with `site:`; every domain list is applied to the results after too.
 */
export function braveRequest(cfg: Config, q: SearchQuery, count: number): ProviderRequest {
  const u = new URL(cfg.url);
  const only = q.allowedDomains?.length === 1 ? normalDomain(q.allowedDomains[0]!) : "";
  u.searchParams.set("q", only ? `${q.query} site:${only}` : q.query);
  u.searchParams.set("count", String(count));
  u.searchParams.set("text_decorations", "false");
  const country = q.userLocation?.country;
  if (country && /^[A-Za-z]{2}$/.test(country)) u.searchParams.set("country", country.toUpperCase());
  return { url: u.href, method: "GET", headers: { "x-subscription-token": cfg.api_key } };
}

/** Brave's answer: `web.results[]` of {url, title, description, age / page_age} (no `web`: no results). */
export function decodeBrave(json: unknown, name = "brave"): SearchHit[] {
  return hitsAt(
    json,
    ["web", "results"],
    name,
    { snippet: "description", age: ["age", "page_age"], clean: plainText },
    true,
  );
}
