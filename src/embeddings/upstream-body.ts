import { jsonBytes } from "../http/json-bytes.js";
import { isObject } from "../ir/input-error.js";
import type { Json } from "../ir/types.js";
import type { UpstreamTarget } from "../providers/types.js";
import type { EmbedAsk, EmbedInput } from "./ask.js";
import type { EmbedDialect } from "./upstream-shape.js";
import { type Vector, vectorOf } from "./vectors.js";

/**
 * The embeddings URL of an upstream, from its generation URL (same host, version, auth and query):
 * OpenAI-shaped `…/chat/completions` or `…/responses` → `…/embeddings` (Azure's dated form by deployment),
 * Gemini `models/{m}:generateContent` → `:batchEmbedContents`, Vertex `…/models/{m}:generateContent` → `:predict`.
 */
export function embedUrl(dialect: EmbedDialect, chat: UpstreamTarget, model: string): string {
  const url = new URL(chat.url);
  const p = url.pathname;
  if (dialect === "titan" || dialect === "cohere") url.pathname = p.replace(/\/[a-z-]+$/, "/invoke");
  else if (dialect === "gemini") url.pathname = p.replace(/:[A-Za-z]+$/, ":batchEmbedContents");
  else if (dialect === "vertex") url.pathname = p.replace(/:[A-Za-z]+$/, ":predict");
  else if (/\/openai\/responses$/.test(p) && url.searchParams.has("api-version"))
    url.pathname = p.replace(/\/openai\/responses$/, `/openai/deployments/${encodeURIComponent(model)}/embeddings`);
  else url.pathname = p.replace(/\/(chat\/completions|responses)$/, "/embeddings");
  url.searchParams.delete("alt");
  return url.toString();
}

/** The name an OpenAI-compatible vendor gives the vector size: Mistral and Voyage `output_dimension`. */
function dimensionField(url: string): string {
  const host = new URL(url).host;
  return host.endsWith("mistral.ai") || host.endsWith("voyageai.com") ? "output_dimension" : "dimensions";
}

/**
 * The body of one upstream call for a batch of inputs, in the vendor's documented fields, as bytes: a batch of
 * 16 inputs or more is serialised input by input (src/http/json-bytes.ts), not as one large string to encode.
 */
export function embedBody(
  dialect: EmbedDialect,
  model: string,
  inputs: readonly EmbedInput[],
  ask: Pick<EmbedAsk, "dimensions" | "taskType" | "title" | "user">,
  url: string,
  base64: boolean,
): Buffer {
  if (dialect === "gemini") {
    const name = model.startsWith("models/") ? model : `models/${model}`;
    return jsonBytes({
      requests: inputs.map((text) => ({
        model: name,
        content: { parts: [{ text }] },
        ...(ask.taskType ? { taskType: ask.taskType } : {}),
        ...(ask.title ? { title: ask.title } : {}),
        ...(ask.dimensions ? { outputDimensionality: ask.dimensions } : {}),
      })),
    });
  }
  // Bedrock InvokeModel bodies: Titan Text Embeddings v2 takes one text; Cohere Embed up to 96, with the
  // input_type its v3 models require (a Gemini RETRIEVAL_QUERY is a search query; anything else a document).
  if (dialect === "titan")
    return jsonBytes({ inputText: inputs[0], ...(ask.dimensions ? { dimensions: ask.dimensions } : {}) });
  if (dialect === "cohere")
    return jsonBytes({
      texts: inputs,
      input_type: ask.taskType === "RETRIEVAL_QUERY" ? "search_query" : "search_document",
      embedding_types: ["float"],
    });
  if (dialect === "vertex")
    return jsonBytes({
      instances: inputs.map((content) => ({
        content,
        ...(ask.taskType ? { task_type: ask.taskType } : {}),
        ...(ask.title ? { title: ask.title } : {}),
      })),
      ...(ask.dimensions ? { parameters: { outputDimensionality: ask.dimensions } } : {}),
    });
  const body: Record<string, unknown> = { model, input: inputs };
  if (ask.dimensions) body[dimensionField(url)] = ask.dimensions;
  if (ask.user) body.user = ask.user;
  // OpenAI and Azure answer base64 float32 when asked (a quarter of the bytes); llmux decodes either.
  if (base64) body.encoding_format = "base64";
  return jsonBytes(body);
}

/** What one upstream call answered: a vector per input, in order, and the tokens it counted (if it says). */
export interface EmbedReply {
  readonly vectors: readonly Vector[];
  readonly tokens?: number | undefined;
}

/** Reads a 2xx answer of one call of `count` inputs; a string says what is wrong with it. */
export function readReply(dialect: EmbedDialect, json: Json, count: number): EmbedReply | string {
  if (!isObject(json)) return "the answer is not a JSON object";
  let vectors: (Vector | undefined)[];
  let tokens: number | undefined;
  if (dialect === "titan") {
    vectors = [vectorOf(json.embedding)];
    if (typeof json.inputTextTokenCount === "number") tokens = json.inputTextTokenCount;
  } else if (dialect === "cohere") {
    // embedding_types asked: `{float: [...]}`; without them, the list itself.
    const list = isObject(json.embeddings) ? json.embeddings.float : json.embeddings;
    if (!Array.isArray(list)) return "the answer has no embeddings";
    vectors = list.map((v) => vectorOf(v));
  } else if (dialect === "gemini") {
    const list = json.embeddings;
    if (!Array.isArray(list)) return "the answer has no embeddings";
    vectors = list.map((e) => (isObject(e) ? vectorOf(e.values) : undefined));
    const usage = json.usageMetadata;
    if (isObject(usage) && typeof usage.promptTokenCount === "number") tokens = usage.promptTokenCount;
  } else if (dialect === "vertex") {
    const list = json.predictions;
    if (!Array.isArray(list)) return "the answer has no predictions";
    tokens = 0;
    vectors = list.map((p) => {
      const e = isObject(p) && isObject(p.embeddings) ? p.embeddings : undefined;
      const stats = e && isObject(e.statistics) ? e.statistics : undefined;
      if (stats && typeof stats.token_count === "number") tokens! += stats.token_count;
      return e ? vectorOf(e.values) : undefined;
    });
  } else {
    const list = json.data;
    if (!Array.isArray(list)) return "the answer has no data";
    vectors = new Array(list.length);
    for (const [i, d] of list.entries()) {
      if (!isObject(d)) return `data[${i}] is not an object`;
      const at = typeof d.index === "number" ? d.index : i;
      if (at < 0 || at >= list.length) return `data[${i}].index is out of range`;
      vectors[at] = vectorOf(d.embedding);
    }
    const usage = json.usage;
    if (isObject(usage) && typeof usage.prompt_tokens === "number") tokens = usage.prompt_tokens;
  }
  if (vectors.length !== count) return `the answer holds ${vectors.length} vectors for ${count} inputs`;
  for (let i = 0; i < count; i++)
    if (vectors[i] === undefined) return `vector ${i} of the answer is not a list of numbers`;
  return { vectors: vectors as Vector[], tokens };
}
