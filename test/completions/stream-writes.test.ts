/**
 * A fill-in-the-middle stream relayed to the client leaves in as few writes as its upstream's chunks allow
 * (src/pipeline/turn-hold.ts): the events made from one upstream chunk (a few characters each) and the end that
 * follows them in one write, not one write an event. Counted on the gateway's side of each connection, for the
 * OpenAI-compatible and the Mistral FIM shapes, whose fake upstream sends its whole stream in one chunk, and for
 * a chat model asked over chat (its answer gathered, then written at once).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FimFake, fimConfig, startFimFake } from "../support/fim-fake.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { askAlone, type Counted, countWrites } from "../support/socket-writes.js";

const KEY = "svc-fim-writes-0123456789";
let fake: FimFake;
let h: Harness;
let writes: Map<number, Counted>;

beforeAll(async () => {
  fake = await startFimFake();
  h = await startHarness(() => ({
    auth: { keys: [KEY] },
    logging: { requests: true },
    ...fimConfig(fake),
  }));
  writes = countWrites(h);
});
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

describe("a relayed fill-in-the-middle stream", () => {
  it.each([
    { shape: "OpenAI-compatible /v1/completions", path: "/v1/completions", model: "fim-qwen" },
    { shape: "Mistral /v1/fim/completions", path: "/v1/fim/completions", model: "fim-codestral" },
    // Over chat: the answer is gathered, cleaned, then written as one chunk and the usage.
    { shape: "a chat model over /v1/completions", path: "/v1/completions", model: "fim-chat-compat" },
  ])("$shape: its events and its end in one write", async ({ path, model }) => {
    const got = await askAlone(
      h.url,
      path,
      { model, prompt: "def add(a, b):\n    ", suffix: "\n\nprint(add(1, 2))\n", max_tokens: 16, stream: true },
      { authorization: `Bearer ${KEY}` },
    );
    expect(got.status).toBe(200);
    // Every piece the upstream streamed reached the client, in order, then the end of the stream.
    const texts = [...got.text.matchAll(/^data: (\{.*\})$/gm)].map((m) => {
      const c = JSON.parse(m[1]!).choices?.[0];
      return c?.text ?? c?.delta?.content ?? "";
    });
    expect(texts.join("")).toBe(fake.text);
    expect(texts.filter((t) => t !== "").length).toBeGreaterThan(model === "fim-chat-compat" ? 0 : 2);
    expect(got.text).toMatch(/data: \[DONE\]\n\n$/);
    const counted = writes.get(got.port);
    expect(counted, "the gateway's side of the connection was seen").toBeDefined();
    expect(counted!.bytes).toMatch(/^HTTP\/1\.1 200 /);
    expect(counted!.bytes.endsWith("0\r\n\r\n")).toBe(true);
    expect(counted!.writes).toBe(1);
  });
});
