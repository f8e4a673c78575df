import { execFileSync } from "node:child_process";
import { join } from "node:path";

/**
 * Builds dist/ once before the tests (incrementally: nothing is rewritten when nothing changed), so the tests
 * that run the `llmux` command run the code under test; and the web UI into dist/ui when ui/ changed.
 */
export default function setup(): void {
  const root = join(import.meta.dirname, "..");
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
  // What no source compiles to any more goes (a removed admin route module must not stay served).
  execFileSync(process.execPath, [join(root, "scripts/prune-dist.mjs")], { cwd: root, stdio: "inherit" });
  execFileSync(process.execPath, [join(root, "scripts/build-ui.mjs")], { cwd: root, stdio: "inherit" });
}
