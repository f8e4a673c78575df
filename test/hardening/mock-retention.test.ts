/**
 * The mock upstream kept every request it was sent (its body parsed, its text, its headers) for tests to read,
 * in a long-lived `llmux mock` too, and in the fuzz suite's gateway: the heap of a 10-minute HTTP fuzz run grew
 * by about 1 MB a minute, held by the mock's list (heap snapshots compared, warm and at the end). A mock now keeps
 * the latest `keepRequests` (10,000 by default, for tests); `llmux mock` and the fuzz gateway keep none. Counted
 * here as requests held, not bytes over time.
 */
import { afterEach, describe, expect, it } from "vitest";
import { startFuzzGateway } from "../../fuzz/gateway.js";
import { mock } from "../../src/cli/mock.js";
import { MOCK_KEPT_REQUESTS, type MockServer, startMockServer } from "../../src/mock/server.js";

const chat = (url: string, text: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m", messages: [{ role: "user", content: text }] }),
  }).then((r) => r.text());

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("requests a mock upstream keeps", () => {
  it("keeps the latest keepRequests, in order", async () => {
    server = await startMockServer({ keepRequests: 3 });
    for (let i = 0; i < 8; i++) await chat(server.url, `m${i}`);
    expect(server.requests.map((r) => (r.body as { messages: { content: string }[] }).messages[0]!.content)).toEqual([
      "m5",
      "m6",
      "m7",
    ]);
  });

  it("keeps 10,000 by default, for tests to read", async () => {
    expect(MOCK_KEPT_REQUESTS).toBe(10_000);
    server = await startMockServer();
    for (let i = 0; i < 4; i++) await chat(server.url, `m${i}`);
    expect(server.requests).toHaveLength(4);
  });

  it("`llmux mock` keeps none of what it answers", async () => {
    const log = console.log;
    console.log = () => undefined;
    try {
      server = await mock({ port: 0 });
    } finally {
      console.log = log;
    }
    for (let i = 0; i < 20; i++) expect(await chat(server.url, `m${i}`)).toContain(`m${i}`);
    expect(server.requests).toHaveLength(0);
  });

  it("the fuzz gateway's mock keeps none of the requests llmux relays to it", async () => {
    const gw = await startFuzzGateway();
    try {
      for (let i = 0; i < 10; i++) {
        const res = await fetch(`${gw.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "via-mock-chat", messages: [{ role: "user", content: `m${i}` }] }),
        });
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
      expect(gw.mockRequests()).toBe(0);
      expect(gw.pending()).toBe(0);
    } finally {
      await gw.close();
    }
  }, 60_000);
});
