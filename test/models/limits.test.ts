/**
 * An alias's limits (src/models/limits.ts): the capability table for known upstream models, what the alias or
 * each deployment declares, the smallest over several deployments, an alias's own output cap.
 */
import { describe, expect, it } from "vitest";
import { aliasLimits, knownLimits } from "../../src/models/limits.js";

describe("the limits table", () => {
  it.each([
    ["gpt-5-codex", 272_000, 128_000],
    ["gpt-5.1-codex-max", 272_000, 128_000],
    ["gpt-4.1", 1_047_576, 32_768],
    ["gpt-4o-2024-08-06", 128_000, 16_384],
    ["o3", 200_000, 100_000],
    ["claude-sonnet-4-5", 200_000, 64_000],
    ["claude-opus-4-1", 200_000, 32_000],
    ["us.anthropic.claude-opus-4-6-v1:0", 200_000, 128_000],
    ["gemini-2.5-pro", 1_048_576, 65_536],
    ["gemini-2.0-flash", 1_048_576, 8_192],
    ["kimi-k2-thinking", 262_144, 32_768],
  ])("%s: window %i, output %i", (model, window, output) => {
    expect(knownLimits(model)).toEqual({ contextWindow: window, maxOutputTokens: output });
  });

  it("knows nothing of a model it has no row for", () => {
    expect(knownLimits("my-azure-deployment")).toEqual({});
    expect(knownLimits("llama-3.3-70b")).toEqual({});
  });
});

describe("an alias's limits", () => {
  it("what the alias declares wins over its deployments and the table", () => {
    expect(aliasLimits({ context_window: 16_000, max_output_tokens: 4_000 }, [{ model: "gpt-5-codex" }])).toEqual({
      contextWindow: 16_000,
      maxOutputTokens: 4_000,
    });
  });

  it("else each deployment's (declared or known), the smallest over them", () => {
    const l = aliasLimits({}, [
      { model: "gpt-5-codex" },
      { model: "claude-sonnet-4-5", declared: { context_window: 150_000 } },
      { model: "unknown-model" },
    ]);
    expect(l).toEqual({ contextWindow: 150_000, maxOutputTokens: 64_000 });
  });

  it("an alias's max_tokens caps the output it is said to produce", () => {
    expect(aliasLimits({ max_tokens: 2_000 }, [{ model: "gpt-4.1" }])).toEqual({
      contextWindow: 1_047_576,
      maxOutputTokens: 2_000,
    });
    expect(aliasLimits({ max_tokens: 2_000 }, [{ model: "unknown" }])).toEqual({ maxOutputTokens: 2_000 });
  });

  it("a declared window smaller than the table's output leaves room: half the window for output", () => {
    expect(aliasLimits({ context_window: 16_000 }, [{ model: "gpt-5-codex" }])).toEqual({
      contextWindow: 16_000,
      maxOutputTokens: 8_000,
    });
  });

  it("nothing known, nothing said", () => {
    expect(aliasLimits({}, [{ model: "unknown" }])).toEqual({});
  });
});
