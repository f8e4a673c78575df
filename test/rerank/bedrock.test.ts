/**
 * Cohere Rerank on Bedrock's InvokeModel, driven by `cohere-ai`'s CohereClientV2 against llmux, with a fake
 * Bedrock speaking its documented shape (test/support/fim-fake.ts): `POST /model/{id}/invoke` with `query`,
 * `documents`, `top_n` and `api_version` 2 (Bedrock refuses less), the model in the URL, answered as Cohere's
 * v2 and billed per search unit. A Bedrock provider on `api: invoke` (Claude only) is refused naming why.
 */
import { CohereClientV2, CohereError } from "cohere-ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FimFake, startFimFake } from "../support/fim-fake.js";
import { type Harness, startHarness } from "../support/gateway.js";

const KEY = "svc-rerank-br-key-0123456789";
let fake: FimFake;
let h: Harness;
const DOCS = ["apples are red", "the sky is blue", "llmux routes requests", "bananas are yellow"];

beforeAll(async () => {
  fake = await startFimFake();
  h = await startHarness(() => ({
    auth: { keys: [KEY] },
    prices: { "cohere.rerank-v3-5:0": { input: 0, output: 0, search_unit: 0.002 } },
    providers: {
      br: { type: "bedrock", region: "us-east-1", base_url: fake.url, api_key: "br-key" },
      "br-invoke": { type: "bedrock", region: "us-east-1", base_url: fake.url, api_key: "br-key", api: "invoke" },
    },
    models: {
      "rerank-bedrock": { kind: "rerank", provider: "br", model: "cohere.rerank-v3-5:0" },
      "rerank-bedrock-invoke": { kind: "rerank", provider: "br-invoke", model: "cohere.rerank-v3-5:0" },
    },
  }));
});
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

describe("cohere-ai rerank → Cohere Rerank on Bedrock (InvokeModel)", () => {
  it("the documented InvokeModel body, results best first, billed per search unit", async () => {
    const co = new CohereClientV2({ token: KEY, environment: h.url });
    const raw = await co
      .rerank({ model: "rerank-bedrock", query: "llmux", documents: DOCS, topN: 2 })
      .withRawResponse();
    expect(raw.data.results.map((r) => r.index)).toEqual([2, 3]);
    expect(raw.data.results[0]!.relevanceScore).toBeCloseTo(0.9);
    expect(raw.data.meta?.billedUnits?.searchUnits).toBe(1);
    expect(Number(raw.rawResponse.headers.get("llmux-cost-usd"))).toBeCloseTo(0.002, 9);
    const call = fake.calls.at(-1)!;
    expect(decodeURIComponent(call.path)).toBe("/model/cohere.rerank-v3-5:0/invoke");
    expect(call.headers.authorization).toBe("Bearer br-key");
    expect(call.body).toEqual({ query: "llmux", documents: DOCS, top_n: 2, api_version: 2 });
  });

  it("a Bedrock provider on api: invoke is a 400 naming why, before any call", async () => {
    const before = fake.calls.length;
    const co = new CohereClientV2({ token: KEY, environment: h.url });
    const e = await co
      .rerank({ model: "rerank-bedrock-invoke", query: "q", documents: ["a"] })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CohereError);
    expect((e as CohereError).statusCode).toBe(400);
    expect(JSON.stringify((e as CohereError).body)).toContain("api: converse");
    expect(fake.calls.length).toBe(before);
  });
});
