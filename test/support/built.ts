/**
 * The build the e2e project's global setup makes (test/global-setup.ts): dist/, where the `llmux` command
 * runs from (bin/llmux.js runs dist/bundle/llmux.js, llmux bundled by scripts/serve-bundle.mjs), and the web UI
 * in dist/ui. A test file that imports this
 * module, directly or through a helper, runs in the e2e project (test/support/e2e.ts).
 */
import { join } from "node:path";
import { e2e } from "./e2e.js";

e2e("the build (dist/)");

export const ROOT = join(import.meta.dirname, "../..");
export const DIST = join(ROOT, "dist");
/** The built `llmux` command, as shipped (the package's bin runs it). */
export const BIN = join(DIST, "bundle/llmux.js");
