import { describe, expect, it } from "vitest";
import { matchesGlob } from "../../src/text/glob.js";

describe("matchesGlob", () => {
  it("matches the whole name, `*` as any characters, case aside; other characters as themselves", () => {
    expect(matchesGlob("gpt-*", "GPT-4o")).toBe(true);
    expect(matchesGlob("gpt-*", "my-gpt-4o")).toBe(false);
    expect(matchesGlob("github__create_*", "github__create_issue")).toBe(true);
    expect(matchesGlob("a.b", "axb")).toBe(false);
    expect(matchesGlob("a.b", "a.b")).toBe(true);
    expect(matchesGlob("(x)+", "(x)+")).toBe(true);
    expect(matchesGlob("*", "")).toBe(true);
  });

  it("answers the same once compiled, and past its bound of kept globs", () => {
    for (let i = 0; i < 10_050; i++) expect(matchesGlob(`m${i}-*`, `m${i}-x`)).toBe(true);
    expect(matchesGlob("m1-*", "m1-y")).toBe(true);
    expect(matchesGlob("m1-*", "m2-y")).toBe(false);
  });
});
