/**
 * llmux's OpenAI-compatible embeddings route driven by the two framework clients codebase indexers and
 * retrieval pipelines use, neither written here: the Vercel AI SDK (`embedMany` over
 * `@ai-sdk/openai-compatible`) and LangChain's `OpenAIEmbeddings` (`@langchain/openai`, which calls the
 * official `openai` SDK of its own). Each against an OpenAI upstream fake (test/support/embed-fake.ts): the
 * vectors come back in input order and exact, usage and the cost header as for the `openai` SDK, the cache
 * answers a repeat, and the upstream sees only the documented fields.
 */
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { OpenAIEmbeddings } from "@langchain/openai";
import { embed, embedMany } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbedFake, fakeVector, startEmbedFake } from "../support/embed-fake.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { EMBED_PRICES, embedConfig } from "./config.js";

const KEY = "svc-embed-fw-key-0123456789";
let fake: EmbedFake;
let h: Harness;

const f32 = (v: number[]) => Array.from(new Float32Array(v));
const tokens = (inputs: string[]) => inputs.reduce((n, s) => n + Math.ceil(s.length / 4), 0);
const chunks = (n: number, tag: string) =>
  Array.from(
    { length: n },
    (_, i) => `// ${tag} chunk ${i}\nexport function f${i}(x: number) {\n  return x * ${i};\n}`,
  );

beforeAll(async () => {
  fake = await startEmbedFake();
  const base = embedConfig(fake.url);
  h = await startHarness(() => ({
    auth: { keys: [KEY] },
    prices: EMBED_PRICES,
    providers: base.providers,
    models: {
      ...base.models,
      "embed-cached": {
        provider: "oa",
        model: "text-embedding-3-small",
        kind: "embedding",
        embeddings: { cache: { store: "hot" } },
      },
    },
  }));
});
afterAll(async () => {
  await h.close();
  await fake.close();
});

const callsSince = (n: number) => fake.calls.slice(n);

describe("Vercel AI SDK: embedMany over @ai-sdk/openai-compatible", () => {
  const provider = () =>
    createOpenAICompatible({ name: "llmux", baseURL: `${h.url}/v1`, apiKey: KEY, includeUsage: true });

  it("a batch of chunks: vectors in input order, usage, the documented upstream fields", async () => {
    const values = chunks(12, "ai-sdk");
    const before = fake.calls.length;
    const res = await embedMany({ model: provider().textEmbeddingModel("embed-small"), values, maxRetries: 0 });
    expect(res.embeddings).toHaveLength(values.length);
    for (const [i, v] of res.embeddings.entries()) expect(v).toEqual(f32(fakeVector(values[i])));
    expect(res.usage.tokens).toBe(tokens(values));
    // The header says USD to six places.
    const cost = Number(res.responses?.[0]?.headers?.["llmux-cost-usd"]);
    expect(cost).toBeCloseTo((tokens(values) * 0.02) / 1e6, 6);
    const calls = callsSince(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.path).toBe("/v1/embeddings");
    expect(calls[0]!.headers.authorization).toBe("Bearer oa-key");
    // The documented fields of POST /v1/embeddings; llmux asks base64 of OpenAI whatever the client asked.
    expect(Object.keys(calls[0]!.body).sort()).toEqual(["encoding_format", "input", "model"]);
    expect(calls[0]!.body).toMatchObject({ model: "text-embedding-3-small", input: values });
  });

  it("embed (one value) and dimensions through providerOptions", async () => {
    const before = fake.calls.length;
    const res = await embed({
      model: provider().textEmbeddingModel("embed-small"),
      value: "const answer = 42;",
      providerOptions: { llmux: { dimensions: 4 } },
      maxRetries: 0,
    });
    expect(res.embedding).toEqual(fakeVector("const answer = 42;", 4));
    expect(callsSince(before)[0]!.body).toMatchObject({ input: ["const answer = 42;"], dimensions: 4 });
  });

  it("llmux's split to the upstream's limit (3 a call) keeps the SDK's order", async () => {
    const values = chunks(10, "split");
    const before = fake.calls.length;
    const model = createOpenAICompatible({ name: "llmux", baseURL: `${h.url}/v1`, apiKey: KEY }).textEmbeddingModel(
      "embed-split",
    );
    const res = await embedMany({ model, values, maxRetries: 0 });
    expect(res.embeddings).toEqual(values.map((v) => f32(fakeVector(v))));
    // embed-split takes 3 inputs a call upstream.
    expect(callsSince(before).every((c) => (c.body.input as string[]).length <= 3)).toBe(true);
    expect(
      callsSince(before)
        .flatMap((c) => c.body.input as string[])
        .sort(),
    ).toEqual([...values].sort());
  });

  it("an error llmux answers is the SDK's APICallError with llmux's status and message", async () => {
    // A chat alias asked on the embeddings route: a 400 naming the route to use.
    const err = await embedMany({
      model: provider().textEmbeddingModel("via-openai-chat"),
      values: ["x"],
      maxRetries: 0,
    }).then(
      () => ({ statusCode: 0, message: "answered" }),
      (e: unknown) => e as { statusCode?: number; message: string },
    );
    expect(err.statusCode).toBe(400);
    expect(err.message).toContain("/v1/chat/completions");
  });
});

describe("LangChain: OpenAIEmbeddings (@langchain/openai)", () => {
  // LangChain sends each text with its newlines made spaces (its stripNewLines, on by default).
  const sent = (d: string) => d.replace(/\n/g, " ");
  const lc = (model: string, extra: Record<string, unknown> = {}) =>
    new OpenAIEmbeddings({ model, apiKey: KEY, configuration: { baseURL: `${h.url}/v1` }, maxRetries: 0, ...extra });

  it("embedDocuments: LangChain's batches of batchSize, vectors in order, the documented upstream fields", async () => {
    const docs = chunks(9, "langchain");
    const before = fake.calls.length;
    const vectors = await lc("embed-small", { batchSize: 4 }).embedDocuments(docs);
    expect(vectors).toEqual(docs.map((d) => f32(fakeVector(sent(d)))));
    const calls = callsSince(before);
    expect(calls.map((c) => (c.body.input as string[]).length)).toEqual([4, 4, 1]);
    expect(calls.flatMap((c) => c.body.input as string[])).toEqual(docs.map(sent));
    for (const c of calls) {
      expect(c.path).toBe("/v1/embeddings");
      expect(Object.keys(c.body).sort()).toEqual(["encoding_format", "input", "model"]);
      expect(c.body.model).toBe("text-embedding-3-small");
    }
  });

  it("embedQuery with dimensions", async () => {
    const before = fake.calls.length;
    const v = await lc("embed-small", { dimensions: 4 }).embedQuery("where is the router?");
    expect(v).toEqual(f32(fakeVector("where is the router?", 4)));
    expect(callsSince(before)[0]!.body).toMatchObject({ dimensions: 4, input: ["where is the router?"] });
  });

  it("a re-index through the cache: the repeat sends only the changed chunk upstream", async () => {
    const docs = chunks(20, "reindex");
    const first = await lc("embed-cached").embedDocuments(docs);
    const changed = [...docs];
    changed[7] = `${changed[7]} // edited`;
    const before = fake.calls.length;
    const second = await lc("embed-cached").embedDocuments(changed);
    expect(second).toEqual(changed.map((d) => f32(fakeVector(sent(d)))));
    expect(second.filter((_, i) => i !== 7)).toEqual(first.filter((_, i) => i !== 7));
    const calls = callsSince(before);
    expect(calls.flatMap((c) => c.body.input as string[])).toEqual([sent(changed[7]!)]);
  });
});
