/**
 * A reasoning envelope belongs to the key it was issued to: replayed by another key it does not open, and
 * what it holds never reaches the upstream; its own key gets it restored.
 */
import { randomBytes } from "node:crypto";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";

describe("reasoning envelopes are bound to their key", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(() => ({
      auth: { keys: ["key-alice-0123456789", "key-bob-0123456789"] },
      models: { claude: { provider: "anthropic", model: "claude-sonnet-4-5" } },
    }));
  });
  afterAll(() => h.close());

  it("another key replaying one gets it dropped; the key it was issued to gets it restored", async () => {
    const signature = `EuYBCkQIBhgCIkB${randomBytes(6).toString("hex")}AAAA==`;
    h.mock.enqueue({
      blocks: [
        { type: "reasoning", text: "Weather needs a tool.", signature },
        { type: "tool_call", id: "toolu_owner_1", name: "get_weather", arguments: '{"city":"Oslo"}' },
      ],
    });
    const tools = [{ type: "function" as const, name: "get_weather", parameters: { type: "object" }, strict: false }];
    const client = (key: string) => new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 });
    const r1 = await client("key-alice-0123456789").responses.create({
      model: "claude",
      input: "Weather in Oslo?",
      store: false,
      include: ["reasoning.encrypted_content"],
      tools,
    });
    const reasoning = r1.output.find((i) => i.type === "reasoning");
    expect(reasoning && "encrypted_content" in reasoning ? reasoning.encrypted_content : "").toMatch(/^llmux1\./);
    const fc = r1.output.find((i) => i.type === "function_call");
    if (fc?.type !== "function_call") throw new Error("expected a function call");
    const next = (key: string) =>
      client(key).responses.create({
        model: "claude",
        store: false,
        tools,
        input: [
          { role: "user", content: "Weather in Oslo?" },
          ...(r1.output as never[]),
          { type: "function_call_output", call_id: fc.call_id, output: "5°" },
        ],
      });
    await next("key-bob-0123456789");
    expect(h.mock.requests.at(-1)!.raw).not.toContain(signature);
    expect(h.mock.requests.at(-1)!.raw).not.toContain("Weather needs a tool.");
    await next("key-alice-0123456789");
    expect(h.mock.requests.at(-1)!.raw).toContain(signature);
  });
});
