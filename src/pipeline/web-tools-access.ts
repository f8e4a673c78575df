import type { Principal } from "../identity/principal.js";
import type { WebTools } from "../search/types.js";
import type { WebAvailability } from "./web-tools-plan.js";

/**
 * Whether this caller (its key, its team) may have llmux search and fetch for it. Every caller may until the
 * allow-lists of `search:` are in (issue 42); this is the one place that decides.
 */
export function mayUseWebTools(_principal: Principal): boolean {
  return true;
}

/** Which web tools llmux can run for this caller: configured, and allowed. */
export function webAvailability(tools: WebTools | undefined, principal: Principal): WebAvailability {
  if (!mayUseWebTools(principal))
    return { search: false, fetch: false, why: "this API key is not allowed to use web search or fetch" };
  return {
    search: tools?.search !== undefined,
    fetch: tools?.fetcher !== undefined,
    why: "no web search provider or page fetcher is configured on this gateway",
  };
}
