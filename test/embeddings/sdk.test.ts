/**
 * Embeddings through llmux driven by official SDKs nobody here wrote (`openai` embeddings.create with its
 * default base64 and with float, AzureOpenAI on the deployment path with `api-key`, `@google/genai`
 * embedContent on llmux's Gemini routes), against a fake upstream speaking each vendor's documented shapes.
 * Each upstream dialect's request body is checked against the vendor's documented fields.
 */
import { GoogleGenAI } from "@google/genai";
import OpenAI, { AzureOpenAI } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbedFake, fakeVector, startEmbedFake } from "../support/embed-fake.js";
import { eventually, type Harness, startHarness } from "../support/gateway.js";
import { EMBED_PRICES, embedConfig } from "./config.js";

const KEY = "svc-embed-key-0123456789";
const SCRAPER = "scraper-key-0123456789";
let fake: EmbedFake;
let h: Harness;
let oa: OpenAI;

const f32 = (v: number[]) => Array.from(new Float32Array(v));

beforeAll(async () => {
  fake = await startEmbedFake();
  const base = embedConfig(fake.url);
  h = await startHarness(() => ({
    auth: { keys: [KEY] },
    metrics: { key: SCRAPER },
    prices: EMBED_PRICES,
    providers: { ...base.providers, gone: { type: "openai-compatible", base_url: "http://127.0.0.1:1/v1" } },
    models: {
      ...base.models,
      // The cache is keyed by the first deployment's model; the other deployment's vectors are not kept.
      "embed-fallback-cached": {
        kind: "embedding",
        embeddings: { cache: { store: "hot" } },
        routing: { retries: 1 },
        deployments: [
          { provider: "gone", model: "nomic-embed-text" },
          { provider: "oa", model: "text-embedding-3-small" },
        ],
      },
    },
  }));
  oa = new OpenAI({ apiKey: KEY, baseURL: `${h.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await h.close();
  await fake.close();
});

const last = () => fake.calls.at(-1)!;

describe("OpenAI SDK → OpenAI upstream", () => {
  it("default encoding (the SDK asks base64 and decodes it): vectors in input order, usage, cost header", async () => {
    const inputs = ["function a() {}", "class B {}", "const c = 3;"].map((s) => s.repeat(400));
    const raw = await oa.embeddings.create({ model: "embed-small", input: inputs }).withResponse();
    const res = raw.data;
    expect(res.object).toBe("list");
    expect(res.model).toBe("embed-small");
    expect(res.data.map((d) => d.index)).toEqual([0, 1, 2]);
    for (const [i, d] of res.data.entries()) expect(d.embedding).toEqual(f32(fakeVector(inputs[i])));
    expect(res.usage.prompt_tokens).toBe(inputs.reduce((n, s) => n + Math.ceil(s.length / 4), 0));
    // $0.02 per million tokens
    expect(Number(raw.response.headers.get("llmux-cost-usd"))).toBeCloseTo((res.usage.prompt_tokens * 0.02) / 1e6, 6);
    // The documented fields of POST /v1/embeddings, and nothing else.
    const call = last();
    expect(call.path).toBe("/v1/embeddings");
    expect(call.headers.authorization).toBe("Bearer oa-key");
    expect(Object.keys(call.body).sort()).toEqual(["encoding_format", "input", "model"].sort());
    expect(call.body).toMatchObject({ model: "text-embedding-3-small", input: inputs });
  });

  it("encoding_format float, one string, dimensions and user passed on", async () => {
    const res = await oa.embeddings.create({
      model: "embed-small",
      input: "hello",
      encoding_format: "float",
      dimensions: 4,
      user: "dev-1",
    });
    expect(res.data).toHaveLength(1);
    expect(res.data[0]!.embedding).toEqual(fakeVector("hello", 4));
    expect(last().body).toMatchObject({
      model: "text-embedding-3-small",
      input: ["hello"],
      dimensions: 4,
      user: "dev-1",
    });
  });

  it("token arrays go to an upstream that takes them", async () => {
    const res = await oa.embeddings.create({
      model: "embed-small",
      input: [
        [1, 2, 3],
        [4, 5],
      ],
      encoding_format: "float",
    });
    expect(res.data.map((d) => d.embedding)).toEqual([fakeVector([1, 2, 3]), fakeVector([4, 5])]);
    expect(last().body.input).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it("more inputs than a call takes: split, fanned out, answered in order", async () => {
    const before = fake.calls.length;
    const inputs = Array.from({ length: 10 }, (_, i) => `chunk ${i}`);
    const res = await oa.embeddings.create({ model: "embed-split", input: inputs, encoding_format: "float" });
    expect(res.data.map((d) => d.embedding)).toEqual(inputs.map((s) => fakeVector(s)));
    const calls = fake.calls.slice(before);
    expect(calls.map((c) => (c.body.input as string[]).length).sort()).toEqual([1, 3, 3, 3]);
    expect(res.usage.prompt_tokens).toBe(inputs.reduce((n, s) => n + Math.ceil(s.length / 4), 0));
  });

  it("400s naming the field: dimensions on a fixed-size model, too large, token arrays to a text-only upstream", async () => {
    const err = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: InstanceType<typeof OpenAI.APIError>) => e,
      );
    const ada = await err(oa.embeddings.create({ model: "embed-ada", input: "x", dimensions: 256 }));
    expect(ada?.status).toBe(400);
    expect(ada?.param).toBe("dimensions");
    const big = await err(oa.embeddings.create({ model: "embed-small", input: "x", dimensions: 4096 }));
    expect(big?.status).toBe(400);
    expect(big?.message).toContain("1536");
    const tokens = await err(oa.embeddings.create({ model: "embed-gemini", input: [[1, 2]] }));
    expect(tokens?.status).toBe(400);
    expect(tokens?.param).toBe("input");
    const many = await err(oa.embeddings.create({ model: "embed-small", input: Array(2049).fill("x") }));
    expect(many?.status).toBe(400);
    expect(many?.param).toBe("input");
    const empty = await err(oa.embeddings.create({ model: "embed-small", input: ["a", ""] }));
    expect(empty?.param).toBe("input[1]");
  });

  it("the wrong route for an alias is a 400 naming the route to use", async () => {
    const onEmbed = await oa.embeddings.create({ model: "via-openai-chat", input: "x" }).catch((e) => e);
    expect(onEmbed.status).toBe(400);
    expect(onEmbed.message).toContain("/v1/chat/completions");
    const onChat = await oa.chat.completions
      .create({ model: "embed-small", messages: [{ role: "user", content: "hi" }] })
      .catch((e) => e);
    expect(onChat.status).toBe(400);
    expect(onChat.param).toBe("model");
    expect(onChat.message).toContain("/v1/embeddings");
  });

  it("a deployment that fails is retried on the next; the route header says so", async () => {
    fake.failNext.push(500);
    const raw = await oa.embeddings
      .create({ model: "embed-two", input: ["x", "y"], encoding_format: "float" })
      .withResponse();
    expect(raw.data.data.map((d) => d.embedding)).toEqual([fakeVector("x"), fakeVector("y")]);
    expect(raw.response.headers.get("llmux-route")).toBeTruthy();
  });
});

describe("a client that goes away", () => {
  it("closes the upstream calls in flight", async () => {
    fake.hold = true;
    const before = fake.calls.length;
    const ctl = new AbortController();
    const pending = oa.embeddings
      .create({ model: "embed-split", input: ["a", "b", "c", "d", "e", "f"] }, { signal: ctl.signal })
      .catch((e: Error) => e);
    try {
      // concurrency 2: two calls of three inputs each are in flight
      await eventually(() => fake.calls.length - before === 2 || undefined, 10_000);
      ctl.abort();
      expect(await pending).toBeInstanceOf(Error);
      await eventually(() => fake.gone === 2 || undefined, 10_000);
    } finally {
      fake.hold = false;
    }
  });
});

describe("the cache and several deployments", () => {
  it("vectors a deployment of another model made are answered, never cached under the alias's model", async () => {
    const ask = () =>
      oa.embeddings
        .create({ model: "embed-fallback-cached", input: ["cache me?"], encoding_format: "float" })
        .withResponse();
    const first = await ask();
    expect(first.data.data[0]!.embedding).toEqual(fakeVector("cache me?"));
    expect(last().body.model).toBe("text-embedding-3-small");
    const second = await ask();
    expect(second.response.headers.get("llmux-embeddings-cached")).toBe("0");
  });
});

describe("OpenAI-compatible and Azure upstreams", () => {
  it("OpenAI-compatible: the OpenAI shape at {base}/embeddings, float asked (no encoding_format sent)", async () => {
    const res = await oa.embeddings.create({ model: "embed-compat", input: ["a b c"] });
    expect(res.data[0]!.embedding).toEqual(f32(fakeVector("a b c")));
    const call = last();
    expect(call.path).toBe("/compat/v1/embeddings");
    expect(Object.keys(call.body).sort()).toEqual(["input", "model"]);
  });

  it("AzureOpenAI SDK on /openai/deployments/{d}/embeddings with api-key → Azure's dated deployment path", async () => {
    const az = new AzureOpenAI({
      apiKey: KEY,
      endpoint: h.url,
      apiVersion: "2024-10-21",
      deployment: "embed-azure",
      maxRetries: 0,
    });
    const res = await az.embeddings.create({ model: "embed-azure", input: ["one", "two"] });
    expect(res.data.map((d) => d.embedding)).toEqual([f32(fakeVector("one")), f32(fakeVector("two"))]);
    const call = last();
    expect(call.path).toBe("/openai/deployments/emb-deploy/embeddings?api-version=2024-10-21");
    expect(call.headers["api-key"]).toBe("az-key");
  });
});

describe("Bedrock InvokeModel: Titan Text Embeddings v2 and Cohere Embed", () => {
  it("Titan: one text a call (inputText, dimensions of 256/512/1024), tokens from inputTextTokenCount", async () => {
    const before = fake.calls.length;
    const res = await oa.embeddings.create({ model: "embed-titan", input: ["aaaa", "bbbbbbbb"], dimensions: 256 });
    expect(res.data.map((d) => d.embedding)).toEqual([f32(fakeVector("aaaa", 256)), f32(fakeVector("bbbbbbbb", 256))]);
    expect(res.usage.prompt_tokens).toBe(3);
    const calls = fake.calls.slice(before);
    expect(calls.map((c) => c.path)).toEqual([
      "/model/amazon.titan-embed-text-v2%3A0/invoke",
      "/model/amazon.titan-embed-text-v2%3A0/invoke",
    ]);
    expect(calls.map((c) => c.body)).toEqual([
      { inputText: "aaaa", dimensions: 256 },
      { inputText: "bbbbbbbb", dimensions: 256 },
    ]);
    const bad = await oa.embeddings.create({ model: "embed-titan", input: "x", dimensions: 300 }).catch((e) => e);
    expect(bad.status).toBe(400);
    expect(bad.param).toBe("dimensions");
  });

  it("Cohere Embed: texts with input_type and embedding_types; tokens from Bedrock's header", async () => {
    const res = await oa.embeddings.create({ model: "embed-cohere", input: ["one", "two"], encoding_format: "float" });
    expect(res.data.map((d) => d.embedding)).toEqual([fakeVector("one"), fakeVector("two")]);
    expect(res.usage.prompt_tokens).toBe(2);
    expect(last().body).toEqual({ texts: ["one", "two"], input_type: "search_document", embedding_types: ["float"] });
    expect(last().headers.authorization).toBe("Bearer br-key");
  });
});

describe("@google/genai → llmux's Gemini routes", () => {
  const genai = () => new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: h.url, retryOptions: { attempts: 1 } } });

  it("embedContent with several contents → Gemini batchEmbedContents (documented fields), values in order", async () => {
    const res = await genai().models.embedContent({
      model: "embed-gemini",
      contents: ["first text", "second text"],
      config: { taskType: "RETRIEVAL_DOCUMENT", outputDimensionality: 6 },
    });
    expect(res.embeddings?.map((e) => e.values)).toEqual([fakeVector("first text", 6), fakeVector("second text", 6)]);
    const call = last();
    expect(call.path).toBe("/v1beta/models/gemini-embedding-001:batchEmbedContents");
    expect(call.headers["x-goog-api-key"]).toBe("ge-key");
    expect(call.body).toEqual({
      requests: [
        {
          model: "models/gemini-embedding-001",
          content: { parts: [{ text: "first text" }] },
          taskType: "RETRIEVAL_DOCUMENT",
          outputDimensionality: 6,
        },
        {
          model: "models/gemini-embedding-001",
          content: { parts: [{ text: "second text" }] },
          taskType: "RETRIEVAL_DOCUMENT",
          outputDimensionality: 6,
        },
      ],
    });
  });

  it("embedContent with one content → Vertex predict (instances, parameters.outputDimensionality)", async () => {
    const res = await genai().models.embedContent({
      model: "embed-vertex",
      contents: "some code",
      config: { outputDimensionality: 5 },
    });
    expect(res.embeddings?.map((e) => e.values)).toEqual([fakeVector("some code", 5)]);
    const call = last();
    expect(call.path).toBe(
      "/v1/projects/proj/locations/us-central1/publishers/google/models/text-embedding-005:predict",
    );
    expect(call.headers.authorization).toBe("Bearer vx-token");
    expect(call.body).toEqual({ instances: [{ content: "some code" }], parameters: { outputDimensionality: 5 } });
  });

  it("Vertex gemini-embedding takes one instance a call: three inputs are three calls", async () => {
    const before = fake.calls.length;
    const res = await genai().models.embedContent({ model: "embed-vertex-gemini", contents: ["a", "b", "c"] });
    expect(res.embeddings?.map((e) => e.values)).toEqual(["a", "b", "c"].map((s) => fakeVector(s)));
    expect(fake.calls.slice(before).map((c) => (c.body.instances as unknown[]).length)).toEqual([1, 1, 1]);
  });

  it("an OpenAI upstream served to a Gemini client", async () => {
    const res = await genai().models.embedContent({ model: "embed-small", contents: ["x y"] });
    expect(res.embeddings?.[0]?.values).toEqual(f32(fakeVector("x y")));
  });
});

describe("Gemini's :embedContent (one content, answered `embedding`)", () => {
  it("answers embedding.values; a non-text part is a 400 naming it", async () => {
    const post = (body: unknown) =>
      fetch(`${h.url}/v1beta/models/embed-gemini:embedContent`, {
        method: "POST",
        headers: { "x-goog-api-key": KEY, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const ok = await post({ content: { parts: [{ text: "alpha" }, { text: "beta" }] }, taskType: "RETRIEVAL_QUERY" });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ embedding: { values: fakeVector("alpha\nbeta") } });
    const bad = await post({ content: { parts: [{ inlineData: { mimeType: "image/png", data: "" } }] } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain("content.parts[0]");
  });
});

describe("metrics", () => {
  it("embeddings are counted as the GenAI `embeddings` operation, with their input tokens", async () => {
    await oa.embeddings.create({ model: "embed-compat", input: ["metric me"] });
    const res = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${SCRAPER}` } });
    const text = await res.text();
    expect(text).toMatch(/gen_ai_client_token_usage\w*\{[^}]*gen_ai_operation_name="embeddings"/);
    expect(text).toMatch(/llmux_tokens_total\{[^}]*alias="embed-compat"[^}]*kind="input"[^}]*\} [1-9]/);
  });
});
