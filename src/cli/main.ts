#!/usr/bin/env node
/**
 * The `llmux` command's entry. First of all, before the rest of llmux is even read, the young generation is held
 * while the command starts (young-generation.ts says why): the modules a static import names are all read and
 * compiled before the first of them runs, so the rest is loaded by a dynamic import once the hold is set; V8's
 * allocation-site pretenuring is turned off at the same moment (pretenuring.ts says why), and its optimizing
 * compilers are held until a server is busy (compiler-hold.ts says why). As
 * `npm run build` ships it (dist/bundle/llmux.js, scripts/serve-bundle.mjs), this module is the bundle's entry.
 */
import "./young-generation.js";
import "./pretenuring.js";
import "./compiler-hold.js";

await import("./command-line.js");
