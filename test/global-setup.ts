import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { clientFiles } from "./projects.js";
import { CLIENT_PINS, type ClientName, installClient } from "./support/clients.js";

/**
 * The e2e project's setup (test/projects.ts), before any of its tests and outside every test's timeout:
 *
 * - builds dist/ (incrementally: nothing is rewritten when nothing changed), so the tests that run the `llmux`
 *   command run the code under test as `npm run build` ships it (Kysely bundled), and the web UI into dist/ui
 *   when ui/ changed;
 * - installs the pinned real coding tools into the tools cache (~/.cache/llmux-tests/clients) and runs each once (some unpack themselves on
 *   their first run), when the run includes a test that drives them.
 */
export default async function setup(project: TestProject): Promise<void> {
  const root = join(import.meta.dirname, "..");
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
  // What no source compiles to any more goes (a removed module must not stay importable from dist/).
  execFileSync(process.execPath, [join(root, "scripts/prune-dist.mjs")], { cwd: root, stdio: "inherit" });
  // Kysely bundled into dist/data/kysely.js, as `npm run build` ships it.
  execFileSync(process.execPath, [join(root, "scripts/vendor-bundle.mjs")], { cwd: root, stdio: "inherit" });
  // The command as shipped: llmux bundled into dist/bundle (bin/llmux.js runs dist/bundle/llmux.js).
  execFileSync(process.execPath, [join(root, "scripts/serve-bundle.mjs")], { cwd: root, stdio: "inherit" });
  execFileSync(process.execPath, [join(root, "scripts/build-ui.mjs")], { cwd: root, stdio: "inherit" });
  // One tool at a time: each install and first run gets the machine (and the network) to itself, within its bound.
  if (drivesTools(project)) for (const name of Object.keys(CLIENT_PINS) as ClientName[]) await installClient(name);
}

/** Whether the files this run was asked for (all of them, without a filter) include one that drives a tool. */
function drivesTools(project: TestProject): boolean {
  const filters = (project.vitest as { filenamePattern?: string[] }).filenamePattern ?? [];
  if (filters.length === 0) return true;
  const files = clientFiles();
  return filters.some((f) => {
    const wanted = f.replace(/:\d+$/, "").replace(/^\.\//, "");
    return files.some((file) => file.includes(wanted) || join(project.config.root, file).includes(wanted));
  });
}
