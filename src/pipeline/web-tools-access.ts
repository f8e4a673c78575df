import type { SearchConfig } from "../config/schema-search.js";
import type { Principal } from "../identity/principal.js";
import { mayUseWebTools } from "../search/allow.js";
import type { WebTools } from "../search/types.js";
import type { WebAvailability } from "./web-tools-plan.js";

/** Which web tools llmux can run for this caller: configured, and allowed (`search.allow`, `search.fetch.allow`). */
export function webAvailability(
  tools: WebTools | undefined,
  principal: Principal,
  search: SearchConfig | undefined,
): WebAvailability {
  const search_ = mayUseWebTools(search, principal, "search");
  const fetch = mayUseWebTools(search, principal, "fetch");
  if (!search_ && !fetch)
    return { search: false, fetch: false, why: "this API key is not allowed to use web search or fetch" };
  return {
    search: search_ && tools?.search !== undefined,
    fetch: fetch && tools?.fetcher !== undefined,
    why: search_
      ? "no web search provider or page fetcher is configured on this gateway"
      : "this API key is not allowed to use web search",
    nanosPerSearch: tools?.search?.nanosPerSearch,
    nanosPerFetch: tools?.fetcher?.nanosPerFetch,
  };
}
