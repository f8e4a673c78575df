/**
 * Each upstream dialect's embeddings request, as the vendors document its fields, and the URL it goes to
 * (derived from the provider's generation URL): OpenAI / Azure / OpenAI-compatible (Mistral and Voyage name
 * the size `output_dimension`), Gemini batchEmbedContents, Vertex predict, Bedrock Titan and Cohere.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { embedBody, embedUrl, readReply } from "../../src/embeddings/upstream-body.js";
import { embedUpstream } from "../../src/embeddings/upstream-shape.js";
import { fromBase64, toBase64 } from "../../src/embeddings/vectors.js";
import { createProviders } from "../../src/providers/index.js";

const chat = (url: string) => ({ url, headers: {} });

describe("embeddings URLs from generation URLs", () => {
  it.each([
    ["openai", "https://api.openai.com/v1/chat/completions", "m", "https://api.openai.com/v1/embeddings"],
    ["openai", "https://api.openai.com/v1/responses", "m", "https://api.openai.com/v1/embeddings"],
    [
      "openai",
      "https://r.openai.azure.com/openai/deployments/d1/chat/completions?api-version=2024-10-21",
      "d1",
      "https://r.openai.azure.com/openai/deployments/d1/embeddings?api-version=2024-10-21",
    ],
    [
      "openai",
      "https://r.openai.azure.com/openai/responses?api-version=2025-04-01-preview",
      "emb",
      "https://r.openai.azure.com/openai/deployments/emb/embeddings?api-version=2025-04-01-preview",
    ],
    [
      "openai",
      "https://r.openai.azure.com/openai/v1/responses",
      "emb",
      "https://r.openai.azure.com/openai/v1/embeddings",
    ],
    [
      "gemini",
      "https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:streamGenerateContent?alt=sse",
      "gemini-embedding-001",
      "https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents",
    ],
    [
      "vertex",
      "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models/text-embedding-005:generateContent",
      "text-embedding-005",
      "https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models/text-embedding-005:predict",
    ],
    [
      "titan",
      "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/converse",
      "amazon.titan-embed-text-v2:0",
      "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/invoke",
    ],
  ] as const)("%s: %s", (dialect, from, model, to) => {
    expect(embedUrl(dialect, chat(from), model)).toBe(to);
  });
});

describe("embeddings request bodies, field by field", () => {
  const ask = { dimensions: 256, user: "u1" };
  const parsed = (body: Buffer): unknown => JSON.parse(body.toString("utf8"));
  it("OpenAI: model, input, dimensions, user, encoding_format base64", () => {
    expect(
      parsed(
        embedBody("openai", "text-embedding-3-small", ["a", "b"], ask, "https://api.openai.com/v1/embeddings", true),
      ),
    ).toEqual({
      model: "text-embedding-3-small",
      input: ["a", "b"],
      dimensions: 256,
      user: "u1",
      encoding_format: "base64",
    });
  });
  it("Mistral and Voyage: output_dimension; no encoding_format", () => {
    for (const url of ["https://api.mistral.ai/v1/embeddings", "https://api.voyageai.com/v1/embeddings"])
      expect(parsed(embedBody("openai", "codestral-embed", ["a"], { dimensions: 256 }, url, false))).toEqual({
        model: "codestral-embed",
        input: ["a"],
        output_dimension: 256,
      });
  });
  it("vLLM: token ids as they came", () => {
    expect(parsed(embedBody("openai", "bge", [[1, 2]], {}, "http://vllm:8000/v1/embeddings", false))).toEqual({
      model: "bge",
      input: [[1, 2]],
    });
  });
  it("Vertex: instances with task_type and title, parameters.outputDimensionality", () => {
    expect(
      parsed(
        embedBody(
          "vertex",
          "text-embedding-005",
          ["a"],
          { dimensions: 128, taskType: "RETRIEVAL_DOCUMENT", title: "t" },
          "https://x/:predict",
          false,
        ),
      ),
    ).toEqual({
      instances: [{ content: "a", task_type: "RETRIEVAL_DOCUMENT", title: "t" }],
      parameters: { outputDimensionality: 128 },
    });
  });
  it("Cohere on Bedrock: a Gemini query is a search_query", () => {
    expect(
      parsed(
        embedBody(
          "cohere",
          "cohere.embed-english-v3",
          ["q"],
          { taskType: "RETRIEVAL_QUERY" },
          "https://x/invoke",
          false,
        ),
      ),
    ).toEqual({
      texts: ["q"],
      input_type: "search_query",
      embedding_types: ["float"],
    });
  });
  it("a batch of many inputs: the bytes of JSON.stringify's text, whatever the characters", () => {
    // Past the size json-bytes serialises element by element; text in several scripts, a token array among them.
    const inputs = Array.from({ length: 40 }, (_, i) =>
      i === 7 ? [1, 2, 3] : `chunk ${i}: naïve → café — 日本 😀 "q"\n`,
    );
    const url = "https://api.openai.com/v1/embeddings";
    const asText = (v: unknown) => Buffer.from(JSON.stringify(v), "utf8");
    expect(
      embedBody("openai", "m", inputs, ask, url, true).equals(
        asText({ model: "m", input: inputs, dimensions: 256, user: "u1", encoding_format: "base64" }),
      ),
    ).toBe(true);
    const texts = inputs.filter((x) => typeof x === "string");
    expect(
      embedBody("cohere", "c", texts, {}, url, false).equals(
        asText({ texts, input_type: "search_document", embedding_types: ["float"] }),
      ),
    ).toBe(true);
    expect(
      embedBody("gemini", "g", texts, {}, url, false).equals(
        asText({ requests: texts.map((text) => ({ model: "models/g", content: { parts: [{ text }] } })) }),
      ),
    ).toBe(true);
  });
});

describe("embeddings answers", () => {
  it("OpenAI: by index whatever the order, base64 or numbers; usage.prompt_tokens", () => {
    const json = {
      data: [
        { index: 1, embedding: toBase64([0.5, -0.25]) },
        { index: 0, embedding: [1, 2] },
      ],
      usage: { prompt_tokens: 7 },
    };
    const read = readReply("openai", json, 2);
    if (typeof read === "string") throw new Error(read);
    // Numbers stay the numbers sent; base64 is read as float32 values.
    expect(read.vectors[0]).toEqual([1, 2]);
    expect(read.vectors[1]).toEqual(new Float32Array([0.5, -0.25]));
    expect(read.tokens).toBe(7);
  });
  it("says what is wrong with an answer llmux cannot use", () => {
    expect(readReply("openai", { data: [{ index: 0, embedding: [1] }] }, 2)).toContain("1 vectors for 2 inputs");
    expect(readReply("gemini", { embeddings: [{ values: ["x"] }] }, 1)).toContain("not a list of numbers");
    expect(readReply("vertex", { nothing: true }, 1)).toContain("no predictions");
  });
  it("base64 float32 round trip; text that is not whole float32 values is refused", () => {
    expect(fromBase64(toBase64([0.125, -3]))).toEqual(new Float32Array([0.125, -3]));
    expect(fromBase64(Buffer.from([1, 2, 3]).toString("base64"))).toBeUndefined();
  });
});

describe("what each upstream takes", () => {
  const config = parseConfig(
    {
      providers: {
        voyage: { type: "openai-compatible", base_url: "https://api.voyageai.com/v1", api_key: "k" },
        vllm: { type: "openai-compatible", base_url: "http://vllm:8000/v1" },
        claude: { type: "anthropic", api_key: "k" },
        invoke: { type: "bedrock", region: "us-east-1", api: "invoke" },
      },
      models: {},
    },
    {},
  );
  const providers = createProviders(config);
  it("batch limits, token ids, sizes; and why an upstream serves none", () => {
    expect(embedUpstream(providers.get("voyage")!, "voyage-code-3", {})).toMatchObject({
      maxBatch: 1000,
      tokenArrays: false,
    });
    expect(
      embedUpstream(providers.get("vllm")!, "bge", {
        embeddings: { token_arrays: true, max_batch: 32, concurrency: 4 },
      }),
    ).toMatchObject({
      maxBatch: 32,
      tokenArrays: true,
    });
    expect(embedUpstream(providers.get("claude")!, "claude-sonnet-4-5", {})).toContain("does not serve embeddings");
    const bedrock = createProviders(
      parseConfig({ providers: { b: { type: "bedrock", region: "us-east-1" } } }, {}),
    ).get("b")!;
    expect(embedUpstream(bedrock, "amazon.titan-embed-text-v1", {})).toMatchObject({
      dialect: "titan",
      dimensions: false,
    });
    expect(embedUpstream(bedrock, "cohere.embed-multilingual-v3", {})).toMatchObject({
      dialect: "cohere",
      maxBatch: 96,
    });
    expect(embedUpstream(bedrock, "anthropic.claude-sonnet-4-5", {})).toContain("not an embedding model");
    expect(embedUpstream(providers.get("invoke")!, "amazon.titan-embed-text-v2:0", {})).toContain("api: converse");
  });
});
