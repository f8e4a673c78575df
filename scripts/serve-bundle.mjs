/**
 * After the compile (and scripts/vendor-bundle.mjs): the `llmux` command as it is shipped, dist/bundle/llmux.js
 * (bin/llmux.js and `npm start` run it). llmux's own modules, and the few packages listed in BUNDLED, are
 * bundled by Rolldown from dist/cli/main.js into a handful of files: each dynamic import (a command, the admin
 * API, MCP, a cloud's signing…) stays a file of its own, loaded when first needed as before. Loaded as some 650
 * ES modules, llmux cost a freshly started gateway about 12 MB more memory than bundled (each module costs its
 * records and its top-level code whatever its size; docs/performance.md, idle RSS).
 *
 * dist/bundle sits one folder below dist/ like every room of the compiled tree, so the paths llmux's modules
 * name from their own place (`../../package.json`, `../ui`, `../cursor/helper.js`) mean the same in the bundle.
 * Every other package stays a package loaded from node_modules (native ones, those loaded by path in a thread or
 * a child process, and the large ones only some configurations need keep their names in a running process).
 *
 * dist/bundle/modules.json lists the modules each file of this build holds: what a process loaded can be read
 * back as modules (test/support/bundle-modules.ts). The files of the last few builds stay beside it, so that a
 * running gateway still finds what it loads on first need after a rebuild (builds.json); a build whose inputs
 * did not change leaves it all as it is (inputs.sha256).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "rolldown";

const root = join(fileURLToPath(import.meta.url), "../..");
const dist = join(root, "dist");
const out = join(dist, "bundle");

/**
 * Packages bundled with llmux's modules. zod: loaded at every start (the configuration's schemas), and ~4 MB
 * smaller bundled. Since a schema made by one copy of zod is not to be handled by another, every package that
 * takes llmux's schemas (the admin API's router and its OpenAPI document) is bundled with it, over the same
 * copy: hono and its zod packages (in the admin API's file, loaded on its first request), and what they import.
 */
const BUNDLED = new Set([
  "zod",
  "hono",
  "@hono/node-server",
  "@hono/zod-openapi",
  "@hono/zod-validator",
  "@asteasolutions/zod-to-openapi",
  "openapi3-ts",
  "yaml",
]);

/** The package a bare import names (scoped names whole), or undefined for a path. */
function packageOf(id) {
  if (id.startsWith(".") || id.startsWith("/") || id.startsWith("\0")) return undefined;
  const parts = id.split("/");
  return id.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
}

const entry = join(dist, "cli", "main.js");
if (!existsSync(entry)) {
  console.error("serve-bundle: dist/cli/main.js is missing: compile first (tsc -p tsconfig.build.json)");
  process.exit(1);
}

/**
 * What the bundle is made from, hashed: every compiled file of dist/ (modules and the JSON they import; not the
 * bundle, nor the web UI), the files of the packages the last bundle took in (an upgraded zod or hono is made
 * again), the locked versions, this script and Rolldown's version.
 */
function inputsHash(previous) {
  const hash = createHash("sha256");
  const file = (p) => hash.update(relative(root, p)).update("\0").update(readFileSync(p));
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        if (p !== out && p !== join(dist, "ui")) walk(p);
      } else if (name.endsWith(".js") || name.endsWith(".json")) file(p);
    }
  };
  walk(dist);
  for (const id of Object.values(previous).flat().sort())
    if (id.startsWith("node_modules/") && existsSync(join(root, id))) file(join(root, id));
  for (const p of [join(root, "package-lock.json"), fileURLToPath(import.meta.url)]) if (existsSync(p)) file(p);
  const rolldown = JSON.parse(readFileSync(join(root, "node_modules", "rolldown", "package.json"), "utf8")).version;
  return hash.update(JSON.stringify([...BUNDLED, rolldown])).digest("hex");
}

/** The files each earlier build made, newest first (their modules.json lists), kept in builds.json. */
const BUILDS = join(out, "builds.json");
/** How many builds' files stay (see below). */
const KEPT_BUILDS = 5;
const read = (p, fallback) => (existsSync(p) ? JSON.parse(readFileSync(p, "utf8")) : fallback);
const previous = read(join(out, "modules.json"), {});

// Nothing it is made from changed since the bundle was made (`npm start` after a build): it stands, if whole.
const inputs = inputsHash(previous);
const stamp = join(out, "inputs.sha256");
const whole = Object.keys(previous).length > 0 && Object.keys(previous).every((f) => existsSync(join(out, f)));
if (whole && existsSync(stamp) && readFileSync(stamp, "utf8") === inputs) process.exit(0);

mkdirSync(out, { recursive: true });
const result = await build({
  // The gateway's configuration is validated by a child process (src/cli/config-aside.ts), its own entry: the
  // configuration's schema and zod stay out of the gateway's memory.
  input: { llmux: entry, "config-check": join(dist, "cli", "config-check.js") },
  platform: "node",
  external: (id) => isBuiltin(id) || (packageOf(id) !== undefined && !BUNDLED.has(packageOf(id))),
  logLevel: "warn",
  output: {
    dir: out,
    format: "esm",
    entryFileNames: "[name].js",
    chunkFileNames: "[name]-[hash].js",
    sourcemap: false,
    // Without the JSDoc comments (the compiled modules in dist/ and the sources keep them): a module's source
    // stays in memory as long as the process runs. 3.8 -> 3.1 MB of bundle, ~1.5 MB less RSS idle.
    comments: { legal: true, annotation: true, jsdoc: false },
    // Only ASCII in the files (other characters of string, template and regular expression literals written as
    // \u escapes; comments keep theirs, which drop out of this build's loaded files with the JSDoc): V8 holds a
    // module's source as one byte a character only when every character fits in a byte, else two. One "→" in a
    // message doubled the 490 kB of the gateway's main file in memory: 1.3 MB less RSS idle. Nothing is
    // minified: the code stays as compiled.
    minify: { compress: false, mangle: false, codegen: { removeWhitespace: false, asciiOnly: true } },
  },
});

const modules = {};
for (const o of result.output) {
  if (o.type !== "chunk") continue;
  modules[o.fileName] = o.moduleIds.filter((id) => !id.startsWith("\0")).map((id) => relative(root, id));
}
writeFileSync(join(out, "modules.json"), `${JSON.stringify(modules, null, 1)}\n`);

// The files of earlier builds stay, those of the last few: a gateway started from one of them (the background
// llmux a launcher left running, an instance rebuilt in place before its restart) still loads what it loads on
// first need (the admin API, a command, MCP) from the files it was built with. Names carry their content's
// hash: a file two builds share is the same file. Older files go.
const builds = [Object.keys(modules), ...read(BUILDS, [])].slice(0, KEPT_BUILDS);
const kept = new Set([...builds.flat(), "modules.json", "builds.json", "inputs.sha256"]);
for (const name of readdirSync(out)) if (!kept.has(name)) rmSync(join(out, name), { force: true });
writeFileSync(BUILDS, `${JSON.stringify(builds)}\n`);
// Hashed again with this build's packages' files: what the next build compares with (the first build of a
// fresh dist/ had no list of them to hash before).
writeFileSync(stamp, inputsHash(modules));
