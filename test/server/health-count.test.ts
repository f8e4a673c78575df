/** /health counts the models GET /v1/models lists; patterns are counted apart, not as models. */
import { describe, expect, it } from "vitest";
import { startHarness } from "../support/gateway.js";

describe("/health and /v1/models agree", () => {
  it("models is the number of names /v1/models lists; model_patterns the patterns", async () => {
    const h = await startHarness(() => ({
      models: { "claude-*haiku*": { provider: "anthropic" }, "gpt-*": { provider: "openai-chat" } },
    }));
    try {
      const health = (await (await fetch(`${h.url}/health`)).json()) as { models: number; model_patterns: number };
      const listed = (await (await fetch(`${h.url}/v1/models`)).json()) as { data: { id: string }[] };
      expect(listed.data.length).toBeGreaterThan(0);
      expect(listed.data.some((m) => m.id.includes("*"))).toBe(false);
      expect(health.models).toBe(listed.data.length);
      expect(health.model_patterns).toBe(2);
    } finally {
      await h.close();
    }
  });
});
