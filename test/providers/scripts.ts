/**
 * What the cloud fakes answer in the SDK × dialect matrix, and what each client must then see: the same
 * three turns as test/matrix/sdk-matrix.test.ts (text with usage, a tool call, reasoning then text).
 */
import { expect } from "vitest";
import type { MockScript } from "../../src/mock/index.js";
import type { Outcome } from "../support/sdk.js";

export const THINKING = "The user greets me; I should greet back.";
export const SIGNATURE = "EqQBCkgIAhABGAIiQLcloudsignature0123456789abcdefABCDEF==";

export const SCRIPTS = {
  text: {
    blocks: [{ type: "text", text: "Hello from the cloud ✓" }],
    usage: { input: 1200, output: 50, cacheRead: 1000, cacheWrite: 100 },
  },
  tool: {
    blocks: [
      { type: "text", text: "Checking." },
      { type: "tool_call", id: "call_w1", name: "get_weather", arguments: '{"city":"Paris"}' },
    ],
  },
  reasoning: {
    blocks: [
      { type: "reasoning", text: THINKING, signature: SIGNATURE },
      { type: "text", text: "Hi there!" },
    ],
  },
} satisfies Record<string, MockScript>;

export type Scenario = keyof typeof SCRIPTS;
export const SCENARIOS = Object.keys(SCRIPTS) as Scenario[];

/** The client saw what the script says (reasoning as text: Claude's thinking, Gemini's thought summaries). */
export function checkOutcome(got: Outcome, scenario: Scenario, opts: { chatStream: boolean; cache: boolean }): void {
  if (scenario === "text") {
    expect(got.text).toBe("Hello from the cloud ✓");
    expect(got.stop).toBe("stop");
    expect(got.usage?.input).toBe(1200);
    expect(got.usage?.output).toBe(50);
    if (opts.cache) expect(got.usage?.cacheRead).toBe(1000);
  } else if (scenario === "tool") {
    expect(got.text).toBe("Checking.");
    expect(got.stop).toBe("tool_calls");
    expect(got.toolCalls).toEqual([{ id: "call_w1", name: "get_weather", arguments: { city: "Paris" } }]);
  } else {
    expect(got.text).toBe("Hi there!");
    // openai-node keeps only the last streamed reasoning_content fragment: a suffix is all a stream shows.
    if (opts.chatStream) expect(THINKING.endsWith(got.reasoning)).toBe(true);
    else expect(got.reasoning).toBe(THINKING);
  }
}
