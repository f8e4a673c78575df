import type { Dialect, Request } from "./types.js";

/**
 * The web tools llmux runs itself for a request whose upstream cannot (src/pipeline/web-tools-plan.ts decides,
 * docs/search.md says how): what the client declared of each, kept on the plan.
 */

export type WebToolKind = "search" | "fetch";

/** One web tool as the client declared it: what llmux honours when it runs the tool. */
export interface WebToolSpec {
  kind: WebToolKind;
  /** The function's name as declared to the model (web_search, web_fetch). */
  name: string;
  /** The dialect whose native tool the client asked for. */
  dialect: Dialect;
  maxUses?: number | undefined;
  allowedDomains?: string[] | undefined;
  blockedDomains?: string[] | undefined;
  userLocation?: { country?: string; region?: string; city?: string; timezone?: string } | undefined;
  /** web_fetch: the most tokens of a page the model is given (about four characters each). */
  maxContentTokens?: number | undefined;
  /** Responses search_context_size: how many results a search returns. */
  count?: number | undefined;
  /** What one call costs (the search provider's or the fetcher's price), in nano-dollars: admission holds it. */
  nanosPerCall?: number | undefined;
}

/** The most uses of one web tool in a request when the client sets none. */
export const DEFAULT_MAX_USES = 10;

/**
 * What the web tools llmux runs for a request may cost at most, in nano-dollars: each tool's `max_uses` (or
 * DEFAULT_MAX_USES) times its price per call. Admission holds it on top of the model's rounds.
 */
export function webToolsHoldNanos(web: WebPlan | undefined): number {
  let nanos = 0;
  for (const spec of [web?.search, web?.fetch])
    if (spec?.nanosPerCall) nanos += (spec.maxUses ?? DEFAULT_MAX_USES) * spec.nanosPerCall;
  return nanos;
}

/** The most upstream calls one client request makes while llmux runs its web tools (docs/security.md). */
export const MAX_WEB_ROUNDS = 8;

/** The web tools llmux runs itself for this request. */
export interface WebPlan {
  search?: WebToolSpec | undefined;
  fetch?: WebToolSpec | undefined;
  /** The request as it went upstream (kept after encoding: each emulation round continues it). */
  ir?: Request | undefined;
}

/**
 * One web tool call llmux ran, as the request log keeps it (src/pipeline/web-tools-note.ts bounds it): what was
 * asked and how it went, never a fetched page's text. `status` is `ok` or the tool's error code.
 */
export type WebCallNote =
  | {
      tool: "search";
      /** The query, cut at 200 characters. */
      query: string;
      status: string;
      /** Results given to the model. */
      results: number;
      /** The results' domains, each once (10 at most). */
      domains: string[];
    }
  | {
      tool: "fetch";
      /** The page's domain and path (cut at 200 characters): never its query string nor fragment. */
      domain: string;
      path: string;
      status: string;
      /** The domain a redirect ended on, when another. */
      redirected_to?: string;
      content_type?: string;
      /** Bytes read from the network; whether the page was cut at fetch.max_bytes. */
      bytes?: number;
      truncated?: boolean;
    };

/** The web tool calls of one request as the request log keeps them: the counts, and the first calls noted. */
export interface WebCallsLog {
  searches: number;
  fetches: number;
  calls: WebCallNote[];
  /** Calls past the notes kept (MAX_WEB_CALL_NOTES), counted only. */
  omitted?: number;
}

/** The web tool calls noted on one request-log row at most. */
export const MAX_WEB_CALL_NOTES = 40;
