/**
 * No answer can change the process's prototypes: a Gemini stream's `partialArgs[].jsonPath` through
 * `__proto__`, `constructor` or `prototype` is ignored, as is an index far past an array's end, and the
 * fields a decoder keeps unmapped never include a prototype's name.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leftovers } from "../../src/ir/input-error.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { type ReplayServer, startReplayServer } from "../support/replay-server.js";

const sse = (chunks: object[]) => chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("");
const call = (functionCall: object, finishReason?: string) => ({
  candidates: [{ content: { role: "model", parts: [{ functionCall }] }, ...(finishReason ? { finishReason } : {}) }],
});

const HOSTILE = [
  "$.__proto__.polluted",
  "$['__proto__'].polluted",
  '$["constructor"]["prototype"].polluted',
  "$.constructor.prototype.polluted",
  "$.args.__proto__.polluted",
];

describe("prototype keys from an upstream", () => {
  let h: Harness;
  let up: ReplayServer;
  beforeAll(async () => {
    up = await startReplayServer();
    h = await startHarness(() => ({
      providers: { g: { type: "gemini", base_url: up.url, api_key: "ge-key" } },
      models: { g: { provider: "g", model: "gemini-2.5-pro" } },
    }));
  });
  afterAll(async () => {
    for (const o of [Object.prototype, Array.prototype] as object[]) delete (o as Record<string, unknown>).polluted;
    await h.close();
    await up.close();
  });

  const ask = () =>
    fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "g", stream: true, messages: [{ role: "user", content: "hi" }] }),
    }).then((r) => r.text());

  it("a partialArgs jsonPath through a prototype sets nothing on Object.prototype", async () => {
    up.setReply({
      headers: { "content-type": "text/event-stream" },
      body: sse([
        call({
          name: "f",
          willContinue: true,
          partialArgs: [
            { jsonPath: "$.city", stringValue: "Pa" },
            ...HOSTILE.map((jsonPath) => ({ jsonPath, boolValue: true })),
          ],
        }),
        call({ willContinue: true, partialArgs: [{ jsonPath: "$.city", stringValue: "ris" }] }),
        call({}, "STOP"),
      ]),
    });
    const text = await ask();
    expect(Object.hasOwn(Object.prototype, "polluted")).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // The call's own arguments came through whole.
    expect(text).toContain("Paris");
    // The process still serves.
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
  });

  it("an index far past an array's end builds no giant array", async () => {
    up.setReply({
      headers: { "content-type": "text/event-stream" },
      body: sse([
        call({
          name: "f",
          willContinue: true,
          partialArgs: [
            { jsonPath: "$.items[0]", stringValue: "a" },
            { jsonPath: "$.items[50000000]", stringValue: "b" },
            { jsonPath: "$.items.length", numberValue: 40000000 },
          ],
        }),
        call({}, "STOP"),
      ]),
    });
    const text = await ask();
    expect(text.length).toBeLessThan(10_000);
    expect(text).toContain('\\"items\\":[\\"a\\"]');
  });

  it("unmapped fields never keep a prototype's name", () => {
    const body = JSON.parse('{"model":"m","__proto__":{"polluted":1},"constructor":{"x":1},"extra":2}');
    const kept = leftovers(body, new Set(["model"]));
    expect(Object.keys(kept ?? {})).toEqual(["extra"]);
    expect((kept as Record<string, unknown>).polluted).toBeUndefined();
  });
});
