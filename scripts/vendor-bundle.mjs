/**
 * After `tsc -p tsconfig.build.json`: dist/data/kysely.js (`export * from "kysely"`, src/data/kysely.ts) is
 * replaced by Kysely bundled into that one file. A serving process loads Kysely at start (the store opens
 * then); as its 262 ES modules it cost a freshly started llmux about 11 MB more memory than as one. Then every
 * compiled file is checked: a value import of "kysely" anywhere else would load the 262 modules again beside
 * the bundle.
 */
import { readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const root = join(fileURLToPath(import.meta.url), "../..");
const dist = join(root, "dist");
const target = join(dist, "data", "kysely.js");
const next = `${target}.next`;

// As tsc writes it, the module re-exports the package; once bundled it does not, and is left as it is (bundled
// again, its text would change once more, and the command's bundle made from dist/ with it: scripts/serve-bundle.mjs).
if (/^export \* from "kysely";$/m.test(readFileSync(target, "utf8"))) {
  await build({
    input: target,
    platform: "node",
    external: [/^node:/],
    logLevel: "warn",
    output: { format: "esm", file: next, sourcemap: false },
  });
  renameSync(next, target);
  rmSync(`${target}.map`, { force: true });
}

const IMPORTS_KYSELY = /(?:from\s*|import\s*\(?\s*)["']kysely(?:\/[^"']*)?["']/;
const offenders = [];
function check(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      // dist/bundle holds Kysely's code (and its comments' examples) bundled from this file.
      if (p !== join(dist, "ui") && p !== join(dist, "bundle")) check(p);
    } else if (name.endsWith(".js") && p !== target && IMPORTS_KYSELY.test(readFileSync(p, "utf8"))) {
      offenders.push(relative(root, p));
    }
  }
}
check(dist);
if (offenders.length > 0) {
  console.error(
    `these files import "kysely" itself; import its values from src/data/kysely.ts instead:\n  ${offenders.join("\n  ")}`,
  );
  process.exit(1);
}
