/**
 * The life of a Cursor run across requests: a client that goes away cancels the run it was reading; a run
 * whose tool results do not come within `tool_result_timeout_ms` is cancelled, and when they come later the
 * conversation starts again from its history (a transcript with the tool's result): the client still gets an
 * answer.
 */
import { randomUUID } from "node:crypto";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CURSOR_INSTALL_TIMEOUT_MS, type CursorFake, startCursorFake } from "../support/cursor.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { conversation } from "./conversation.js";

/** Polls an async check until it gives a value, for up to `ms`. */
async function until<T>(check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

let fake: CursorFake;
let h: Harness;
beforeAll(async () => {
  fake = await startCursorFake();
  const cursor = { type: "cursor", base_url: fake.url, api_key: "key-l", runtime_dir: ".cache/cursor-runtime" };
  h = await startHarness(() => ({
    providers: { composer: cursor, impatient: { ...cursor, tool_result_timeout_ms: 300 } },
    models: {
      "composer-2.5": { provider: "composer" },
      "composer-impatient": { provider: "impatient", model: "composer-2.5" },
    },
  }));
}, CURSOR_INSTALL_TIMEOUT_MS);
afterAll(async () => {
  await h?.close();
  fake?.close();
});

it("a client that goes away cancels its run", async () => {
  const tag = `[slow] ${randomUUID()}`;
  const client = new Anthropic({ apiKey: "k", baseURL: h.url, maxRetries: 0 });
  const controller = new AbortController();
  const reading = client.messages
    .stream(
      { model: "composer-2.5", max_tokens: 100, messages: [{ role: "user", content: tag }] },
      { signal: controller.signal },
    )
    .finalMessage()
    .catch((e: Error) => e);
  await until(async () => (await fake.log()).find((e) => e.run?.text === tag));
  controller.abort();
  expect(await reading).toBeInstanceOf(Error);
  const closed = await until(async () => (await fake.log()).find((e) => e.closedEarly === tag));
  expect(closed).toEqual({ closedEarly: tag });
});

it("tool results that come too late start the conversation again from its history", async () => {
  const tag = randomUUID();
  const c = conversation("openai-chat", h.url, "k", "composer-impatient", true);
  const first = await c.ask(`Weather? [tool] ${tag}`);
  expect(first.calls).toHaveLength(1);
  const callId = first.calls[0]!.id;
  await new Promise((r) => setTimeout(r, 1000));
  const second = await c.answerTools("sunny");
  expect(second.text).toBe(`Composer heard: Result of call ${callId}: sunny`);
  const runs = (await fake.log()).filter((e) => e.run && String(e.run.text).includes(tag)).map((e) => e.run.text);
  expect(runs).toEqual([
    `Weather? [tool] ${tag}`,
    `<conversation_so_far>\nUser: Weather? [tool] ${tag}\n\nAssistant called the tool get_weather (call ${callId}) with: {"city":"Paris"}\n</conversation_so_far>\n\nResult of call ${callId}: sunny`,
  ]);
  // The abandoned run was cancelled when its time was up.
  expect(
    await until(async () => (await fake.log()).find((e) => e.closedEarly === `Weather? [tool] ${tag}`)),
  ).toBeDefined();
});
