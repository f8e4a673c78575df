/**
 * GET /v1/models carries each alias's limits in every shape that has a place for them, read here by the
 * official SDKs as a tool would: OpenAI's `models.list()` (llmux's `context_window` and `max_output_tokens`
 * members), Anthropic's `models.list()` / `models.retrieve()` (`max_input_tokens`, `max_tokens`) and Google's
 * `models.list()` / `models.get()` (`inputTokenLimit`, `outputTokenLimit`). The limits come from the
 * configuration (alias, deployment) or the capability table for known upstream models.
 */
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";

const KEY = "svc-model-limits-0123456789";

let h: Harness;
beforeAll(async () => {
  h = await startHarness(() => ({
    auth: { keys: [KEY] },
    models: {
      // Declared on the alias: wins over the table.
      small16k: { provider: "azure-responses", model: "gpt-5-codex", context_window: 16_000, max_output_tokens: 4_000 },
      // Declared on one deployment, known for the other: the smaller of the two.
      pair: {
        deployments: [
          { provider: "anthropic", model: "claude-sonnet-4-5", context_window: 150_000 },
          { provider: "azure-responses", model: "gpt-5-codex" },
        ],
      },
      // Known from the table only.
      "via-anthropic": { provider: "anthropic", model: "claude-sonnet-4-5" },
      // An output cap of the alias's own lowers what the tools are told.
      capped: { provider: "gemini", model: "gemini-2.5-pro", max_tokens: 8_192 },
      // Nothing known: no limit members (OpenAI, Gemini), nulls (Anthropic).
      unknown: { provider: "compat", model: "some-local-model" },
    },
  }));
});
afterAll(async () => {
  await h?.close();
});

const EXPECTED: Record<string, { window?: number; output?: number }> = {
  small16k: { window: 16_000, output: 4_000 },
  pair: { window: 150_000, output: 64_000 },
  "via-anthropic": { window: 200_000, output: 64_000 },
  capped: { window: 1_048_576, output: 8_192 },
  unknown: {},
  "via-openai-chat": { window: 1_047_576, output: 32_768 },
};

describe("GET /v1/models carries each model's limits", () => {
  it("OpenAI's shape (openai SDK): context_window and max_output_tokens, left out when unknown", async () => {
    const client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: KEY });
    const seen = new Map<string, Record<string, unknown>>();
    for await (const m of client.models.list()) seen.set(m.id, m as unknown as Record<string, unknown>);
    for (const [id, want] of Object.entries(EXPECTED)) {
      const m = seen.get(id);
      expect(m, id).toBeDefined();
      expect(m!.context_window, id).toBe(want.window);
      expect(m!.max_output_tokens, id).toBe(want.output);
      if (want.window === undefined) expect(Object.keys(m!), id).not.toContain("context_window");
    }
    const one = (await client.models.retrieve("small16k")) as unknown as Record<string, unknown>;
    expect([one.context_window, one.max_output_tokens]).toEqual([16_000, 4_000]);
  });

  it("Anthropic's shape (@anthropic-ai/sdk): max_input_tokens and max_tokens, null when unknown", async () => {
    const client = new Anthropic({ baseURL: h.url, apiKey: KEY });
    const seen = new Map<string, Record<string, unknown>>();
    for await (const m of client.models.list({ limit: 1000 })) seen.set(m.id, m as unknown as Record<string, unknown>);
    for (const [id, want] of Object.entries(EXPECTED)) {
      const m = seen.get(id);
      expect(m, id).toBeDefined();
      expect(m!.max_input_tokens, id).toBe(want.window ?? null);
      expect(m!.max_tokens, id).toBe(want.output ?? null);
    }
    const one = (await client.models.retrieve("pair")) as unknown as Record<string, unknown>;
    expect([one.max_input_tokens, one.max_tokens]).toEqual([150_000, 64_000]);
  });

  it("Gemini's shape (@google/genai): inputTokenLimit and outputTokenLimit", async () => {
    const client = new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: h.url } });
    const seen = new Map<string, { inputTokenLimit?: number; outputTokenLimit?: number }>();
    for await (const m of await client.models.list()) seen.set(m.name!.replace(/^models\//, ""), m);
    for (const [id, want] of Object.entries(EXPECTED)) {
      const m = seen.get(id);
      expect(m, id).toBeDefined();
      expect(m!.inputTokenLimit, id).toBe(want.window);
      expect(m!.outputTokenLimit, id).toBe(want.output);
    }
    const one = await client.models.get({ model: "capped" });
    expect([one.inputTokenLimit, one.outputTokenLimit]).toEqual([1_048_576, 8_192]);
  });
});
