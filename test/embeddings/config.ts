/** The embedding aliases the embeddings tests configure, all on one fake upstream (test/support/embed-fake.ts). */
export function embedConfig(fakeUrl: string): { providers: Record<string, unknown>; models: Record<string, unknown> } {
  return {
    providers: {
      oa: { type: "openai", base_url: `${fakeUrl}/v1`, api_key: "oa-key" },
      az: { type: "azure", base_url: fakeUrl, api_key: "az-key", api: "chat", api_version: "2024-10-21" },
      co: { type: "openai-compatible", base_url: `${fakeUrl}/compat/v1`, api_key: "co-key" },
      ge: { type: "gemini", base_url: fakeUrl, api_key: "ge-key" },
      br: { type: "bedrock", region: "us-east-1", base_url: fakeUrl, api_key: "br-key" },
      vx: {
        type: "vertex",
        project: "proj",
        region: "us-central1",
        base_url: fakeUrl,
        headers: { authorization: "Bearer vx-token" },
      },
    },
    models: {
      "embed-small": { provider: "oa", model: "text-embedding-3-small", kind: "embedding" },
      "embed-ada": { provider: "oa", model: "text-embedding-ada-002", kind: "embedding" },
      "embed-split": {
        provider: "oa",
        model: "text-embedding-3-small",
        kind: "embedding",
        embeddings: { max_batch: 3, concurrency: 2 },
      },
      "embed-azure": { provider: "az", model: "emb-deploy", kind: "embedding" },
      "embed-compat": { provider: "co", model: "nomic-embed-text", kind: "embedding" },
      "embed-gemini": { provider: "ge", model: "gemini-embedding-001", kind: "embedding" },
      "embed-vertex": { provider: "vx", model: "text-embedding-005", kind: "embedding" },
      "embed-vertex-gemini": { provider: "vx", model: "gemini-embedding-001", kind: "embedding" },
      "embed-titan": { provider: "br", model: "amazon.titan-embed-text-v2:0", kind: "embedding" },
      "embed-cohere": { provider: "br", model: "cohere.embed-english-v3", kind: "embedding" },
      "embed-two": {
        kind: "embedding",
        routing: { strategy: "least-busy", retries: 1 },
        deployments: [
          { provider: "co", model: "nomic-embed-text" },
          { provider: "oa", model: "text-embedding-3-small" },
        ],
      },
    },
  };
}

export const EMBED_PRICES = {
  "text-embedding-3-small": { input: 0.02, output: 0 },
  "nomic-embed-text": { input: 0.01, output: 0 },
  "gemini-embedding-001": { input: 0.15, output: 0 },
  "text-embedding-005": { input: 0.025, output: 0 },
};
