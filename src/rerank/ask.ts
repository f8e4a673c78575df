import { describe, InputError, isObject } from "../ir/input-error.js";
import type { Json } from "../ir/types.js";

/** Bounds of a rerank request (docs/completions.md). */
export const RERANK_BOUNDS = {
  documents: 1000,
  /** Characters of the query. */
  queryChars: 32_768,
  /** Characters of one document. */
  documentChars: 131_072,
} as const;

/** A rerank request (Cohere v2's fields; Jina's and Voyage's are the same, Voyage's `top_k` is `top_n`). */
export interface RerankAsk {
  readonly model: string;
  readonly query: string;
  readonly documents: readonly string[];
  readonly topN?: number | undefined;
  readonly returnDocuments: boolean;
  /** Cohere's `max_tokens_per_doc` (documents longer are cut upstream), passed on to Cohere. */
  readonly maxTokensPerDoc?: number | undefined;
}

function documentText(v: Json, i: number): string {
  const field = `documents[${i}]`;
  // Cohere v1 and Jina take `{text}` documents too.
  const t = isObject(v) ? v.text : v;
  if (typeof t !== "string") throw new InputError(field, `${field} must be a string (or {text}), not ${describe(v)}`);
  if (t.length > RERANK_BOUNDS.documentChars)
    throw new InputError(
      field,
      `${field} holds ${t.length} characters; at most ${RERANK_BOUNDS.documentChars} are taken`,
    );
  return t;
}

/** POST /v1/rerank (and /v2/rerank, Cohere's path). */
export function decodeRerank(body: Json): RerankAsk {
  if (!isObject(body)) throw new InputError(null, "Request body must be a JSON object");
  const model = body.model;
  if (typeof model !== "string" || model.length === 0) throw new InputError("model", "model is required");
  const query = body.query;
  if (typeof query !== "string" || query.length === 0)
    throw new InputError("query", "query must be a non-empty string");
  if (query.length > RERANK_BOUNDS.queryChars)
    throw new InputError(
      "query",
      `query holds ${query.length} characters; at most ${RERANK_BOUNDS.queryChars} are taken`,
    );
  const docs = body.documents;
  if (!Array.isArray(docs) || docs.length === 0)
    throw new InputError("documents", "documents must be a non-empty array");
  if (docs.length > RERANK_BOUNDS.documents)
    throw new InputError(
      "documents",
      `documents holds ${docs.length} items; at most ${RERANK_BOUNDS.documents} are taken`,
    );
  const field = body.top_n !== undefined ? "top_n" : "top_k";
  const top = body.top_n ?? body.top_k;
  if (
    top !== undefined &&
    top !== null &&
    (typeof top !== "number" || !Number.isInteger(top) || top < 1 || top > RERANK_BOUNDS.documents)
  )
    throw new InputError(field, `${field} must be an integer from 1 to ${RERANK_BOUNDS.documents}`);
  const ret = body.return_documents;
  if (ret !== undefined && ret !== null && typeof ret !== "boolean")
    throw new InputError("return_documents", "return_documents must be a boolean");
  const perDoc = body.max_tokens_per_doc;
  if (
    perDoc !== undefined &&
    perDoc !== null &&
    (typeof perDoc !== "number" || !Number.isInteger(perDoc) || perDoc < 1 || perDoc > 32_768)
  )
    throw new InputError("max_tokens_per_doc", "max_tokens_per_doc must be an integer from 1 to 32768");
  return {
    model,
    query,
    maxTokensPerDoc: typeof perDoc === "number" ? perDoc : undefined,
    documents: docs.map(documentText),
    topN: typeof top === "number" ? Math.min(top, docs.length) : undefined,
    returnDocuments: ret === true,
  };
}
