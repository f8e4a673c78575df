/** A client that disconnects aborts the upstream request at once (the upstream sees its connection close). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockScript } from "../../src/mock/index.js";
import type { MockRequest } from "../../src/mock/server.js";
import { eventually, type Harness, startHarness } from "../support/gateway.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const LONG: MockScript = {
  blocks: Array.from({ length: 60 }, (_, i) => ({ type: "text" as const, text: `chunk ${i} ` })),
  chunkChars: 64,
};

async function abortAfterFirstBytes(
  path: string,
  body: object,
): Promise<{ abortedAt: number; upstream: MockRequest; id: string }> {
  const id = `abort-${Math.random().toString(36).slice(2)}`;
  const controller = new AbortController();
  const res = await fetch(`${h.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-request-id": id },
    body: JSON.stringify(body),
    signal: controller.signal,
  });
  const reader = res.body!.getReader();
  await reader.read();
  const abortedAt = Date.now();
  controller.abort();
  const upstream = h.mock.requests.at(-1)!;
  await eventually(() => upstream.closedAt, 3000);
  return { abortedAt, upstream, id };
}

describe("client disconnect", () => {
  it("mid-stream, translated: the upstream connection closes within 1 s", async () => {
    h.mock.enqueue({ ...LONG, chunkDelayMs: 100 });
    const r = await abortAfterFirstBytes("/v1/chat/completions", {
      model: "via-anthropic",
      stream: true,
      messages: [{ role: "user", content: "go" }],
    });
    expect(r.upstream.closedAt! - r.abortedAt).toBeLessThan(1000);
    const line = await eventually(() => h.logs.find((l) => l.client_request_id === r.id));
    expect(line.outcome).toBe("aborted");
  });

  it("mid-stream, passthrough: the upstream connection closes within 1 s", async () => {
    h.mock.enqueue({ ...LONG, chunkDelayMs: 100 });
    const r = await abortAfterFirstBytes("/v1/messages", {
      model: "via-anthropic",
      max_tokens: 100,
      stream: true,
      messages: [{ role: "user", content: "go" }],
    });
    expect(r.upstream.closedAt! - r.abortedAt).toBeLessThan(1000);
  });

  it("while a non-streaming client waits: the upstream connection closes within 1 s", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "late" }], latencyMs: 5000 });
    const controller = new AbortController();
    const pending = fetch(`${h.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "via-openai-chat", input: "slow" }),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    const upstream = await eventually(() => h.mock.requests.find((r) => r.raw.includes("slow")));
    const abortedAt = Date.now();
    controller.abort();
    await pending;
    await eventually(() => upstream.closedAt, 3000);
    expect(upstream.closedAt! - abortedAt).toBeLessThan(1000);
  });
});
