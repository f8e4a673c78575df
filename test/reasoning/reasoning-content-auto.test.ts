/**
 * A DeepSeek-like upstream configured by its URL alone (openai-compatible, no preset, reasoning_field: auto)
 * refuses a tool loop's next turn unless the assistant turn brings its `reasoning_content` back ("The
 * reasoning_content in the thinking mode must be passed back to the API"). Every client dialect, stateless
 * (Claude Code's Messages, Codex's Responses with store:false), gets the same round trip as Chat clients.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Dialect } from "../../src/ir/types.js";
import { type Body, type Harness, startHarness } from "../support/gateway.js";
import { results, turn, user } from "../support/tool-turns.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness((mockUrl) => ({
    providers: { deepseekish: { type: "openai-compatible", base_url: `${mockUrl}/compat/v1`, api_key: "k" } },
    models: { "ds-reasoner": { provider: "deepseekish", model: "deepseek-reasoner" } },
  }));
});
afterAll(async () => {
  await h.close();
});

const THOUGHT = "The user wants the weather in Paris; call the tool first.";

describe("reasoning_content round trip with reasoning_field: auto", () => {
  for (const client of ["anthropic", "openai-responses", "openai-chat", "gemini"] as Dialect[]) {
    it(`${client}: the second turn brings the first turn's reasoning_content back`, async () => {
      h.mock.reset();
      h.mock.enqueue(
        {
          blocks: [
            { type: "reasoning", text: THOUGHT },
            { type: "tool_call", name: "get_weather", arguments: JSON.stringify({ city: "Paris" }) },
          ],
        },
        {
          // The upstream's rule: an assistant turn of a tool loop carries its reasoning_content.
          expect: { contains: [`"reasoning_content":"${THOUGHT}"`] },
          blocks: [{ type: "text", text: "Sunny in Paris." }],
        },
      );
      const history: Body[] = [user(client, "Weather in Paris?")];
      const first = await turn(client, h.url, "ds-reasoner", history);
      expect(first.calls).toHaveLength(1);
      history.push(...first.echo, ...results(client, first.calls, "sunny"));
      const second = await turn(client, h.url, "ds-reasoner", history);
      expect(h.mock.requests.map((r) => r.failure ?? "ok")).toEqual(["ok", "ok"]);
      expect(second.text).toBe("Sunny in Paris.");
    });
  }
});
