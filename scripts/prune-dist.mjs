/**
 * After `tsc -p tsconfig.build.json`: removes from dist/ what no file of src/ compiles to any more (tsc never
 * deletes an output whose source is gone): a removed module must not stay importable from a stale build.
 * dist/ui is the web UI's, dist/bundle the command's bundle (scripts/serve-bundle.mjs makes it again from what
 * is left).
 */
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(fileURLToPath(import.meta.url), "../..");
const dist = join(root, "dist");
const OUTPUT = /\.(js|js\.map|d\.ts)$/;

function prune(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (p !== join(dist, "ui") && p !== join(dist, "bundle")) prune(p);
      continue;
    }
    if (!OUTPUT.test(name)) continue;
    const source = join(root, "src", relative(dist, p)).replace(OUTPUT, ".ts");
    if (!existsSync(source)) rmSync(p);
  }
}

if (existsSync(dist)) prune(dist);
