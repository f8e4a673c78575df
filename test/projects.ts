/**
 * The two vitest projects (vitest.config.ts), decided by what each test file imports:
 *
 * - `e2e`: the files that reach test/support/e2e.ts, directly or through the helpers they import — those that
 *   run the built `llmux` command or read dist/ (test/support/built.ts), drive a browser
 *   (test/ui/support/browser.ts) or a real coding tool (test/support/clients.ts). Its global setup builds
 *   the app and the web UI and installs the coding tools (test/global-setup.ts).
 * - `unit`: every other test file. They import src/ directly and need no build; nothing is built first.
 *
 * No list is kept by hand: a test joins e2e by importing what it needs. test/project/projects.test.ts checks
 * that no file names the build, a browser or the tools' cache without going through those helpers.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

export const ROOT = join(import.meta.dirname, "..");
const TEST = join(ROOT, "test");

/** The module whose importers are e2e, and the helper whose importers drive the real coding tools. */
export const E2E_MARK = join(TEST, "support/e2e.ts");
export const CLIENTS_MARK = join(TEST, "support/clients.ts");

/** Every test file, relative to the root (`test/…/x.test.ts`). */
export function testFiles(dir = TEST, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && entry.name !== "__snapshots__") testFiles(path, out);
    } else if (entry.name.endsWith(".test.ts")) out.push(relative(ROOT, path));
  }
  return out.sort();
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*["'](\.{1,2}\/[^"']+)["']|\bimport\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)|(?:^|\n)\s*import\s*["'](\.{1,2}\/[^"']+)["']/g;

/** What each file imports, read once per run (a support module is reached from hundreds of test files). */
const importsOf = new Map<string, string[]>();

/** The files of test/ a file imports (relative specifiers only; src/ and packages are not followed). */
export function localImports(file: string): string[] {
  const known = importsOf.get(file);
  if (known) return known;
  const out: string[] = [];
  for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
    const spec = (m[1] ?? m[2] ?? m[3])!;
    const base = resolve(dirname(file), spec);
    const candidates = [base.replace(/\.(m?)js$/, ".$1ts"), base, `${base}.ts`];
    const found = candidates.find((c) => existsSync(c) && c.startsWith(TEST) && /\.m?[tj]s$/.test(c));
    if (found) out.push(found);
  }
  importsOf.set(file, out);
  return out;
}

/** Every file of test/ a file reaches through its imports, itself included. */
export function reach(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const next of localImports(file)) reach(next, seen);
  return seen;
}

/** The test files of the e2e project (relative to the root); the unit project runs the others. */
export function e2eFiles(): string[] {
  return testFiles().filter((f) => reach(join(ROOT, f)).has(E2E_MARK));
}

/** The test files that drive the real coding tools (the e2e global setup installs the tools for them). */
export function clientFiles(): string[] {
  return testFiles().filter((f) => reach(join(ROOT, f)).has(CLIENTS_MARK));
}
