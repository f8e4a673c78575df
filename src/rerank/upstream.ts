import type { ModelConfig } from "../config/schema.js";
import { isObject } from "../ir/input-error.js";
import type { Json, JsonObject } from "../ir/types.js";
import type { RerankAsk } from "./ask.js";

/** The rerank calls llmux makes: Cohere's v2, Jina's and Voyage's (the same fields but `top_k`). */
export type RerankApi = "cohere" | "jina" | "voyage";

/** An alias's rerank call: `rerank.api`, else from the upstream's host (cohere.com, voyageai.com), else Jina's. */
export function rerankApi(url: string, settings: Pick<ModelConfig, "rerank">): RerankApi {
  if (settings.rerank?.api) return settings.rerank.api;
  const host = new URL(url).host;
  if (host.endsWith("cohere.com") || host.endsWith("cohere.ai")) return "cohere";
  if (host.endsWith("voyageai.com")) return "voyage";
  return "jina";
}

/** `{base_url}/rerank`: the chat URL's `chat/completions` (or `responses`) as `rerank`. */
export function rerankUrl(chatUrl: string): string {
  const url = new URL(chatUrl);
  url.pathname = url.pathname.replace(/\/(chat\/completions|responses)$/, "/rerank");
  return url.toString();
}

/** The call's body, in the vendor's documented fields (documents are returned by llmux, not asked for). */
export function rerankBody(api: RerankApi, model: string, ask: RerankAsk): JsonObject {
  const body: JsonObject = { model, query: ask.query, documents: [...ask.documents] };
  if (api === "voyage") {
    if (ask.topN !== undefined) body.top_k = ask.topN;
    body.return_documents = false;
  } else {
    if (ask.topN !== undefined) body.top_n = ask.topN;
    if (api === "jina") body.return_documents = false;
    if (api === "cohere" && ask.maxTokensPerDoc !== undefined) body.max_tokens_per_doc = ask.maxTokensPerDoc;
  }
  return body;
}

export interface RerankReply {
  readonly results: readonly { readonly index: number; readonly score: number }[];
  readonly tokens?: number | undefined;
  readonly searchUnits?: number | undefined;
}

/** The scores an upstream answered (`results` or Voyage's `data`), and what it billed; or why it cannot be read. */
export function readRerank(json: Json, count: number): RerankReply | string {
  if (!isObject(json)) return "not a JSON object";
  const list = Array.isArray(json.results) ? json.results : Array.isArray(json.data) ? json.data : undefined;
  if (!list) return "no results";
  const results: { index: number; score: number }[] = [];
  for (const r of list) {
    if (!isObject(r) || typeof r.index !== "number" || typeof r.relevance_score !== "number")
      return "a result without index or relevance_score";
    if (!Number.isInteger(r.index) || r.index < 0 || r.index >= count)
      return `a result's index ${r.index} is out of range`;
    results.push({ index: r.index, score: r.relevance_score });
  }
  results.sort((a, b) => b.score - a.score);
  const usage = isObject(json.usage) ? json.usage : undefined;
  const meta = isObject(json.meta) && isObject(json.meta.billed_units) ? json.meta.billed_units : undefined;
  const tokens = usage?.total_tokens ?? meta?.input_tokens;
  const units = meta?.search_units;
  return {
    results,
    tokens: typeof tokens === "number" ? tokens : undefined,
    searchUnits: typeof units === "number" ? units : undefined,
  };
}
