import type { Dialect } from "../ir/types.js";

export type RouteKind =
  | "generate"
  | "count_tokens"
  | "models"
  | "model"
  | "health"
  | "root"
  | "response_get"
  | "response_input_items"
  | "response_delete"
  | "mcp"
  | "inference_profiles"
  | "embeddings"
  | "completions"
  | "rerank";

export interface Matched {
  kind: RouteKind;
  /** The dialect errors are answered in. */
  dialect: Dialect;
  /** Model named by the path (Azure deployments, GET /v1/models/{id}). */
  model?: string;
  /** Response id named by the path (GET / DELETE /v1/responses/{id}). */
  responseId?: string;
  /** The MCP server named by the path (`/mcp/{server}`); absent on `/mcp`, which serves them all. */
  server?: string;
  /** Gemini's `:batchEmbedContents` (several inputs, answered as `embeddings`), not `:embedContent`. */
  batch?: boolean;
  /** POST /v1/fim/completions: the Mistral shape of fill-in-the-middle (not the legacy Completions one). */
  fim?: boolean;
  /** Whether the path asks for a stream (Gemini: `:streamGenerateContent`). */
  stream?: boolean;
  /** POST /v1/responses/compact: the conversation is to be compacted (answered with `{output: [...]}`). */
  compact?: boolean;
  /** An Anthropic body in a cloud's wrapping (Bedrock InvokeModel, Vertex rawPredict). */
  front?: "bedrock" | "vertex";
  /** A name segment of the path whose percent-encoding is malformed (kept as sent): the request is a 400. */
  malformed?: string;
}

/** A request's route and the dialect it is answered in. */
export interface Accepted {
  match: Matched;
  dialect: Dialect;
}
