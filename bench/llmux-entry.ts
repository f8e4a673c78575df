/**
 * The file that starts llmux from a build directory (dist/ or a compared build's): the command as shipped,
 * dist/bundle/llmux.js (scripts/serve-bundle.mjs), or dist/cli/main.js for a build made before llmux was
 * bundled (a compared revision).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

export function llmuxEntry(dist: string): string {
  const bundle = join(dist, "bundle", "llmux.js");
  return existsSync(bundle) ? bundle : join(dist, "cli", "main.js");
}
