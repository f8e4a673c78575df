import type { WebCallNote, WebToolKind } from "../ir/web-tools.js";
import type { FetchedPage, SearchHit } from "../search/types.js";

/** What a note is made of: a run web tool call (src/pipeline/web-tools-run.ts's WebOutcome). */
export interface NotedCall {
  spec: { kind: WebToolKind };
  query?: string | undefined;
  url?: string | undefined;
  hits?: SearchHit[] | undefined;
  page?: FetchedPage | undefined;
  error?: { code: string } | undefined;
}

/** The longest query, and the longest page path, a request-log row keeps. */
export const NOTE_QUERY_CHARS = 200;
export const NOTE_PATH_CHARS = 200;
/** The result domains one search's note names at most. */
export const NOTE_DOMAINS = 10;
const HOST_CHARS = 253;

function hostOf(url: string | undefined): string {
  if (!url) return "";
  try {
    return new URL(url).hostname.toLowerCase().slice(0, HOST_CHARS);
  } catch {
    return "";
  }
}

function pathOf(url: string | undefined): string {
  if (!url) return "";
  try {
    return new URL(url).pathname.slice(0, NOTE_PATH_CHARS);
  } catch {
    return "";
  }
}

/**
 * A web tool call as the request log keeps it (pure): the query or the page's domain and path, how it went,
 * the results' count and domains, the page's type and size. Never a page's text, a snippet, a URL's query
 * string (it may carry a token) nor a user name or password.
 */
export function noteOf(o: NotedCall): WebCallNote {
  const status = o.error?.code ?? "ok";
  if (o.spec.kind === "search") {
    const hits = o.hits ?? [];
    const domains = [...new Set(hits.map((h) => hostOf(h.url)).filter(Boolean))].slice(0, NOTE_DOMAINS);
    return { tool: "search", query: (o.query ?? "").slice(0, NOTE_QUERY_CHARS), status, results: hits.length, domains };
  }
  const note: Extract<WebCallNote, { tool: "fetch" }> = {
    tool: "fetch",
    domain: hostOf(o.url),
    path: pathOf(o.url),
    status,
  };
  const page = o.page;
  if (page) {
    const final = hostOf(page.finalUrl);
    if (final && final !== note.domain) note.redirected_to = final;
    note.content_type = page.contentType.split(";")[0]!.trim().slice(0, 100);
    note.bytes = page.bytes;
    if (page.truncated) note.truncated = true;
  }
  return note;
}
