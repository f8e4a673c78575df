import { describe, expect, it } from "vitest";
import { newId, randomId } from "../../src/ir/ids.js";

describe("random ids drawn from the pooled random bytes", () => {
  it("are base62 of the length asked, across many pool refills, and never repeat", () => {
    const seen = new Set<string>();
    let long = 0;
    for (let i = 0; i < 5_000; i++) {
      const length = 1 + (i % 40);
      const id = randomId(length);
      expect(id).toMatch(new RegExp(`^[0-9a-zA-Z]{${length}}$`));
      if (length >= 16) {
        seen.add(id);
        long++;
      }
    }
    expect(seen.size).toBe(long);
  });

  it("serve a length larger than the pool", () => {
    expect(randomId(10_000)).toMatch(/^[0-9a-zA-Z]{10000}$/);
    expect(newId("resp_")).toMatch(/^resp_[0-9a-zA-Z]{24}$/);
  });
});
