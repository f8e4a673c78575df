import type { WebTools } from "./types.js";

/** What a request's web tool calls cost, in nano-dollars: each search at its provider's price, each fetch at the fetcher's. */
export function webToolNanos(tools: WebTools, used: { searches: number; fetches: number }): number {
  return (
    Math.max(0, used.searches) * (tools.search?.nanosPerSearch ?? 0) +
    Math.max(0, used.fetches) * (tools.fetcher?.nanosPerFetch ?? 0)
  );
}

/** Nano-dollars of one search with the default provider (0 without one). */
export function nanosPerSearch(tools: WebTools): number {
  return tools.search?.nanosPerSearch ?? 0;
}
