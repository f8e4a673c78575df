#!/usr/bin/env node
// Builds the web UI (ui/, an npm workspace: React + Vite) into dist/ui, where llmux serves it at /ui. Skipped
// when nothing under ui/ (its node_modules aside, nor the lock file) changed since the last build, so
// `npm start` stays quick. `--force` builds.
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const stamp = join(root, "dist", "ui", ".built");

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = st.mtimeMs;
  for (const name of readdirSync(path)) if (name !== "node_modules") t = Math.max(t, newest(join(path, name)));
  return t;
}

const sources = Math.max(newest(join(root, "ui")), statSync(join(root, "package-lock.json")).mtimeMs);
if (!process.argv.includes("--force") && existsSync(stamp) && statSync(stamp).mtimeMs >= sources) process.exit(0);

let vite;
try {
  vite = await import("vite");
} catch {
  console.warn("build-ui: vite is not installed (dev dependencies omitted): the web UI in dist/ui is not rebuilt");
  process.exit(0);
}
const started = Date.now();
await vite.build({ configFile: join(root, "ui", "vite.config.ts") });
writeFileSync(stamp, `${new Date().toISOString()}\n`);
if (process.env.npm_lifecycle_event !== "prepare")
  console.error(`build-ui: dist/ui built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
