import { createHook } from "node:async_hooks";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";

/**
 * A streamed answer's idle timer is one timer for the stream, not one per chunk (src/upstream/idle-watch.ts):
 * the timers made while one long stream is relayed are counted, for a passthrough and a translated stream.
 */

let h: Harness;
beforeAll(async () => {
  // An event per write, a millisecond apart: each reaches llmux as a chunk of its own.
  h = await startHarness(undefined, { chunkDelayMs: 1 });
});
afterAll(async () => {
  await h.close();
});

const PROMPT = "word ".repeat(400);

for (const model of ["via-openai-chat", "via-anthropic"])
  it(`a Chat client's stream from ${model} makes a few timers, not one per event`, async () => {
    let timers = 0;
    const hook = createHook({
      init(_id, type) {
        if (type === "Timeout") timers++;
      },
    }).enable();
    let answer: string;
    try {
      const res = await fetch(`${h.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: PROMPT }] }),
      });
      expect(res.status).toBe(200);
      answer = await res.text();
    } finally {
      hook.disable();
    }
    const events = answer.split("\n").filter((l) => l.startsWith("data:")).length;
    expect(events).toBeGreaterThan(100);
    // The mock's own pauses between events are timers too (one per event): llmux's must not add one per event.
    expect(timers).toBeLessThan(events * 1.25);
  });
