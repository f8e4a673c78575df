import { describe, expect, it } from "vitest";
import { configKeys } from "../../src/identity/resolvers.js";

describe("the config's service keys, remembered once matched", () => {
  it("answers the same principal for a key matched before, and nothing for a key that is not one", () => {
    const keys = configKeys(["service-key-one", "service-key-two"]);
    const first = keys.resolve("service-key-two", {});
    expect(first).toMatchObject({ kind: "config", owner: expect.stringMatching(/^digest:/) });
    expect(keys.resolve("service-key-two", {})).toBe(first);
    expect(keys.resolve("service-key-one", {})).not.toEqual(first);
    expect(keys.resolve("service-key-twO", {})).toBeUndefined();
    expect(keys.resolve("service-key-two ", {})).toBeUndefined();
  });

  it("leaves a minted key to the next resolver, unless a configured key has the minted prefix", () => {
    expect(configKeys(["service-key-one"]).resolve("lx-service-key-one", {})).toBeUndefined();
    const mintedShaped = configKeys(["lx-a-configured-key"]);
    expect(mintedShaped.resolve("lx-a-configured-key", {})).toMatchObject({ kind: "config" });
    expect(mintedShaped.resolve("lx-another-key", {})).toBeUndefined();
  });
});
