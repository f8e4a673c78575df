import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { parseConfig } from "../../src/config/load.js";

const DOC = readFileSync(join(import.meta.dirname, "../../docs/routing.md"), "utf8");

describe("docs/routing.md", () => {
  const blocks = [...DOC.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  it("has the common setups as examples", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    expect(DOC).toMatch(/Two Azure regions/);
    expect(DOC).toMatch(/Azure first, Anthropic as the fallback/);
    expect(DOC).toMatch(/cheap model for Claude Code/);
  });
  for (const [i, text] of blocks.entries()) {
    it(`example ${i + 1} is a configuration llmux accepts`, () => {
      const env = Object.fromEntries([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => [m[1]!, "test-value"]));
      const config = parseConfig(parseYaml(text), env);
      expect(Object.keys(config.models).length).toBeGreaterThan(0);
    });
  }
});
