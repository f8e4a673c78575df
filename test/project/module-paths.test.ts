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

/** A relative path a module names from its own place, in any of the forms Node takes. */
const RELATIVE_FROM_HERE = [
  // new URL("…", import.meta.url)
  /new URL\(\s*["'`]([^"'`]+)["'`]\s*,\s*import\.meta\.url\s*\)/g,
  // createRequire(import.meta.url)("…") and createRequire(import.meta.url).resolve("…")
  /createRequire\(\s*import\.meta\.url\s*\)(?:\.resolve)?\(\s*["'`](\.[^"'`]*)["'`]/g,
  // import.meta.resolve("…")
  /import\.meta\.resolve\(\s*["'`](\.[^"'`]*)["'`]/g,
];

describe("paths named from a module's own place", () => {
  const files = sources().map((p) => ({ file: relative(SRC, p), text: readFileSync(p, "utf8") }));
  const uses = files.filter(({ text }) => /import\.meta\b/.test(text));

  it("are named from the folder above (the same file from dist/<room>/ and from dist/bundle/)", () => {
    const named = files.flatMap(({ file, text }) =>
      RELATIVE_FROM_HERE.flatMap((re) => [...text.matchAll(re)].map((m) => ({ file, path: m[1]! }))),
    );
    // There are such paths (the patterns find them).
    expect(named.length).toBeGreaterThan(2);
    expect(named.filter((n) => !n.path.startsWith("../"))).toEqual([]);
  });

  it("are named only by modules one folder below src/ (a deeper module's ../ is another folder once bundled)", () => {
    expect(uses.filter(({ file }) => file.split("/").length !== 2).map((u) => u.file)).toEqual([]);
  });

  it("are never import.meta.dirname or import.meta.filename (the bundle's own folder and file)", () => {
    expect(uses.filter(({ text }) => /import\.meta\.(dirname|filename)\b/.test(text)).map((u) => u.file)).toEqual([]);
  });

  it("never list a folder to find modules: no module that knows its own place reads a folder", () => {
    // The admin API's route modules are listed in src/admin/routes.ts; a module that finds its siblings by
    // reading its folder finds the bundle's files instead.
    expect(uses.filter(({ text }) => /\breaddir(Sync)?\(/.test(text)).map((u) => u.file)).toEqual([]);
  });
});
