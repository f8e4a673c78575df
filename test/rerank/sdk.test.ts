/**
 * Rerank through llmux driven by the official Cohere SDK (`cohere-ai` CohereClientV2 rerank) and by the
 * documented Jina/Voyage request (the same fields), against a fake upstream speaking Cohere's v2, Jina's and
 * Voyage's documented shapes (test/support/fim-fake.ts). Each upstream's request body is checked against the
 * vendor's documented fields; the cost follows the price list (per search unit, or per token).
 */
import { CohereClientV2, CohereError } from "cohere-ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FimFake, startFimFake } from "../support/fim-fake.js";
import { type Body, type Harness, startHarness } from "../support/gateway.js";

const KEY = "svc-rerank-key-0123456789";
let fake: FimFake;
let h: Harness;

beforeAll(async () => {
  fake = await startFimFake();
  h = await startHarness(() => ({
    auth: { keys: [KEY] },
    prices: {
      "rerank-v3.5": { input: 0, output: 0, search_unit: 0.002 },
      "jina-reranker-v2-base-multilingual": { input: 20, output: 0 },
      "rerank-2.5": { input: 0.05, output: 0 },
    },
    providers: {
      cohere: { type: "openai-compatible", base_url: `${fake.url}/cohere/v2`, api_key: "co-key" },
      jina: { type: "openai-compatible", base_url: `${fake.url}/jina/v1`, api_key: "jina-key" },
      voyage: {
        type: "openai-compatible",
        base_url: `${fake.url}/voyage/v1`,
        api_key: "vo-key",
      },
    },
    models: {
      "rerank-cohere": { kind: "rerank", provider: "cohere", model: "rerank-v3.5", rerank: { api: "cohere" } },
      "rerank-jina": { kind: "rerank", provider: "jina", model: "jina-reranker-v2-base-multilingual" },
      "rerank-voyage": { kind: "rerank", provider: "voyage", model: "rerank-2.5", rerank: { api: "voyage" } },
    },
  }));
});
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

const last = () => fake.calls.at(-1)!;
const DOCS = ["apples are red", "the sky is blue", "llmux routes requests", "bananas are yellow"];

async function post(body: Body): Promise<{ status: number; headers: Headers; json: Body }> {
  const r = await fetch(`${h.url}/v1/rerank`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: r.status, headers: r.headers, json: (await r.json()) as Body };
}

describe("cohere-ai CohereClientV2.rerank → Cohere's /v2/rerank", () => {
  it("results best first, top_n, billed per search unit; the documented body", async () => {
    const co = new CohereClientV2({ token: KEY, environment: h.url });
    const raw = await co
      .rerank({ model: "rerank-cohere", query: "llmux", documents: DOCS, topN: 2, maxTokensPerDoc: 512 })
      .withRawResponse();
    const res = raw.data;
    expect(res.results.map((r) => r.index)).toEqual([2, 3]);
    expect(res.results[0]!.relevanceScore).toBeCloseTo(0.9);
    expect(res.meta?.billedUnits?.searchUnits).toBe(1);
    // $0.002 per search unit
    expect(Number(raw.rawResponse.headers.get("llmux-cost-usd"))).toBeCloseTo(0.002, 9);
    const call = last();
    expect(call.path).toBe("/cohere/v2/rerank");
    expect(call.headers.authorization).toBe("Bearer co-key");
    expect(call.body).toEqual({
      model: "rerank-v3.5",
      query: "llmux",
      documents: DOCS,
      top_n: 2,
      max_tokens_per_doc: 512,
    });
  });

  it("the wrong kind is a 400 naming the route; too many documents a 400 naming documents", async () => {
    const co = new CohereClientV2({ token: KEY, environment: h.url });
    const e = await co.rerank({ model: "via-openai-chat", query: "q", documents: ["a"] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CohereError);
    expect((e as CohereError).statusCode).toBe(400);
    expect(JSON.stringify((e as CohereError).body)).toContain("/v1/chat/completions");
    const many = await post({ model: "rerank-jina", query: "q", documents: Array.from({ length: 1001 }, () => "d") });
    expect(many.status).toBe(400);
    expect(many.json.error.param).toBe("documents");
  });
});

describe("Jina and Voyage: the same fields", () => {
  it("Jina: return_documents answered by llmux, billed per token", async () => {
    const r = await post({ model: "rerank-jina", query: "blue", documents: DOCS, top_n: 1, return_documents: true });
    expect(r.status).toBe(200);
    expect(r.json.results).toEqual([{ index: 1, relevance_score: 0.9, document: { text: "the sky is blue" } }]);
    const call = last();
    expect(call.path).toBe("/jina/v1/rerank");
    expect(call.body).toEqual({
      model: "jina-reranker-v2-base-multilingual",
      query: "blue",
      documents: DOCS,
      top_n: 1,
      return_documents: false,
    });
    const tokens = r.json.usage.total_tokens;
    expect(tokens).toBeGreaterThan(0);
    expect(Number(r.headers.get("llmux-cost-usd"))).toBeCloseTo((tokens * 20) / 1e6, 6);
  });

  it("a long list of documents in several scripts reaches the upstream whole, in order", async () => {
    // Past the length the upstream body is serialised document by document (src/http/json-bytes.ts).
    const documents = Array.from({ length: 40 }, (_, i) => `doc ${i}: naïve → café — 日本 😀 "q"\n`);
    const r = await post({ model: "rerank-jina", query: "→ blue", documents, top_n: 3 });
    expect(r.status).toBe(200);
    expect(last().body).toEqual({
      model: "jina-reranker-v2-base-multilingual",
      query: "→ blue",
      documents,
      top_n: 3,
      return_documents: false,
    });
  });

  it("Voyage: top_n sent as top_k, results read from data", async () => {
    const r = await post({ model: "rerank-voyage", query: "red", documents: DOCS, top_n: 2 });
    expect(r.status).toBe(200);
    expect(r.json.results[0]).toEqual({ index: 0, relevance_score: 0.9 });
    expect(r.json.results).toHaveLength(2);
    const call = last();
    expect(call.path).toBe("/voyage/v1/rerank");
    expect(call.headers.authorization).toBe("Bearer vo-key");
    expect(call.body).toEqual({
      model: "rerank-2.5",
      query: "red",
      documents: DOCS,
      top_k: 2,
      return_documents: false,
    });
  });
});
