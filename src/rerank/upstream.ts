import type { ModelConfig } from "../config/schema.js";
import { isObject } from "../ir/input-error.js";
import type { Json, JsonObject } from "../ir/types.js";
import type { RerankAsk } from "./ask.js";

/**
 * The rerank calls llmux makes: Cohere's v2, Jina's and Voyage's (the same fields but `top_k`), and Cohere
 * Rerank on Bedrock's InvokeModel (Cohere's fields without the model, with `api_version: 2`).
 */
export type RerankApi = "cohere" | "jina" | "voyage" | "bedrock-cohere";

/**
 * An alias's rerank call: Bedrock's InvokeModel for a Bedrock provider, else `rerank.api`, else from the
 * upstream's host (cohere.com, voyageai.com), else Jina's.
 */
export function rerankApi(url: string, settings: Pick<ModelConfig, "rerank">, providerType?: string): RerankApi {
  if (providerType === "bedrock") return "bedrock-cohere";
  if (settings.rerank?.api) return settings.rerank.api;
  const host = new URL(url).host;
  if (host.endsWith("cohere.com") || host.endsWith("cohere.ai")) return "cohere";
  if (host.endsWith("voyageai.com")) return "voyage";
  return "jina";
}

/**
 * `{base_url}/rerank`: the chat URL's `chat/completions` (or `responses`) as `rerank`; on Bedrock the
 * model's `converse` as `invoke` (`/model/{id}/invoke`).
 */
export function rerankUrl(chatUrl: string, api?: RerankApi): string {
  const url = new URL(chatUrl);
  url.pathname =
    api === "bedrock-cohere"
      ? url.pathname.replace(/\/[a-z-]+$/, "/invoke")
      : url.pathname.replace(/\/(chat\/completions|responses)$/, "/rerank");
  return url.toString();
}

/** Why an upstream cannot rerank, or undefined when it can (Bedrock: InvokeModel's own body needs api: converse). */
export function rerankRefusal(provider: { name: string; type: string; dialect: string }): string | undefined {
  if (provider.type === "bedrock" && provider.dialect !== "bedrock-converse")
    return `provider '${provider.name}' has api: invoke (Claude only); rerank on Bedrock needs api: converse`;
  return undefined;
}

/** The call's body, in the vendor's documented fields (documents are returned by llmux, not asked for). */
export function rerankBody(api: RerankApi, model: string, ask: RerankAsk): JsonObject {
  if (api === "bedrock-cohere") {
    // The model is in the URL; Bedrock refuses an api_version below 2.
    const body: JsonObject = { query: ask.query, documents: [...ask.documents] };
    if (ask.topN !== undefined) body.top_n = ask.topN;
    if (ask.maxTokensPerDoc !== undefined) body.max_tokens_per_doc = ask.maxTokensPerDoc;
    body.api_version = 2;
    return body;
  }
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
