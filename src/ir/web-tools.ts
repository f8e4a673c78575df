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
}

/** The web tools llmux runs itself for this request. */
/** The most upstream calls one client request makes while llmux runs its web tools (docs/security.md). */
export const MAX_WEB_ROUNDS = 8;

export interface WebPlan {
  search?: WebToolSpec | undefined;
  fetch?: WebToolSpec | undefined;
  /** The request as it went upstream (kept after encoding: each emulation round continues it). */
  ir?: Request | undefined;
}
