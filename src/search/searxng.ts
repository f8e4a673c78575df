import type { SearchProviderConfig } from "../config/schema-search.js";
import { normalDomain } from "./domains.js";
import { hitsAt, type ProviderRequest } from "./provider-call.js";
import type { SearchHit, SearchQuery } from "./types.js";

type Config = Extract<SearchProviderConfig, { kind: "searxng" }>;

/**
 * SearXNG's JSON API: `GET {url}/search?q=…&format=json` (format json must be enabled in the instance's
 * settings.yml). It takes no result count (a page is about 20). One allowed domain is asked for with `site:`
 * (engines that honour it narrow their results); every domain list is applied to the results after too.
 */
export function searxngRequest(cfg: Config, q: SearchQuery, apiKey: string | undefined): ProviderRequest {
  const u = new URL(`${cfg.url.replace(/\/+$/, "")}/search`);
  const only = q.allowedDomains?.length === 1 ? normalDomain(q.allowedDomains[0]!) : "";
  u.searchParams.set("q", only ? `${q.query} site:${only}` : q.query);
  u.searchParams.set("format", "json");
  u.searchParams.set("pageno", "1");
  if (cfg.language) u.searchParams.set("language", cfg.language);
  if (cfg.categories?.length) u.searchParams.set("categories", cfg.categories.join(","));
  return { url: u.href, method: "GET", headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} };
}

/** SearXNG's answer: `results[]` of {url, title, content, publishedDate}. */
export function decodeSearxng(json: unknown, name = "searxng"): SearchHit[] {
  return hitsAt(json, ["results"], name, { snippet: "content", age: ["publishedDate"] });
}
