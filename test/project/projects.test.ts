/**
 * The split between the two vitest projects stays honest (test/projects.ts): a file of test/ that names the
 * build, a browser, the real coding tools' cache or an npm command that builds reaches test/support/e2e.ts,
 * so every test file using it runs in the e2e project (after the build) and never in the unit project (which
 * builds nothing, where a stale dist/ would let it pass).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { E2E_MARK, e2eFiles, ROOT, reach, testFiles } from "../projects.js";

/** What only the e2e project provides, as a file names it. */
const NEEDS_E2E: [RegExp, string][] = [
  [/join\(\s*ROOT\s*,\s*["']dist\b|["'`]dist\/(cli|ui|index)|\bbin\/llmux\.js\b/, "the build (dist/, bin/llmux.js)"],
  [/from\s+["']playwright-core["']/, "a browser"],
  [/\bCLIENTS_CACHE\b|llmux-tests\/clients|["']llmux-tests["']\s*,\s*["']clients["']/, "the real coding tools"],
  [/["']npm["']\s*,\s*\[\s*["'](ci|run|start|install)["']/, "an npm command that builds"],
];

function sources(dir = join(ROOT, "test"), out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!["__snapshots__", "fixtures", "node_modules"].includes(entry.name)) sources(path, out);
    } else if (/\.m?ts$/.test(entry.name)) out.push(path);
  }
  return out;
}

describe("the unit and e2e projects", () => {
  it("finds the files of each (sanity check)", () => {
    const e2e = e2eFiles();
    expect(e2e).toContain("test/clients/real-clients.test.ts");
    expect(e2e).toContain("test/ui/pages.test.ts");
    expect(e2e).toContain("test/cli/cli.test.ts");
    expect(e2e).not.toContain("test/limits/limits.test.ts");
    expect(testFiles().length - e2e.length).toBeGreaterThan(e2e.length);
  });

  it("every file that names what only e2e provides reaches test/support/e2e.ts", () => {
    const self = join(ROOT, "test/project/projects.test.ts");
    const loose: string[] = [];
    for (const file of sources()) {
      if (file === self) continue;
      const text = readFileSync(file, "utf8");
      for (const [pattern, what] of NEEDS_E2E)
        if (pattern.test(text) && !reach(file).has(E2E_MARK)) loose.push(`${relative(ROOT, file)}: ${what}`);
    }
    expect(loose).toEqual([]);
  });
});
