/**
 * An upstream answer nested thousands of levels deep is answered with a clear error (502, the upstream's
 * answer cannot be relayed), not a 500 nor a stack overflow's words: a Bedrock tool call whose input is
 * 5,000 objects deep, to a Messages client that waits for the whole answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";
import { type ReplayServer, startReplayServer } from "../support/replay-server.js";

const DEPTH = 5000;
const deep = `${'{"a":'.repeat(DEPTH)}1${"}".repeat(DEPTH)}`;

describe("a deeply nested Bedrock tool input", () => {
  let h: Harness;
  let up: ReplayServer;
  beforeAll(async () => {
    up = await startReplayServer();
    h = await startHarness(() => ({
      providers: { br: { type: "bedrock", region: "us-east-1", base_url: up.url, api_key: "bedrock-api-key" } },
      models: { deep: { provider: "br", model: "anthropic.claude-sonnet-4-5" } },
    }));
  });
  afterAll(async () => {
    await h.close();
    await up.close();
  });

  it("reaches a non-streamed Messages client as a clear error naming the tool call, never a 500", async () => {
    const body = `{"output":{"message":{"role":"assistant","content":[{"toolUse":{"toolUseId":"t1","name":"f","input":${deep}}}]}},"stopReason":"tool_use","usage":{"inputTokens":5,"outputTokens":5,"totalTokens":10}}`;
    up.setReply({ headers: { "content-type": "application/json" }, body });
    const res = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "deep",
        max_tokens: 100,
        tools: [{ name: "f", input_schema: { type: "object" } }],
        messages: [{ role: "user", content: "go" }],
      }),
    });
    const text = await res.text();
    expect(res.status, text.slice(0, 300)).not.toBe(500);
    expect(res.status).toBe(502);
    expect(text).toContain("nested too deeply");
    expect(text).not.toContain("call stack");
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
  });
});
