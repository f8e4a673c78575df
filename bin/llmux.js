#!/usr/bin/env node
// The `llmux` command: runs the build in dist/ (npm ci builds it, as does npm run build), the bundle
// scripts/serve-bundle.mjs makes. This launcher is committed with its executable bit, so rebuilding dist/ never
// leaves the command without one.
import { existsSync } from "node:fs";

const main = new URL("../dist/bundle/llmux.js", import.meta.url);
if (!existsSync(main)) {
  console.error("llmux: not built yet: run `npm run build` in the llmux checkout (npm ci does it too)");
  process.exit(1);
}
await import(main.href);
