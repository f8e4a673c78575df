/**
 * `llmux-overhead-ms`: the time llmux itself added, without the waits on the upstream. With an upstream
 * that takes 150 ms to answer, the header must be there, above 0 and far below the request's latency;
 * the log line carries the total.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Harness, startHarness } from "../support/gateway.js";

const UPSTREAM_MS = 150;

describe("llmux-overhead-ms", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("a whole answer: the overhead is above 0 and excludes the upstream's 150 ms", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "slow answer" }], latencyMs: UPSTREAM_MS });
    const anthropic = new Anthropic({ apiKey: "k", baseURL: h.url, maxRetries: 0 });
    const start = performance.now();
    const { response } = await anthropic.messages
      .create({ model: "via-azure-responses", max_tokens: 20, messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    const latency = performance.now() - start;
    const header = response.headers.get("llmux-overhead-ms");
    expect(header).toMatch(/^\d+\.\d{3}$/);
    const overhead = Number(header);
    expect(latency).toBeGreaterThan(UPSTREAM_MS);
    expect(overhead).toBeGreaterThan(0);
    expect(overhead).toBeLessThan(latency - UPSTREAM_MS * 0.8);
    const id = response.headers.get("x-request-id");
    const line = await eventually(() => h.logs.find((l) => l.req_id === id && l.msg === "request"));
    // A whole answer: the total overhead is the header's, plus the writing of the body.
    expect(Number(line.overhead_ms)).toBeGreaterThanOrEqual(Math.round(overhead * 100) / 100 - 0.01);
    expect(Number(line.overhead_ms)).toBeLessThan(Number(line.latency_ms) - UPSTREAM_MS * 0.8);
  });

  it("a stream: the header has the overhead to the first byte, the log line the total; the chunk waits are not in it", async () => {
    h.mock.enqueue({
      blocks: [{ type: "text", text: "a stream that comes slowly, piece by piece" }],
      latencyMs: 50,
      chunkDelayMs: 15,
      chunkChars: 4,
    });
    const res = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "k", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "via-openai-chat",
        max_tokens: 50,
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    const header = Number(res.headers.get("llmux-overhead-ms"));
    await res.text();
    expect(header).toBeGreaterThan(0);
    const id = res.headers.get("x-request-id");
    const line = await eventually(() => h.logs.find((l) => l.req_id === id && l.msg === "request"));
    const total = Number(line.overhead_ms);
    const latency = Number(line.latency_ms);
    // At least 10 paced chunks of 15 ms and 50 ms before the headers: over 200 ms llmux only waited.
    expect(latency).toBeGreaterThan(200);
    expect(total).toBeGreaterThanOrEqual(Math.round(header * 100) / 100 - 0.01);
    expect(total).toBeLessThan(latency - 150);
  });

  it("is on answers that never reached an upstream too (all of their time is llmux's)", async () => {
    const res = await fetch(`${h.url}/v1/models`);
    expect(Number(res.headers.get("llmux-overhead-ms"))).toBeGreaterThan(0);
  });
});
