import type { ModelConfig } from "../config/schema.js";
import { Warnings } from "../ir/warnings.js";
import type { Provider } from "../providers/types.js";

/** The request shapes embedding upstreams take (Bedrock: Titan Text Embeddings and Cohere Embed bodies). */
export type EmbedDialect = "openai" | "gemini" | "vertex" | "titan" | "cohere";

/** What an upstream takes: its shape, how many inputs per call, token arrays, the largest vector. */
export interface EmbedUpstream {
  readonly dialect: EmbedDialect;
  readonly maxBatch: number;
  readonly tokenArrays: boolean;
  /** Whether a smaller vector may be asked (`dimensions`), and the largest (none: not known here). */
  readonly dimensions: boolean;
  readonly maxDimensions?: number | undefined;
  /** The only sizes the model takes, when it takes a few (Titan Text Embeddings v2: 256, 512, 1024). */
  readonly sizes?: readonly number[] | undefined;
}

/** Vector sizes as the vendors document them (a model not listed takes what its upstream takes). */
const SIZES: readonly { re: RegExp; dims: number | false }[] = [
  { re: /text-embedding-ada-002/, dims: false },
  { re: /text-embedding-3-small/, dims: 1536 },
  { re: /text-embedding-3-large/, dims: 3072 },
  { re: /gemini-embedding/, dims: 3072 },
  { re: /text-embedding-00[45]|text-multilingual-embedding-002/, dims: 768 },
];

function sizeOf(model: string): { dimensions: boolean; maxDimensions?: number | undefined } {
  const hit = SIZES.find((s) => s.re.test(model));
  if (!hit) return { dimensions: true };
  return hit.dims === false ? { dimensions: false } : { dimensions: true, maxDimensions: hit.dims };
}

/**
 * How a provider serves embeddings for a model, or why it does not. Batch limits are the vendors' documented
 * ones: OpenAI and Azure 2048 inputs, Gemini's batchEmbedContents 100, Vertex's predict 250 instances
 * (gemini-embedding models: 1), Voyage 1000; `embeddings.max_batch` lowers or sets them.
 */
export function embedUpstream(provider: Provider, model: string, settings: ModelConfig): EmbedUpstream | string {
  const cfg = settings.embeddings;
  const size = sizeOf(model);
  let dialect: EmbedDialect;
  let maxBatch: number;
  let tokenArrays = false;
  switch (provider.type) {
    case "openai":
    case "azure":
      dialect = "openai";
      maxBatch = 2048;
      tokenArrays = true;
      break;
    case "openai-compatible": {
      dialect = "openai";
      const host = hostOf(provider);
      maxBatch = host.endsWith("voyageai.com") ? 1000 : 2048;
      break;
    }
    case "gemini":
      dialect = "gemini";
      maxBatch = 100;
      break;
    case "vertex":
      if (provider.forModel && provider.forModel(model).dialect !== "gemini")
        return `provider '${provider.name}' serves '${model}' as a Claude model, which makes no embeddings`;
      dialect = "vertex";
      maxBatch = /gemini-embedding/.test(model) ? 1 : 250;
      break;
    case "bedrock": {
      if (provider.dialect !== "bedrock-converse")
        return `provider '${provider.name}' has api: invoke (Claude only); embeddings need api: converse`;
      if (/titan-embed-text-v2/.test(model))
        return { dialect: "titan", maxBatch: 1, tokenArrays: false, dimensions: true, sizes: [256, 512, 1024] };
      if (/titan-embed-(text|g1-text)/.test(model))
        return { dialect: "titan", maxBatch: 1, tokenArrays: false, dimensions: false };
      if (/cohere\.embed/.test(model))
        return {
          dialect: "cohere",
          maxBatch: Math.min(cfg?.max_batch ?? 96, 96),
          tokenArrays: false,
          dimensions: false,
        };
      return `'${model}' is not an embedding model llmux serves on Bedrock (Titan Text Embeddings, Cohere Embed)`;
    }
    default:
      return `provider '${provider.name}' (type ${provider.type}) does not serve embeddings through llmux`;
  }
  return {
    dialect,
    maxBatch: Math.min(cfg?.max_batch ?? maxBatch, maxBatch),
    tokenArrays: cfg?.token_arrays ?? tokenArrays,
    ...size,
  };
}

/** The host a provider's calls go to (its generation URL's). */
function hostOf(provider: Provider): string {
  try {
    const ctx = { stream: false, clientHeaders: {}, sameDialect: false, warnings: new Warnings() };
    return new URL(provider.target("", ctx).url).host;
  } catch {
    return "";
  }
}
