/**
 * Codestral on Vertex AI as a fill-in-the-middle upstream, against the local fake of Google Cloud
 * (test/support/vertex-fake.ts): `@mistralai/mistralai` fim.complete / fim.stream and the `openai` SDK's
 * completions.create with `suffix` reach `streamRawPredict` on `projects/{p}/locations/{l}/publishers/mistralai/
 * models/{model}` with Mistral's body (only its documented fields) and an OAuth access token the fake's token
 * endpoint issued for the service account; the answer comes back in each client's shape with its usage.
 */
import { Mistral } from "@mistralai/mistralai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";
import { startVertexFake, type VertexFake } from "../support/vertex-fake.js";

const KEY = "svc-vertex-fim-0123456789";
const PREFIX = "def add(a, b):\n    ";
const SUFFIX = "\n\nprint(add(1, 2))\n";
let fake: VertexFake;
let h: Harness;

beforeAll(async () => {
  fake = await startVertexFake();
  h = await startHarness(() => ({
    auth: { keys: [KEY] },
    prices: { "codestral-2501": { input: 0.3, output: 0.9 } },
    providers: {
      vertex: {
        type: "vertex",
        project: "llmux-test",
        region: "europe-west4",
        base_url: fake.url,
        credentials: JSON.stringify(fake.key),
      },
    },
    models: {
      "fim-vertex": { kind: "completion", provider: "vertex", model: "codestral-2501" },
      "fim-vertex-gemini": { kind: "completion", provider: "vertex", model: "gemini-2.5-flash" },
    },
  }));
});
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

const last = () => fake.calls.at(-1)!;
const PATH =
  "/v1/projects/llmux-test/locations/europe-west4/publishers/mistralai/models/codestral-2501:streamRawPredict";

describe("Codestral on Vertex AI: Mistral's body through streamRawPredict, with Google auth", () => {
  it("@mistralai/mistralai fim.complete and fim.stream", async () => {
    const mi = new Mistral({ apiKey: KEY, serverURL: h.url });
    fake.enqueue({ fim: "return a + b" });
    const res = await mi.fim.complete({ model: "fim-vertex", prompt: PREFIX, suffix: SUFFIX, maxTokens: 32 });
    expect(res.choices?.[0]?.message.content).toBe("return a + b");
    expect(res.usage.promptTokens).toBe(9);
    expect(res.usage.completionTokens).toBe(4);
    const call = last();
    expect(call.path).toBe(PATH);
    expect(call.headers.authorization).toMatch(/^Bearer ya29\./);
    expect(fake.tokenRequests.at(-1)).toEqual({ granted: true });
    // Mistral's documented fields only (the SDK sends top_p: 1 of its own); the model named as in the URL.
    expect(call.body).toEqual({
      model: "codestral-2501",
      prompt: PREFIX,
      suffix: SUFFIX,
      max_tokens: 32,
      top_p: 1,
      stream: true,
    });

    fake.enqueue({ fim: "return a + b" });
    const stream = await mi.fim.stream({ model: "fim-vertex", prompt: PREFIX, suffix: SUFFIX });
    let text = "";
    for await (const ev of stream) text += (ev.data.choices[0]?.delta.content as string | undefined) ?? "";
    expect(text).toBe("return a + b");
    expect(last().path).toBe(PATH);
  });

  it("the openai SDK's completions.create with suffix, streamed and not; the route says where it went", async () => {
    const oa = new OpenAI({ apiKey: KEY, baseURL: `${h.url}/v1`, maxRetries: 0 });
    fake.enqueue({ fim: "return a + b" });
    const raw = await oa.completions
      .create({ model: "fim-vertex", prompt: PREFIX, suffix: SUFFIX, max_tokens: 16, stop: ["\n\n"] })
      .withResponse();
    expect(raw.data.choices[0]!.text).toBe("return a + b");
    expect(raw.data.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 4 });
    expect(raw.response.headers.get("llmux-route")).toContain("vertex");
    expect(raw.response.headers.get("llmux-warnings") ?? "").not.toContain("over chat");
    expect(last().body).toEqual({
      model: "codestral-2501",
      prompt: PREFIX,
      suffix: SUFFIX,
      max_tokens: 16,
      stop: ["\n\n"],
      stream: true,
    });

    fake.enqueue({ fim: "return a + b" });
    const stream = await oa.completions.create({ model: "fim-vertex", prompt: PREFIX, suffix: SUFFIX, stream: true });
    let text = "";
    for await (const c of stream) text += c.choices[0]?.text ?? "";
    expect(text).toBe("return a + b");
    expect(last().path).toBe(PATH);
  });

  it("a Gemini model on Vertex does fill-in-the-middle over chat (Vertex's Gemini call, not Mistral's)", async () => {
    fake.enqueue({ script: { blocks: [{ type: "text", text: "return a + b" }] } });
    const res = await fetch(`${h.url}/v1/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "fim-vertex-gemini", prompt: PREFIX, suffix: SUFFIX }),
    });
    const body = (await res.json()) as { choices: { text: string }[] };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(res.headers.get("llmux-warnings")).toContain("fill-in-the-middle over chat");
    expect(last().path).toContain("/publishers/google/models/gemini-2.5-flash:streamGenerateContent");
  });
});
