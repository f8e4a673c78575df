import type { Dialect, JsonObject, StreamEvent } from "../ir/types.js";
import type { SearchHit, WebToolErrorCode } from "../search/types.js";
import type { WebToolSpec } from "./web-tools-plan.js";
import type { WebOutcome } from "./web-tools-run.js";
import { sealHit } from "./web-tools-text.js";

/**
 * An emulated web tool call as the client's native tool shows it: Anthropic `server_tool_use` then
 * `web_search_tool_result` / `web_fetch_tool_result` blocks; a Responses `web_search_call` item with its
 * `response.web_search_call.*` events. Gemini clients get grounding metadata at the end of the answer instead
 * (nothing per call). Each call is shown in two steps: before it runs (`opening`) and once it ran (`closing`).
 */

const SEARCH_CODES: Partial<Record<WebToolErrorCode, string>> = {
  invalid_input: "invalid_tool_input",
  max_uses_exceeded: "max_uses_exceeded",
  too_many_requests: "too_many_requests",
  query_too_long: "query_too_long",
  too_large: "request_too_large",
};

const FETCH_CODES: Partial<Record<WebToolErrorCode, string>> = {
  invalid_input: "invalid_tool_input",
  max_uses_exceeded: "max_uses_exceeded",
  too_many_requests: "too_many_requests",
  url_not_allowed: "url_not_allowed",
  url_not_accessible: "url_not_accessible",
  unsupported_content_type: "unsupported_content_type",
  too_large: "content_too_large",
  timeout: "url_not_accessible",
};

/** The id the client sees for an emulated call, from the model's own call id. */
export function clientCallId(dialect: Dialect, modelId: string, n: number): string {
  const tail = modelId.replace(/[^A-Za-z0-9_]/g, "").slice(-40) || String(n);
  return dialect === "openai-responses" ? `ws_${tail}` : `srvtoolu_${tail}`;
}

function anthropicResult(id: string, o: WebOutcome): JsonObject {
  if (o.spec.kind === "search") {
    const content: JsonObject | JsonObject[] = o.error
      ? { type: "web_search_tool_result_error", error_code: SEARCH_CODES[o.error.code] ?? "unavailable" }
      : (o.hits ?? []).map((h) => ({
          type: "web_search_result",
          url: h.url,
          title: h.title,
          encrypted_content: sealHit(h),
          page_age: h.pageAge ?? null,
        }));
    return { type: "web_search_tool_result", tool_use_id: id, content };
  }
  const page = o.page;
  const content: JsonObject =
    o.error || !page
      ? {
          type: "web_fetch_tool_result_error",
          error_code: FETCH_CODES[o.error?.code ?? "unavailable"] ?? "unavailable",
        }
      : {
          type: "web_fetch_result",
          url: page.finalUrl,
          content: {
            type: "document",
            source: { type: "text", media_type: "text/plain", data: page.text },
            title: page.title ?? null,
            citations: null,
          },
          retrieved_at: page.retrievedAt,
        };
  return { type: "web_fetch_tool_result", tool_use_id: id, content };
}

function searchItem(id: string, query: string, status: string, o?: WebOutcome): JsonObject {
  const action: JsonObject = { type: "search", query };
  if (o?.hits) action.sources = o.hits.map((h) => ({ type: "url", url: h.url }));
  return { type: "web_search_call", id, status, action };
}

function progress(type: string): JsonObject {
  return { type: `response.web_search_call.${type}`, output_index: 0, item_id: "" };
}

/** What the client is shown as a call starts (before it runs). */
export function opening(
  dialect: Dialect,
  spec: WebToolSpec,
  id: string,
  input: Record<string, unknown>,
  index: number,
): StreamEvent[] {
  if (dialect === "anthropic") {
    const head = { type: "server_tool_use", id, name: spec.name, input: {} };
    const part = { ...head, input: input as JsonObject };
    return [
      { type: "block_start", index, block: { type: "raw", dialect, value: head } },
      {
        type: "raw_delta",
        index,
        dialect,
        value: { type: "input_json_delta", partial_json: JSON.stringify(input) },
      },
      { type: "block_stop", index, part: { type: "raw", dialect, value: part } },
    ];
  }
  if (dialect === "openai-responses" && spec.kind === "search") {
    const query = typeof input.query === "string" ? input.query : "";
    return [
      { type: "block_start", index, block: { type: "raw", dialect, value: searchItem(id, query, "in_progress") } },
      { type: "raw_delta", index, dialect, value: progress("in_progress") },
      { type: "raw_delta", index, dialect, value: progress("searching") },
    ];
  }
  return [];
}

/** What the client is shown once a call ran (`index`: the block the opening left open, Responses). */
export function closing(dialect: Dialect, id: string, o: WebOutcome, index: number): StreamEvent[] {
  if (dialect === "anthropic") {
    const value = anthropicResult(id, o);
    return [
      { type: "block_start", index, block: { type: "raw", dialect, value } },
      { type: "block_stop", index, part: { type: "raw", dialect, value } },
    ];
  }
  if (dialect === "openai-responses" && o.spec.kind === "search") {
    const item = searchItem(id, o.query ?? "", o.error ? "failed" : "completed", o);
    return [
      { type: "raw_delta", index, dialect, value: progress("completed") },
      { type: "block_stop", index, part: { type: "raw", dialect, value: item } },
    ];
  }
  return [];
}

/** The longest cited text of a result (Anthropic's cited_text is an extract of the result). */
const CITED_CHARS = 150;

/**
 * The citations of an answer's text to the search results it names by URL: Anthropic
 * `web_search_result_location` (also streamed as `citations_delta`), Responses `url_citation` annotations;
 * none for other clients.
 */
export function citationsOf(dialect: Dialect, text: string, hits: readonly SearchHit[]): JsonObject[] {
  const out: JsonObject[] = [];
  const seen = new Set<string>();
  for (const h of hits) {
    if (seen.has(h.url)) continue;
    const at = text.indexOf(h.url);
    if (at < 0) continue;
    seen.add(h.url);
    if (dialect === "anthropic")
      out.push({
        type: "web_search_result_location",
        url: h.url,
        title: h.title,
        encrypted_index: sealHit({ ...h, snippet: h.url }),
        cited_text: h.snippet.slice(0, CITED_CHARS),
      });
    else if (dialect === "openai-responses")
      out.push({ type: "url_citation", start_index: at, end_index: at + h.url.length, url: h.url, title: h.title });
  }
  return out;
}
