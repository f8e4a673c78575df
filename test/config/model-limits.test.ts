/**
 * `context_window` and `max_output_tokens` (on an alias and on each deployment) are bounded, and a
 * configuration that breaks a bound is refused with an error naming the field.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { problemsOf } from "./helpers.js";

const providers = { oa: { type: "openai", api_key: "x" } };
const withModel = (m: Record<string, unknown>) => () => parseConfig({ providers, models: { small: m } }, {});

describe("model limits in the configuration", () => {
  it("accepts them on an alias and on a deployment", () => {
    const c = parseConfig(
      {
        providers,
        models: {
          small: { provider: "oa", model: "m", context_window: 16_000, max_output_tokens: 4_000 },
          pair: { deployments: [{ provider: "oa", model: "a", context_window: 32_768, max_output_tokens: 8_192 }] },
        },
      },
      {},
    );
    expect(c.models.small!.context_window).toBe(16_000);
    expect(c.models.pair!.deployments![0]!.max_output_tokens).toBe(8_192);
  });

  it.each([
    [{ context_window: 512 }, "models.small.context_window"],
    [{ context_window: 1e9 }, "models.small.context_window"],
    [{ context_window: 16_000.5 }, "models.small.context_window"],
    [{ context_window: "16k" }, "models.small.context_window"],
    [{ max_output_tokens: 0 }, "models.small.max_output_tokens"],
    [
      { context_window: 16_000, max_output_tokens: 16_000 },
      "models.small.max_output_tokens: must be less than its context_window (16000)",
    ],
  ])("refuses %j naming the field", (limits, field) => {
    const problems = problemsOf(withModel({ provider: "oa", model: "m", ...limits }));
    expect(
      problems.some((p) => p.startsWith(field)),
      problems.join("\n"),
    ).toBe(true);
  });

  it("checks a deployment's own", () => {
    const problems = problemsOf(
      withModel({ deployments: [{ provider: "oa", model: "a", context_window: 8_192, max_output_tokens: 9_000 }] }),
    );
    expect(problems).toContain(
      "models.small.deployments.0.max_output_tokens: must be less than its context_window (8192)",
    );
  });
});
