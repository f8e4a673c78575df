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
 * dist/bundle/modules.json lists the modules each file holds: what a process loaded can be read back as modules
 * (test/support/bundle-modules.ts).
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

/** What the bundle is made from: every compiled module of dist/ (not the bundle, nor the web UI), hashed. */
function inputsHash() {
  const hash = createHash("sha256");
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) {
        if (p !== out && p !== join(dist, "ui")) walk(p);
      } else if (name.endsWith(".js")) hash.update(relative(dist, p)).update("\0").update(readFileSync(p));
    }
  };
  walk(dist);
  return hash.update(JSON.stringify([...BUNDLED])).digest("hex");
}

// Nothing compiled changed since the bundle was made (`npm start` after a build): it stands.
const inputs = inputsHash();
const stamp = join(out, "inputs.sha256");
if (existsSync(stamp) && existsSync(join(out, "llmux.js")) && readFileSync(stamp, "utf8") === inputs) process.exit(0);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  input: { llmux: entry },
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
  },
});

const modules = {};
for (const o of result.output) {
  if (o.type !== "chunk") continue;
  modules[o.fileName] = o.moduleIds.filter((id) => !id.startsWith("\0")).map((id) => relative(root, id));
}
writeFileSync(join(out, "modules.json"), `${JSON.stringify(modules, null, 1)}\n`);
writeFileSync(stamp, inputs);
