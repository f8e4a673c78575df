/**
 * A streamed answer's last events and its end leave in one write to the client's socket
 * (src/pipeline/client-stream.ts, `last`): the end waits for the journal's group write at the end of the turn
 * (src/pipeline/exchange.ts), and the events that came with the upstream's end wait with it instead of going
 * out on their own. Counted on the gateway's side of each connection (one connection per request), for a
 * relayed stream and a translated one, with the request log on (the end held for the journal) and off; and for
 * a paced stream whose last events come in a later turn than the one that ended the answer (Chat's
 * finish_reason, then its usage and [DONE]): its last write still carries the end.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";
import { askAlone, type Counted, countWrites } from "../support/socket-writes.js";

const MESSAGES = {
  max_tokens: 64,
  stream: true,
  messages: [{ role: "user", content: "say something short" }],
};

describe.each([
  { name: "request log on (the end waits for the journal)", requests: true },
  { name: "request log off", requests: false },
])("a streamed answer's end, $name", ({ requests }) => {
  let h: Harness;
  let writes: Map<number, Counted>;
  beforeAll(async () => {
    h = await startHarness(() => ({ logging: { requests } }));
    writes = countWrites(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it.each([
    { lane: "relayed (Messages to Anthropic)", path: "/v1/messages", body: { ...MESSAGES, model: "via-anthropic" } },
    {
      lane: "translated (Messages to OpenAI Chat)",
      path: "/v1/messages",
      body: { ...MESSAGES, model: "via-openai-chat" },
    },
    {
      lane: "translated (Chat to Anthropic)",
      path: "/v1/chat/completions",
      body: { ...MESSAGES, model: "via-anthropic" },
    },
  ])("$lane: its events and its end in one write", async ({ path, body }) => {
    const got = await askAlone(h.url, path, body);
    expect(got.status).toBe(200);
    expect(got.text).toMatch(path === "/v1/messages" ? /event: message_stop/ : /data: \[DONE\]/);
    const counted = writes.get(got.port);
    expect(counted, "the gateway's side of the connection was seen").toBeDefined();
    // Everything the client read is what the gateway wrote, and the chunked body's end is in the same write.
    expect(counted!.bytes).toMatch(/^HTTP\/1\.1 200 /);
    expect(counted!.bytes.endsWith("0\r\n\r\n")).toBe(true);
    expect(counted!.writes).toBe(1);
  });
});

describe("a paced stream's end (request log on)", () => {
  let h: Harness;
  let writes: Map<number, Counted>;
  beforeAll(async () => {
    h = await startHarness(() => ({ logging: { requests: true } }), { chunkDelayMs: 5 });
    writes = countWrites(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it("relayed Chat: the events after its finish_reason leave with the end", async () => {
    const got = await askAlone(h.url, "/v1/chat/completions", { ...MESSAGES, model: "via-openai-chat" });
    expect(got.status).toBe(200);
    const counted = writes.get(got.port)!;
    // Paced: the events leave in writes of their own as they come; the last one holds [DONE] and the end.
    expect(counted.writes).toBeGreaterThan(2);
    expect(counted.bytes.endsWith("0\r\n\r\n")).toBe(true);
    expect(counted.last).toContain("data: [DONE]");
    expect(counted.last.endsWith("0\r\n\r\n")).toBe(true);
  });
});
