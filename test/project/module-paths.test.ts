/**
 * The built command is llmux bundled into dist/bundle, one folder below dist/ like every room of the compiled
 * tree (scripts/serve-bundle.mjs). A file a module names relative to its own place means the same file from the
 * bundle only when named from the folder above (`../cursor/helper.js`, `../../package.json`): `./helper.js` in
 * dist/cursor/ would be dist/bundle/helper.js once bundled. Nor may a module list its own folder to find
 * modules (the bundle has no folder of modules).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "../../src");

function sources(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return name.endsWith(".ts") && !name.endsWith(".d.ts") ? [p] : [];
  });
}

describe("paths named from a module's own place", () => {
  const files = sources().map((p) => ({ file: relative(SRC, p), text: readFileSync(p, "utf8") }));

  it("are named from the folder above (the same file from dist/<room>/ and from dist/bundle/)", () => {
    const named = files.flatMap(({ file, text }) =>
      [...text.matchAll(/new URL\(\s*["'`]([^"'`]+)["'`]\s*,\s*import\.meta\.url\s*\)/g)].map((m) => ({
        file,
        path: m[1]!,
      })),
    );
    // There are such paths (the pattern finds them).
    expect(named.length).toBeGreaterThan(2);
    expect(named.filter((n) => !n.path.startsWith("../"))).toEqual([]);
  });

  it("never list a module's own folder to find modules", () => {
    const listing = files.filter(({ text }) =>
      /readdirSync\(\s*(here|dirname\(fileURLToPath\(import\.meta\.url\)\))/.test(text),
    );
    expect(listing.map((f) => f.file)).toEqual([]);
  });
});
