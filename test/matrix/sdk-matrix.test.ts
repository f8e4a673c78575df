/**
 * Official SDK clients (`openai`, `@anthropic-ai/sdk`, `@google/genai`) → llmux → mock upstream, for every
 * inbound dialect × each upstream kind (Azure Responses, Azure Chat, OpenAI Chat, Anthropic,
 * OpenAI-compatible with reasoning_content, Gemini), streaming and not, for text, a tool call and reasoning. The SDKs judge llmux's output; the mock records what llmux
 * sent upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, type Dialect } from "../../src/ir/types.js";
import type { MockScript } from "../../src/mock/index.js";
import { type Harness, startHarness, UPSTREAM_ALIASES } from "../support/gateway.js";
import { consumeWithSdk } from "../support/sdk.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

type Alias = (typeof UPSTREAM_ALIASES)[number];

/** Where each upstream kind must be called, and with which credential header. */
const UPSTREAM: Record<
  Alias,
  { path: string; auth: [string, string]; model: string; reasoning: "text" | "summary" | "none" }
> = {
  "via-azure-responses": {
    path: "/openai/v1/responses",
    auth: ["api-key", "az-key"],
    model: "gpt-5-codex",
    reasoning: "summary",
  },
  "via-azure-chat": {
    path: "/openai/deployments/gpt-4o-deploy/chat/completions",
    auth: ["api-key", "az-key"],
    model: "gpt-4o-deploy",
    reasoning: "none",
  },
  "via-openai-chat": {
    path: "/v1/chat/completions",
    auth: ["authorization", "Bearer oa-key"],
    model: "gpt-4.1",
    reasoning: "none",
  },
  "via-anthropic": {
    path: "/v1/messages",
    auth: ["x-api-key", "an-key"],
    model: "claude-sonnet-4-5",
    reasoning: "text",
  },
  "via-compat": {
    path: "/compat/v1/chat/completions",
    auth: ["authorization", "Bearer co-key"],
    model: "kimi-k2-thinking",
    reasoning: "text",
  },
  "via-gemini": {
    path: "/v1beta/models/gemini-2.5-pro:streamGenerateContent",
    auth: ["x-goog-api-key", "ge-key"],
    model: "gemini-2.5-pro",
    reasoning: "text",
  },
};

const THINKING = "The user greets me; I should greet back.";
const SUMMARY = ["Noticing a greeting.", "Replying politely."];

const SCRIPTS: Record<string, MockScript> = {
  text: { blocks: [{ type: "text", text: "Hello from upstream ✓" }], usage: { input: 12, output: 5 } },
  tool: {
    blocks: [
      { type: "text", text: "Checking." },
      { type: "tool_call", id: "call_w1", name: "get_weather", arguments: '{"city":"Paris"}' },
    ],
  },
  reasoning: {
    blocks: [
      { type: "reasoning", text: THINKING, summary: SUMMARY, signature: "c2lnbmF0dXJl", encrypted: "gAAAA-state" },
      { type: "text", text: "Hi there!" },
    ],
  },
};

function baseUrl(client: Dialect): string {
  return client === "anthropic" || client === "gemini" ? h.url : `${h.url}/v1`;
}

function expectedReasoning(alias: Alias, client: Dialect): string {
  const kind = UPSTREAM[alias].reasoning;
  if (kind === "none") return "";
  if (kind === "text") return THINKING;
  return SUMMARY.join(client === "openai-responses" ? "" : "\n\n");
}

describe.each(DIALECTS)("%s client", (client) => {
  for (const alias of UPSTREAM_ALIASES) {
    for (const stream of [true, false]) {
      for (const scenario of ["text", "tool", "reasoning"] as const) {
        it(`${alias}, ${stream ? "streaming" : "not streaming"}: ${scenario}`, async () => {
          h.mock.reset();
          h.mock.enqueue(SCRIPTS[scenario]!);
          const got = await consumeWithSdk(client, baseUrl(client), stream, {
            model: alias,
            prompt: "hello",
            tool: scenario === "tool",
          });

          const sent = h.mock.requests.at(-1)!;
          const up = UPSTREAM[alias];
          expect(sent.path).toBe(up.path);
          expect(sent.headers[up.auth[0]]).toBe(up.auth[1]);
          const body = sent.body as Record<string, unknown>;
          // Azure deployments and Gemini name the model in the path.
          if (alias === "via-gemini") expect(sent.url).toBe(`${up.path}?alt=sse`);
          else if (alias !== "via-azure-chat") expect(body.model).toBe(up.model);
          expect(JSON.stringify(body)).toContain("hello");

          if (scenario === "text") {
            expect(got.text).toBe("Hello from upstream ✓");
            expect(got.stop).toBe("stop");
            expect(got.usage?.input).toBe(12);
            expect(got.usage?.output).toBe(5);
          } else if (scenario === "tool") {
            expect(JSON.stringify(body)).toContain("get_weather");
            expect(got.text).toBe("Checking.");
            expect(got.stop).toBe("tool_calls");
            expect(got.toolCalls).toEqual([{ id: "call_w1", name: "get_weather", arguments: { city: "Paris" } }]);
          } else {
            expect(got.text).toBe("Hi there!");
            const want = expectedReasoning(alias, client);
            // openai-node keeps only the last streamed reasoning_content fragment (it assigns unknown delta
            // fields); the full text is checked in the translation matrix, so a suffix is all we can ask.
            if (client === "openai-chat" && stream) expect(want.endsWith(got.reasoning)).toBe(true);
            else expect(got.reasoning).toBe(want);
          }
        });
      }
    }
  }
});
