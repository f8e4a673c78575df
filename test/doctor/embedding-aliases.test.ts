/** llmux doctor probes chat models: an embedding alias is listed as skipped, with why, not probed with a chat request. */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { makePlan } from "../../src/doctor/plan.js";
import { createProviders } from "../../src/providers/index.js";

describe("the doctor's plan", () => {
  it("skips embedding aliases, saying why, and still probes the chat ones", () => {
    const config = parseConfig(
      {
        providers: { oa: { type: "openai", api_key: "k" } },
        models: {
          chat: { provider: "oa", model: "gpt-4.1" },
          embed: { provider: "oa", model: "text-embedding-3-small", kind: "embedding" },
        },
      },
      {},
    );
    const plan = makePlan(config, createProviders(config));
    expect(plan.aliases.map((a) => a.alias)).toEqual(["chat"]);
    expect(plan.skipped).toEqual([{ alias: "embed", why: expect.stringContaining("embedding model") }]);
  });
});
