/**
 * The gateway's guardrail policy on the routes that are not chat: embeddings' inputs, fill-in-the-middle's
 * prompt and suffix, rerank's query and documents. A block rule refuses the request in the route's shape
 * (400 `guardrail_blocked`, naming the rule and the place, never the value) with nothing sent upstream; a
 * mask rule sends placeholders instead of the values (the fakes record what left llmux), says so in
 * llmux-warnings, and fill-in-the-middle's answer gets the values back — streamed too, a placeholder cut
 * across events included.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbedFake, startEmbedFake } from "../support/embed-fake.js";
import { type FimFake, startFimFake } from "../support/fim-fake.js";
import { type Harness, startHarness } from "../support/gateway.js";

const KEY = "svc-guard-kinds-0123456789";
const SECRET = "acme_tok_0123456789abcdef0123456789abcdef";
/** What the rule captures (and a mask replaces): the token after its prefix. */
const VALUE = SECRET.slice("acme_tok_".length);
const PLACEHOLDER = /LLMUX_MASK_[A-Za-z0-9_-]+/;
let fim: FimFake;
let emb: EmbedFake;
let h: Harness;
let oa: OpenAI;

beforeAll(async () => {
  fim = await startFimFake();
  emb = await startEmbedFake();
  h = await startHarness(() => ({
    auth: { keys: [KEY] },
    guardrails: {
      enabled: true,
      actions: { secrets: "mask", custom: "mask", entropy: "off" },
      rules: [{ id: "acme-token", pattern: "acme_tok_([a-z0-9]{32})" }],
    },
    providers: {
      vllm: { type: "openai-compatible", base_url: `${fim.url}/v1`, api_key: "vllm-key" },
      jina: { type: "openai-compatible", base_url: `${fim.url}/jina/v1`, api_key: "jina-key" },
      oa: { type: "openai", base_url: `${emb.url}/v1`, api_key: "oa-key" },
    },
    models: {
      fim: { kind: "completion", provider: "vllm", model: "qwen2.5-coder" },
      "fim-strict": {
        kind: "completion",
        provider: "vllm",
        model: "qwen2.5-coder",
        guardrails: { actions: { custom: "block" } },
      },
      embed: { kind: "embedding", provider: "oa", model: "text-embedding-3-small" },
      "embed-strict": {
        kind: "embedding",
        provider: "oa",
        model: "text-embedding-3-small",
        guardrails: { actions: { custom: "block" } },
      },
      rerank: { kind: "rerank", provider: "jina", model: "jina-reranker-v2-base-multilingual" },
      "rerank-strict": {
        kind: "rerank",
        provider: "jina",
        model: "jina-reranker-v2-base-multilingual",
        guardrails: { actions: { custom: "block" } },
      },
    },
  }));
  oa = new OpenAI({ apiKey: KEY, baseURL: `${h.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await h?.close();
  await fim?.close();
  await emb?.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${h.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    // biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON
  }).then(async (r) => ({ status: r.status, headers: r.headers, body: (await r.json()) as Record<string, any> }));

describe("guardrails on embeddings, fill-in-the-middle and rerank", () => {
  it("a block rule refuses each route with nothing sent upstream, naming the rule and the place, never the value", async () => {
    const before = { fim: fim.calls.length, emb: emb.calls.length };
    const e = await post("/v1/embeddings", { model: "embed-strict", input: ["fine", `key ${SECRET}`] });
    const f = await post("/v1/completions", { model: "fim-strict", prompt: "x = 1\n", suffix: `# t ${SECRET} here` });
    const r = await post("/v1/rerank", { model: "rerank-strict", query: "which", documents: ["a", `b ${SECRET}`] });
    for (const [answer, place] of [
      [e, "input 1"],
      [f, "suffix"],
      [r, "documents[1]"],
    ] as const) {
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe("guardrail_blocked");
      expect(answer.body.error.message).toContain(`acme-token in ${place}`);
      expect(JSON.stringify(answer.body)).not.toContain(VALUE);
    }
    expect(fim.calls.length).toBe(before.fim);
    expect(emb.calls.length).toBe(before.emb);
  });

  it("a mask rule sends placeholders: embeddings' inputs and rerank's query and documents", async () => {
    const e = await oa.embeddings
      .create({ model: "embed", input: ["fine", `key ${SECRET}`], encoding_format: "float" })
      .withResponse();
    expect(e.data.data).toHaveLength(2);
    expect(e.response.headers.get("llmux-warnings")).toContain("acme-token in input 1");
    const sent = emb.calls.at(-1)!.body as { input: string[] };
    expect(sent.input[0]).toBe("fine");
    expect(sent.input[1]).toMatch(PLACEHOLDER);
    expect(JSON.stringify(sent)).not.toContain(VALUE);

    const r = await post("/v1/rerank", {
      model: "rerank",
      query: `where is ${SECRET}`,
      documents: ["a", `b ${SECRET}`],
      return_documents: true,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const up = fim.calls.at(-1)!.body as { query: string; documents: string[] };
    expect(up.query).toMatch(PLACEHOLDER);
    expect(up.documents[1]).toMatch(PLACEHOLDER);
    expect(JSON.stringify(up)).not.toContain(VALUE);
    // The documents answered are the client's own.
    const docs = (r.body.results as { index: number; document: { text: string } }[]).map((x) => x.document.text);
    expect(docs.sort()).toEqual(["a", `b ${SECRET}`]);
  });

  it("fill-in-the-middle sends placeholders and answers with the values put back, streamed and not", async () => {
    const prompt = `# token ${SECRET} for the API\ndef call():\n    `;
    fim.text = "return 1";
    const first = await oa.completions.create({ model: "fim", prompt, suffix: "\n" }).withResponse();
    expect(first.response.headers.get("llmux-warnings")).toContain("acme-token in prompt");
    const sent = fim.calls.at(-1)!.body as { prompt: string };
    expect(JSON.stringify(sent)).not.toContain(VALUE);
    const placeholder = PLACEHOLDER.exec(sent.prompt)![0];

    // The model repeats the placeholder: the client reads its own value (the fake streams 4 characters an event).
    fim.text = `return request(token="acme_tok_${placeholder}")`;
    const whole = await oa.completions.create({ model: "fim", prompt, suffix: "\n" });
    expect(whole.choices[0]!.text).toBe(`return request(token="${SECRET}")`);
    const stream = await oa.completions.create({ model: "fim", prompt, suffix: "\n", stream: true });
    let text = "";
    for await (const c of stream) text += c.choices[0]?.text ?? "";
    expect(text).toBe(`return request(token="${SECRET}")`);
    expect(PLACEHOLDER.exec(fim.calls.at(-1)!.body.prompt as string)?.[0]).toBe(placeholder);
    fim.text = "return a + b";
  });
});
