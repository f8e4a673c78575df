/**
 * The `cursor` provider through every client dialect, against the local fake of Cursor's backend (built from
 * the pinned SDK's own protocol definitions): the official SDKs (`openai` for Chat and Responses,
 * `@anthropic-ai/sdk`, `@google/genai`) read text, thinking and usage, streamed and not; a tool call comes back
 * as a tool call, its result resumes the same Cursor run, and the next message continues the same Cursor
 * conversation (the fake sees one run for the tool round trip, and only the new message for the next turn).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS } from "../../src/ir/types.js";
import { CURSOR_INSTALL_TIMEOUT_MS, type CursorFake, startCursorFake } from "../support/cursor.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { consumeWithSdk } from "../support/sdk.js";
import { conversation } from "./conversation.js";

let fake: CursorFake;
let h: Harness;
beforeAll(async () => {
  fake = await startCursorFake();
  h = await startHarness(() => ({
    providers: {
      composer: {
        type: "cursor",
        base_url: fake.url,
        api_key: "key-from-config",
        runtime_dir: ".cache/cursor-runtime",
      },
    },
    models: {
      "composer-2.5": { provider: "composer" },
      "composer-fast": { provider: "composer", model: "composer-2.5-fast" },
    },
  }));
}, CURSOR_INSTALL_TIMEOUT_MS);
afterAll(async () => {
  await h?.close();
  fake?.close();
});

const runsWith = async (tag: string) =>
  (await fake.log()).filter((e) => e.run && String(e.run.text).includes(tag)).map((e) => e.run);

describe.each(DIALECTS)("%s client", (dialect) => {
  it.each([true, false])("reads text, thinking and usage (stream: %s)", async (stream) => {
    const tag = randomUUID().slice(0, 8);
    const out = await consumeWithSdk(dialect, h.url, stream, { model: "composer-2.5", prompt: `hello ${tag}` });
    expect(out.text).toBe(`Composer heard: hello ${tag}`);
    // (The openai SDK's Chat stream helper keeps the last chunk of reasoning_content, a field it does not know;
    // the conversation test below reads it chunk by chunk.)
    if (!(dialect === "openai-chat" && stream)) expect(out.reasoning).toBe("Let me think about it.");
    expect(out.stop).toBe("stop");
    expect(out.toolCalls).toEqual([]);
    // Cursor's 12 input + 3 cache reads + 1 cache write, 7 output.
    if (out.usage) {
      expect(out.usage.input).toBe(16);
      expect(out.usage.output).toBe(7);
    } else expect(dialect).toBe("openai-chat");
    const runs = await runsWith(tag);
    expect(runs).toHaveLength(1);
    expect(runs[0].model).toBe("composer-2.5");
    expect(runs[0].tools).toEqual([]);
  });

  it.each([true, false])(
    "a tool call, its result and a follow-up stay in one Cursor conversation (stream: %s)",
    async (stream) => {
      const tag = randomUUID().slice(0, 8);
      const c = conversation(dialect, h.url, "k", "composer-fast", stream);

      const first = await c.ask(`What is the weather in Paris? [tool] ${tag}`);
      expect(first.calls).toHaveLength(1);
      expect(first.calls[0]!.name).toBe("get_weather");
      expect(first.calls[0]!.args).toEqual({ city: "Paris" });
      expect(first.reasoning).toBe("Let me think about it.");

      const second = await c.answerTools("sunny, 24 °C");
      expect(second.text).toContain("The tool said: ");
      expect(second.text).toContain("sunny, 24 °C");
      expect(second.calls).toEqual([]);

      const third = await c.say(`And tomorrow? ${tag}-next`);
      expect(third.text).toBe(`Composer heard: And tomorrow? ${tag}-next`);

      const log = await fake.log();
      const runs = log.filter((e) => e.run && String(e.run.text).includes(tag)).map((e) => e.run);
      // One run for the question and the tool's result; the follow-up alone, in the same conversation.
      expect(runs.map((r) => r.text)).toEqual([
        `What is the weather in Paris? [tool] ${tag}`,
        `And tomorrow? ${tag}-next`,
      ]);
      expect(runs[0].model).toBe("composer-2.5-fast");
      expect(runs[0].tools.map((t: { name: string }) => t.name)).toEqual(["get_weather"]);
      expect(runs[0].tools[0].schema.properties.city.type).toBe("string");
    },
  );
});
